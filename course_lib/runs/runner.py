"""Run one registered experiment and write ``results/<stem>.json`` and its plots.

The stem is the experiment's name, with ``-<profile>`` added unless the profile is ``laptop``
(the profile whose results the course commits) and ``-seed<N>`` added when a seed other than the
configuration's is asked for, so a smoke run never overwrites a laptop result.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import torch

from course_lib.env.paths import CHECKPOINTS_DIR, RESULTS_DIR
from course_lib.env.profiles import active_profile, check_profile
from course_lib.plots.history import write_history_plots
from course_lib.runs.provenance import (
    command_line,
    device_info,
    git_commit,
    library_versions,
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


def results_stem(name, profile, seed=None, default_seed=None) -> str:
    stem = name if profile == "laptop" else f"{name}-{profile}"
    return stem if seed is None or seed == default_seed else f"{stem}-seed{seed}"


def run_experiment(name, *, profile=None, device=None, seed=None, resume=False, overrides=None,
                   progress=True, results_dir=RESULTS_DIR, checkpoint_root=CHECKPOINTS_DIR,
                   plots=True) -> dict:
    """Run experiment ``name`` in ``profile`` (default: ``LSTM_COURSE_PROFILE`` or laptop).

    ``overrides``: {field: string} changes to the profile's configuration. ``plots=False``
    skips the PNGs (a sweep's many runs). Returns the results
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
    ctx = RunContext(name, profile, get_device(device), config.seed, resume, progress,
                     Path(checkpoint_root) / stem)
    started, start = datetime.now(timezone.utc), time.perf_counter()
    torch.manual_seed(config.seed)
    extra = experiment.run(config, ctx) or {}
    wall_time = time.perf_counter() - start

    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    reference_lines = extra.pop("reference_lines", None)
    axis_labels = extra.pop("axis_labels", None)
    histories = {run: s.pop("history") for run, s in ctx.summaries.items()}
    record = {
        "experiment": name, "description": experiment.description, "profile": profile,
        "config": dataclasses.asdict(config), "overrides": dict(overrides or {}),
        "seed": config.seed, "device": device_info(ctx.device), "versions": library_versions(),
        "git_commit": git_commit(), "command": command_line(),
        "started": started.isoformat(timespec="seconds"), "wall_time_s": wall_time,
        "resumed": resume,
        "history": histories,
        "final_metrics": {run: s["final"] for run, s in ctx.summaries.items()},
        "runs": ctx.summaries,
        "extra": extra,
    }
    plots = write_history_plots(histories, results_dir / stem, f"{name} ({profile})", reference_lines,
                           axis_labels) if plots else []
    record["plots"] = [p.name for p in plots]
    path = results_dir / f"{stem}.json"
    path.write_text(json.dumps(record, indent=1, default=str) + "\n")
    record["path"] = str(path)
    return record
