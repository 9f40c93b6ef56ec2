"""What a lecture notebook needs from an experiment: its results, without retraining.

In the laptop and full profiles a notebook reads the committed laptop results
(``results/<name>.json``, written by ``lstm-course run <name>``); in the smoke profile (CI) it
runs the experiment's smoke configuration in-process, in seconds, so that every cell still has
something real to draw::

    from course_lib.runs.notebook_support import experiment_results, results_row

    record = experiment_results("mnist-torch")     # the results dict of the runner
    record["history"]["lstm"]["test_accuracy"]     # per-epoch curve of run "lstm"
    results_row(record, "lstm")                    # one row for the notebook's results table
    markdown_table([results_row(record, "lstm")])  # the table (from :mod:`.tables`)
"""

from __future__ import annotations

import json
from pathlib import Path

from course_lib.env.paths import RESULTS_DIR
from course_lib.env.profiles import active_profile, check_profile
from course_lib.runs.tables import markdown_table

__all__ = ["ResultsMissingError", "experiment_results", "format_duration", "load_results",
           "markdown_table", "results_path", "results_row"]


class ResultsMissingError(FileNotFoundError):
    """A notebook asked for laptop results that have not been produced yet."""


def results_path(name: str, results_dir=RESULTS_DIR) -> Path:
    """Where ``lstm-course run <name>`` (laptop profile) writes its results."""
    return Path(results_dir) / f"{name}.json"


def load_results(name: str, results_dir=RESULTS_DIR) -> dict:
    """The committed laptop results of experiment ``name``, or a ResultsMissingError that says
    which command produces them."""
    path = results_path(name, results_dir)
    if not path.exists():
        raise ResultsMissingError(
            f"{path} does not exist: run `lstm-course run {name}` (laptop profile) first, "
            "or set LSTM_COURSE_PROFILE=smoke to run the tiny configuration in the notebook")
    return json.loads(path.read_text())


def experiment_results(name: str, profile: str | None = None, results_dir=RESULTS_DIR,
                       overrides=None) -> dict:
    """Results of experiment ``name`` for a notebook in ``profile`` (default: the active one).

    smoke: runs the smoke configuration now (writes ``results/<name>-smoke.json``, git-ignored);
    laptop and full: loads the committed laptop results (the notebooks never retrain them).
    """
    profile = check_profile(profile) if profile else active_profile()
    if profile != "smoke":
        return load_results(name, results_dir)
    from course_lib.runs.runner import run_experiment

    return run_experiment(name, profile="smoke", progress=False, results_dir=results_dir,
                          overrides=overrides)


def format_duration(seconds: float) -> str:
    """``75.3`` -> ``"1 min 15 s"``; short durations in seconds."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s"


def describe_machine(device: dict) -> str:
    """A record's ``device`` in words, e.g. "cpu (AMD EPYC, 1 thread)"."""
    threads = device.get("torch_threads", "?")
    return f"{device['type']} ({device['name']}, {threads} thread{'' if threads == 1 else 's'})"


def results_row(record: dict, run: str, metric: str = "test_accuracy") -> dict:
    """One row of a results table: the run's final ``metric``, where and how long it ran.

    Returns a dict with keys experiment, run, profile, machine, epochs, wall time, ``metric``
    and command, ready for a pandas-free table (see :func:`markdown_table`).
    """
    summary = record["runs"][run]
    return {"experiment": record["experiment"], "run": run, "profile": record["profile"],
            "machine": describe_machine(record["device"]), "epochs": summary.get("epochs_run"),
            "wall time": format_duration(summary.get("wall_time_s", record["wall_time_s"])),
            metric: record["final_metrics"][run].get(metric),
            "command": f"lstm-course run {record['experiment']}"
                       + ("" if record["profile"] == "laptop" else f" --profile {record['profile']}")}
