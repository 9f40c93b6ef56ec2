"""`lstm-course run`: the registry, the results file, and the adding problem end to end."""

import json
import time
from dataclasses import dataclass

import pytest

from course_lib.experiments import get_experiment, register
from course_lib.runs.registry import apply_overrides
from course_lib.runs.runner import results_stem
from course_lib.tools.cli import main as lstm_course

FIELDS = ("config", "profile", "device", "versions", "git_commit", "wall_time_s", "history",
          "final_metrics", "seed", "command", "experiment", "started")


def run(tmp_path, *extra):
    return lstm_course(["run", "adding", "--profile", "smoke", "--no-progress", "--results-dir",
                        str(tmp_path / "results"), "--checkpoint-dir", str(tmp_path / "ckpt"), *extra])


def test_list_shows_the_adding_problem(capsys):
    assert lstm_course(["run", "--list"]) == 0
    assert "adding" in capsys.readouterr().out


def test_smoke_run_writes_results_with_every_field_in_seconds(tmp_path):
    start = time.perf_counter()
    assert run(tmp_path) == 0
    assert time.perf_counter() - start < 60  # ~2 s on an idle 2-core machine
    record = json.loads((tmp_path / "results" / "adding-smoke.json").read_text())
    for field in FIELDS:
        assert field in record, field
    assert record["profile"] == "smoke" and record["device"]["type"] == "cpu"
    assert set(record["history"]) == {f"{m}/seed{s}" for m in ("lstm", "rnn", "rnn-wide")
                                      for s in (0, 1)}
    summary = record["extra"]["at_best_val_epoch"]
    assert summary["rnn-wide"]["hidden_size"] == 2 * summary["rnn"]["hidden_size"]
    assert set(summary["lstm"]["seeds"]) == {"seed0", "seed1"}
    history = record["history"]["lstm/seed0"]
    assert len(history["val_loss"]) == record["config"]["epochs"] == len(history["test_accuracy"])
    assert {"val_loss", "test_loss", "test_accuracy"} <= set(record["final_metrics"]["rnn/seed1"])
    assert record["versions"]["torch"] and "commit" in record["git_commit"]
    for name in record["plots"]:
        assert (tmp_path / "results" / name).stat().st_size > 1000
    assert {"adding-smoke-loss.png", "adding-smoke-accuracy.png"} <= set(record["plots"])
    assert (tmp_path / "ckpt" / "adding-smoke" / "lstm" / "seed0" / "last.pt").exists()


def test_resume_of_a_finished_run_reproduces_it_and_seed_changes_the_stem(tmp_path):
    run(tmp_path)
    first = json.loads((tmp_path / "results" / "adding-smoke.json").read_text())
    run(tmp_path, "--resume")
    again = json.loads((tmp_path / "results" / "adding-smoke.json").read_text())
    assert again["history"] == first["history"] and again["resumed"]
    run(tmp_path, "--seed", "5", "--set", "epochs=1", "--set", "models=lstm")
    other = json.loads((tmp_path / "results" / "adding-smoke-seed5.json").read_text())
    assert other["seed"] == 5 and list(other["history"]) == ["lstm/seed5", "lstm/seed6"]
    assert other["overrides"] == {"epochs": "1", "models": "lstm"}


def test_overrides_are_parsed_to_the_field_types():
    config = get_experiment("adding").profiles["smoke"]
    changed = apply_overrides(config, {"epochs": "3", "lr": "0.5", "models": "gru,lstm"})
    assert (changed.epochs, changed.lr, changed.models) == (3, 0.5, ("gru", "lstm"))
    with pytest.raises(ValueError, match="no field 'epoch'"):
        apply_overrides(config, {"epoch": "3"})


def test_register_needs_all_three_profiles():
    @dataclass
    class C:
        seed: int = 0

    with pytest.raises(ValueError, match="full"):
        register("broken", "x", {"smoke": C(), "laptop": C()})


def test_results_stem():
    assert results_stem("adding", "laptop") == "adding"
    assert results_stem("adding", "smoke", 3, 0) == "adding-smoke-seed3"
    assert results_stem("adding", "full", 0, 0) == "adding-full"
