"""Provenance that pins the code: the start commit, dirty trees refused for results/, threads,
data digests, the wall time of every resumed part, and the sha256 of the code that ran."""

import json
import shutil
import subprocess
import time
from dataclasses import dataclass

import pytest

from course_lib.data import fetch, registry
from course_lib.env import paths
from course_lib.env.threads import THREAD_VARIABLES, thread_settings
from course_lib.experiments import register
from course_lib.runs import provenance, runner
from course_lib.runs.code_hash import changed_files, code_record
from course_lib.runs.provenance import DirtyTreeError, data_digests, git_commit
from course_lib.runs.runner import run_experiment
from course_lib.tools.cli import main as lstm_course
from tests.conftest import requires_ci_or_skip

CALLS = []


@dataclass
class FakeConfig:
    stop: bool = False  # raise KeyboardInterrupt, as Ctrl-C does, after a short "epoch"
    seed: int = 0


@register("fake-provenance", "a fake experiment that sleeps (tests only)",
          {p: FakeConfig() for p in ("smoke", "laptop", "full")})
def fake_run(config, ctx):
    CALLS.append(config)
    time.sleep(0.05)
    if config.stop:
        raise KeyboardInterrupt("stopped")
    return {"done": True}


def fake(tmp_path, **options):
    options = {"profile": "laptop", "progress": False, "plots": False,
               "results_dir": tmp_path / "results", "checkpoint_root": tmp_path / "ckpt", **options}
    return run_experiment("fake-provenance", **options)


DIRTY = {"commit": "0" * 40, "dirty": True, "dirty_files": ["course_lib/x.py"],
         "diff_sha256": "d" * 64}


