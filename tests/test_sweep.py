"""`lstm-course sweep`: a grid of runs of a registered experiment, resumable, one file per run."""

import csv
import json

import pytest

from course_lib.runs import sweep as sweep_module
from course_lib.runs.sweep import as_override, load_spec, point_id, run_sweep
from course_lib.tools.cli import main as lstm_course

SPEC = """
experiment = "adding"
profile = "smoke"
[fixed]
epochs = 2
models = ["lstm"]
seeds = 1
train_size = 64
[grid]
hidden_size = [4, 8]
batch_size = [32]
"""


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(SPEC)
    return path


def test_points_are_every_combination_with_file_safe_names(spec):
    sweep = load_spec(spec)
    assert sweep.name == "tiny" and sweep.experiment == "adding"
    assert sweep.points() == [{"hidden_size": 4, "batch_size": 32}, {"hidden_size": 8, "batch_size": 32}]
    assert point_id({"models": ["lstm", "rnn"], "lr": 0.001}) == "models-lstm.rnn_lr-0.001"
    assert as_override(["lstm", "rnn"]) == "lstm,rnn" and as_override(True) == "true"


def test_unknown_fields_and_empty_grids_are_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('experiment = "adding"\n[grid]\nhiden_size = [4]\n')
    with pytest.raises(ValueError, match="no configuration field 'hiden_size'"):
        load_spec(bad)
    bad.write_text('experiment = "adding"\n[grid]\n')
    with pytest.raises(ValueError, match="non-empty"):
        load_spec(bad)


def test_sweep_writes_one_file_per_run_a_table_and_skips_finished_runs(spec, tmp_path, monkeypatch):
    out, ckpt = tmp_path / "out", tmp_path / "ckpt"
    summary = run_sweep(load_spec(spec), out, ckpt, log=lambda *_: None)
    runs = sorted(p.name for p in (out / "runs").glob("*.json"))
    assert runs == ["hidden_size-4_batch_size-32.json", "hidden_size-8_batch_size-32.json"]
    rows = list(csv.DictReader(open(out / "table.csv")))
    assert len(rows) == 2 * 2  # points x epochs: every epoch count from one run
    assert {r["epoch"] for r in rows} == {"1", "2"} and {r["model"] for r in rows} == {"lstm/seed0"}
    assert "test_accuracy" in rows[0] and rows[0]["hidden_size"] == "4"
    record = json.loads((out / "runs" / runs[0]).read_text())
    assert record["config"]["hidden_size"] == 4 and record["config"]["epochs"] == 2
    assert summary["done"] == 2 and json.loads((out / "summary.json").read_text())["points"] == 2
    # the best point is chosen on validation accuracy, and carries its test metrics
    assert summary["monitor"] == "val_accuracy"
    best = summary["best"]["lstm/seed0"]
    assert best["val_accuracy"] == max(r["val_accuracy"] for r in summary["table"])
    assert "test_accuracy" in best

    # Run again: nothing is retrained. Delete one result (a run killed before its end): only it
    # runs again, and its checkpoint lets it resume instead of starting over.
    calls = []
    original = sweep_module.run_point
    monkeypatch.setattr(sweep_module, "run_point", lambda *a, **k: calls.append(a[1]) or original(*a, **k))
    run_sweep(load_spec(spec), out, ckpt, log=lambda *_: None)
    assert calls == []
    first = json.loads((out / "runs" / runs[1]).read_text())
    (out / "runs" / runs[1]).unlink()
    run_sweep(load_spec(spec), out, ckpt, log=lambda *_: None)
    assert calls == [{"hidden_size": 8, "batch_size": 32}]
    again = json.loads((out / "runs" / runs[1]).read_text())
    assert again["history"]["lstm/seed0"] == first["history"]["lstm/seed0"]
    # the training time restored from the checkpoint, to the last digit: nothing was retrained
    assert again["runs"]["lstm/seed0"]["wall_time_s"] == first["runs"]["lstm/seed0"]["wall_time_s"]


def test_cli_dry_run_lists_points(spec, tmp_path, capsys):
    assert lstm_course(["sweep", str(spec), "--dry-run", "--out", str(tmp_path / "o")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["todo  hidden_size-4_batch_size-32", "todo  hidden_size-8_batch_size-32"]


def test_shipped_specs_name_real_fields():
    import dataclasses

    from course_lib.runs.registry import get_experiment

    for name in ("imdb_rnn_vs_lstm", "imdb_smoke", "imdb_best_dev"):
        sweep = load_spec(name)
        assert len(sweep.points()) >= 4
        config = get_experiment(sweep.experiment).profiles[sweep.profile]
        fields = {field.name for field in dataclasses.fields(config)}
        assert set(sweep.fixed) | set(sweep.grid) <= fields, name


def test_imdb_best_study_never_loads_the_test_reviews_and_chooses_on_dev():
    sweep = load_spec("imdb_best_dev")
    assert sweep.experiment == "imdb-best"
    assert sweep.fixed["score_test"] is False and "score_test" not in sweep.grid
    assert sweep.monitor == "val_accuracy"


def test_parallel_processes_give_the_same_results(spec, tmp_path):
    serial = run_sweep(load_spec(spec), tmp_path / "a", tmp_path / "ca", log=lambda *_: None)
    parallel = run_sweep(load_spec(spec), tmp_path / "b", tmp_path / "cb", jobs=2,
                         log=lambda *_: None)
    assert parallel["done"] == 2
    for row_a, row_b in zip(serial["table"], parallel["table"]):
        assert row_a["test_loss"] == pytest.approx(row_b["test_loss"], rel=1e-4)
