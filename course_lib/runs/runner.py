"""Run one registered experiment and write ``results/<stem>.json`` and its plots.

The stem is the experiment's name, with ``-<profile>`` added unless the profile is ``laptop``
(the profile whose results the course commits) and ``-seed<N>`` added when a seed other than the
configuration's is asked for, so a smoke run never overwrites a laptop result.

What the record pins, all taken when the run starts: the commit and the tree's state (a record
for the committed ``results/`` is refused from a dirty tree unless ``allow_dirty``), the thread
settings, and the sha256 of every source file the experiment runs (:mod:`.code_hash`). At the end:
the data files it read with their pinned digests, and the wall time summed over every part of a
resumed run (:mod:`.parts`).
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from course_lib.env.paths import CHECKPOINTS_DIR, RESULTS_DIR
from course_lib.env.profiles import active_profile, check_profile
from course_lib.env.threads import thread_settings
from course_lib.plots.history import write_history_plots
from course_lib.runs.code_hash import changed_files, code_record
from course_lib.runs.parts import begin_part, end_part, total_wall_time
from course_lib.runs.provenance import (
    command_line,
    data_digests,
    device_info,
    git_commit,
    library_versions,
    own_records,
    refuse_dirty_record,
)
from course_lib.runs.registry import apply_overrides, get_experiment


@dataclass
class RunContext:
    """What an experiment's ``run(config, ctx)`` gets besides its configuration.

    Call :meth:`fit` once per model it trains; each gets its own checkpoint folder and its
    history lands in the results file under ``name``.
    """

    experiment: str
    profile: str
    device: torch.device
    seed: int
    resume: bool = False
    progress: bool = True
    checkpoint_dir: Path = CHECKPOINTS_DIR
    summaries: dict = field(default_factory=dict)

    def fit(self, name, model, task, train_config, **trainer_options):
        """Train ``model`` on ``task`` with the course's Trainer; returns the Trainer.

        ``trainer_options`` go to the Trainer (e.g. ``param_groups``)."""
        from course_lib.training import Trainer

        trainer = Trainer(model, task, train_config, device=self.device,
                          checkpoint_dir=self.checkpoint_dir / name, progress=self.progress,
                          name=f"{self.experiment}/{name}", **trainer_options)
        summary = trainer.fit(resume=self.resume)
        summary["train_config"] = dataclasses.asdict(train_config)
        self.summaries[name] = summary
        return trainer

    def fit_numpy(self, name, model, optimizer, *data, train_config=None, loop=None, **options):
        """Train a NumPy model with ``loop(model, optimizer, *data, **options)``; returns its summary.

        ``loop`` is :func:`course_lib.numpy_core.train.fit` (default; ``data`` is its
        ``train_batches``) or :func:`course_lib.numpy_core.lm_train.fit_language_model` (``data``:
        the train, val and test id streams). The loop checkpoints to
        ``checkpoints/<stem>/<name>/last.npz`` after every epoch and resumes with ``--resume``;
        ``train_config`` (a JSON-able dict of the settings) is stored with the summary, which is
        recorded under ``name`` like :meth:`fit`'s.
        """
        if loop is None:
            from course_lib.numpy_core.train import fit as loop
        summary = loop(model, optimizer, *data, checkpoint=self.checkpoint_dir / name / "last.npz",
                       resume=self.resume, progress=self.progress,
                       name=f"{self.experiment}/{name}", **options)
        if train_config is not None:
            summary["train_config"] = train_config
        self.summaries[name] = summary
        return summary


def results_stem(name, profile, seed=None, default_seed=None) -> str:
    stem = name if profile == "laptop" else f"{name}-{profile}"
    return stem if seed is None or seed == default_seed else f"{stem}-seed{seed}"


def run_experiment(name, *, profile=None, device=None, seed=None, resume=False, overrides=None,
                   progress=True, results_dir=RESULTS_DIR, checkpoint_root=CHECKPOINTS_DIR,
                   plots=True, allow_dirty=False, replacing=None) -> dict:
    """Run experiment ``name`` in ``profile`` (default: ``LSTM_COURSE_PROFILE`` or laptop).

    ``overrides``: {field: string} changes to the profile's configuration. ``plots=False``
    skips the PNGs (a sweep's many runs). ``allow_dirty``: record into ``results/`` even from a
    tree with uncommitted changes (the record says so). ``replacing``: a folder under
    ``results/`` whose committed records this run redoes (a sweep's own folder); changes there
    do not make the tree dirty (default: ``results_dir`` itself, when it is such a folder).
    Returns the results
    record that was written to ``results_dir/<stem>.json`` (its path under ``"path"``).
    """
    from course_lib.env.device import get_device

    experiment = get_experiment(name)
    profile = check_profile(profile) if profile else active_profile()
    config = experiment.profiles[profile]
    default_seed = config.seed
    config = apply_overrides(config, overrides or {})
    if seed is not None:
        config = dataclasses.replace(config, seed=seed)
    stem = results_stem(name, profile, seed, default_seed)
    commit = git_commit(own_folder=own_records(replacing or results_dir))  # before anything runs: the code of this moment is the code that runs
    refuse_dirty_record(commit, results_dir, profile, allow_dirty)
    code = code_record([experiment.run.__module__, __name__])
    ctx = RunContext(name, profile, get_device(device), config.seed, resume, progress,
                     Path(checkpoint_root) / stem)
    threads = thread_settings()
    parts = begin_part(ctx.checkpoint_dir, resume, commit=commit["commit"], dirty=commit["dirty"],
                       code_sha256=code["sha256"])
    start = time.perf_counter()
    torch.manual_seed(config.seed)
    try:
        extra = experiment.run(config, ctx) or {}
    except BaseException as error:  # Ctrl-C or a failure: this part's time still counts
        end_part(ctx.checkpoint_dir, parts, time.perf_counter() - start, type(error).__name__)
        raise
    end_part(ctx.checkpoint_dir, parts, time.perf_counter() - start)
    code["changed_during_run"] = changed_files(code["files"])
    code["same_in_every_part"] = len({part.get("code_sha256") for part in parts}) == 1

    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    reference_lines = extra.pop("reference_lines", None)
    axis_labels = extra.pop("axis_labels", None)
    histories = {run: s.pop("history") for run, s in ctx.summaries.items()}
    record = {
        "experiment": name, "description": experiment.description, "profile": profile,
        "config": dataclasses.asdict(config), "overrides": dict(overrides or {}),
        "seed": config.seed, "device": device_info(ctx.device), "versions": library_versions(),
        "git_commit": commit, "threads": threads, "data": data_digests(), "code": code,
        "command": command_line(),
        "started": parts[0]["started"], "wall_time_s": total_wall_time(parts),
        "wall_time_complete": all(part["wall_time_s"] is not None for part in parts),
        "parts": parts, "resumed": resume,
        "history": histories,
        "final_metrics": {run: s["final"] for run, s in ctx.summaries.items()},
        "runs": ctx.summaries,
        "extra": extra,
    }
    plots = write_history_plots(histories, results_dir / stem, f"{name} ({profile})",
                                reference_lines, axis_labels) if plots else []
    record["plots"] = [p.name for p in plots]
    path = results_dir / f"{stem}.json"
    path.write_text(json.dumps(record, indent=1, default=str) + "\n")
    record["path"] = str(path)
    return record