@pytest.fixture
def committed_results(tmp_path, monkeypatch):
    """tmp_path/results plays the committed results/ folder; the tree is dirty."""
    monkeypatch.setattr(paths, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(runner, "git_commit", lambda **_: dict(DIRTY))
    CALLS.clear()
    return tmp_path / "results"


def test_a_dirty_tree_is_refused_for_results_before_anything_runs(tmp_path, committed_results):
    with pytest.raises(DirtyTreeError, match="uncommitted changes in 1 file.*course_lib/x.py"):
        fake(tmp_path)
    assert CALLS == [] and not committed_results.exists()
    record = fake(tmp_path, allow_dirty=True)  # marked, with the diff's hash
    assert record["git_commit"]["dirty"] is True and record["git_commit"]["diff_sha256"] == "d" * 64
    fake(tmp_path, results_dir=tmp_path / "elsewhere")  # another folder: never refused
    fake(tmp_path, profile="smoke")  # smoke records are git-ignored: never refused
    assert len(CALLS) == 3


def test_the_cli_refuses_with_a_clear_message(tmp_path, committed_results, capsys):
    command = ["run", "fake-provenance", "--profile", "laptop", "--no-progress", "--results-dir",
               str(committed_results), "--checkpoint-dir", str(tmp_path / "ckpt")]
    assert lstm_course(command) == 2 and CALLS == []
    assert "--allow-dirty" in capsys.readouterr().err
    assert lstm_course([*command, "--allow-dirty"]) == 0 and len(CALLS) == 1


def test_a_sweep_into_results_is_refused_too(tmp_path, committed_results, monkeypatch):
    monkeypatch.setattr(provenance, "git_commit", lambda **_: dict(DIRTY))
    spec = tmp_path / "s.toml"
    spec.write_text('experiment = "fake-provenance"\nprofile = "laptop"\n[grid]\nstop = [false]\n')
    out = committed_results / "sweeps" / "s"
    assert lstm_course(["sweep", str(spec), "--out", str(out)]) == 2 and CALLS == []


def git(root, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root,
                   check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_state_counts_tracked_changes_and_new_code(tmp_path):
    (tmp_path / "course_lib").mkdir()
    (tmp_path / "course_lib" / "a.py").write_text("x = 1\n")
    (tmp_path / "README.md").write_text("hello\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "start")
    clean = git_commit(tmp_path)
    assert len(clean["commit"]) == 40 and clean == {"commit": clean["commit"], "dirty": False}
    (tmp_path / "notes.txt").write_text("untracked, not code\n")
    assert git_commit(tmp_path)["dirty"] is False
    (tmp_path / "course_lib" / "new.py").write_text("y = 2\n")  # untracked code counts
    new_code = git_commit(tmp_path)
    assert new_code["dirty"] and new_code["dirty_files"] == ["course_lib/new.py"]
    (tmp_path / "course_lib" / "new.py").write_text("y = 3\n")
    assert git_commit(tmp_path)["diff_sha256"] != new_code["diff_sha256"]
    (tmp_path / "course_lib" / "new.py").unlink()
    (tmp_path / "README.md").write_text("changed\n")  # any tracked change counts
    assert git_commit(tmp_path)["dirty_files"] == ["README.md"]
    assert git_commit(tmp_path / "missing")["commit"] is None


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_sweep_redoing_its_own_committed_records_is_not_dirty(tmp_path):
    runs = tmp_path / "results" / "sweeps" / "s" / "runs"
    runs.mkdir(parents=True)
    (runs / "a.json").write_text("{}\n")
    (tmp_path / "README.md").write_text("hello\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "start")
    (runs / "a.json").unlink()  # what --fresh does
    assert git_commit(tmp_path)["dirty_files"] == ["results/sweeps/s/runs/a.json"]
    assert git_commit(tmp_path, own_folder="results/sweeps/s/runs/")["dirty"] is False
    (tmp_path / "README.md").write_text("changed\n")  # anything else still counts
    assert git_commit(tmp_path, own_folder="results/sweeps/s/runs/")["dirty_files"] == ["README.md"]


def test_own_records_is_only_a_folder_strictly_under_results():
    assert provenance.own_records(paths.RESULTS_DIR / "sweeps" / "s") == "results/sweeps/s/"
    assert provenance.own_records(paths.RESULTS_DIR) is None  # plain runs: every change counts
    assert provenance.own_records(paths.REPO_ROOT / "elsewhere") is None


def test_record_keeps_threads_code_and_start_commit(tmp_path, monkeypatch):
    states = iter([{"commit": "a" * 40, "dirty": False}, {"commit": "b" * 40, "dirty": False}])
    monkeypatch.setattr(runner, "git_commit", lambda **_: next(states))
    record = fake(tmp_path, profile="smoke")
    assert record["git_commit"]["commit"] == "a" * 40  # taken at the start, once
    threads = record["threads"]
    assert threads == thread_settings() and threads["torch_intra_op"] >= 1
    assert set(THREAD_VARIABLES) <= set(threads) and "torch_interop" in threads
    files = record["code"]["files"]
    assert {"tests/test_provenance.py", "course_lib/runs/runner.py",
            "course_lib/training/trainer.py"} <= set(files)
    assert record["code"]["changed_during_run"] == [] and len(record["code"]["sha256"]) == 64


def test_code_record_follows_imports_but_not_other_experiments():
    files = code_record(["course_lib.experiments.imdb"])["files"]
    assert "course_lib/experiments/imdb.py" in files
    assert "course_lib/experiments/common/imdb_data.py" in files  # what it imports
    assert "course_lib/experiments/__init__.py" in files and "course_lib/__init__.py" in files
    assert "course_lib/experiments/sst.py" not in files  # registered alongside, not imported
    mnist = code_record(["course_lib.experiments.mnist"])["files"]
    assert "course_lib/numpy_core/train.py" in mnist and "course_lib/env/selection.py" in mnist


def test_changed_files_sees_an_edit(tmp_path):
    source = tmp_path / "module.py"
    source.write_text("a = 1\n")
    files = {str(source): __import__("hashlib").sha256(source.read_bytes()).hexdigest()}
    assert changed_files(files) == []
    source.write_text("a = 2\n")
    assert changed_files(files) == [str(source)]
    source.unlink()
    assert changed_files(files) == [str(source)]


def test_wall_time_is_summed_over_every_resumed_part(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        fake(tmp_path, profile="smoke", overrides={"stop": "true"})
    parts_file = tmp_path / "ckpt" / "fake-provenance-smoke" / "parts.json"
    first = json.loads(parts_file.read_text())
    assert len(first) == 1 and first[0]["ended"] == "KeyboardInterrupt"
    assert first[0]["wall_time_s"] >= 0.05
    record = fake(tmp_path, profile="smoke", resume=True)
    parts = record["parts"]
    assert [p["ended"] for p in parts] == ["KeyboardInterrupt", "finished"]
    assert [p["resumed"] for p in parts] == [False, True] and record["wall_time_complete"]
    assert record["wall_time_s"] == pytest.approx(sum(p["wall_time_s"] for p in parts))
    assert record["wall_time_s"] >= 0.1 and record["started"] == parts[0]["started"]
    assert json.loads(parts_file.read_text()) == parts
    again = fake(tmp_path, profile="smoke")  # a fresh run starts the list again
    assert len(again["parts"]) == 1 and again["wall_time_s"] < record["wall_time_s"]


def test_data_digests_name_each_located_file_with_its_pinned_digest(monkeypatch):
    name = "ptb/ptb.valid.txt"
    requires_ci_or_skip(fetch.find(name) is not None, "PTB not found (set LSTM_COURSE_DATA)")
    monkeypatch.setattr(fetch, "LOCATED", set())
    assert data_digests() == {}
    fetch.locate(name, download=False)
    assert data_digests() == {"ptb": {name: registry.FILES[name]["sha256"]}}
