"""``lstm-course sweep SPEC``: a resumable grid of runs of one registered experiment.

A spec is a small TOML file: which experiment, settings shared by every run, and lists of values
to try for some of the experiment's configuration fields. Every combination is one run::

    experiment = "adding"          # any name of `lstm-course run --list`
    profile = "smoke"              # optional (default: $LSTM_COURSE_PROFILE, else laptop)
    monitor = "val_accuracy"       # optional: the metric that chooses the best point (see below)
    [fixed]                        # optional: fields set for every run
    epochs = 3
    [grid]                         # fields and the values to try
    hidden_size = [8, 16]
    batch_size = [32, 64]

Why it is cheap and safe:

- the experiments evaluate after *every* epoch, so the number of epochs is never a grid axis:
  one run of E epochs answers for 1..E epochs (the table has one line per epoch);
- each finished run is one file ``<out>/runs/<point>.json`` (the runner's results record),
  written at the very end; a sweep started again skips the points whose file exists, and a
  point that was killed mid-way resumes from its last epoch checkpoint;
- ``--jobs N`` runs N points at once in separate processes (each with cores / N threads);
- at the end ``<out>/table.csv`` holds every (point, model, epoch) with its metrics and
  ``<out>/summary.json`` the spec, the runs' records, the table, and under ``"best"`` each
  model's (point, epoch) chosen by ``monitor`` on the validation split (default
  ``val_accuracy``, else ``val_loss``), with that row's test metrics: test is read, never used
  to choose (:mod:`course_lib.env.selection`);
- into ``results/`` a sweep starts only from a clean tree, like ``lstm-course run``
  (``--allow-dirty`` overrides); its own folder's files do not count, so ``--fresh`` can
  redo a committed sweep (its points replace their records one by one).

The spec's name (its file name without ``.toml``) names ``<out>``: ``results/sweeps/<name>/``.
A bare name such as ``imdb_rnn_vs_lstm`` is looked up in ``course_lib/runs/sweeps/``.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import shutil
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from course_lib.env.paths import CHECKPOINTS_DIR, RESULTS_DIR
from course_lib.env.selection import best_index, check_selectable

SPECS_DIR = Path(__file__).parent / "sweeps"


@dataclass
class SweepSpec:
    name: str
    experiment: str
    grid: dict  # field -> list of values
    fixed: dict = field(default_factory=dict)  # field -> value, for every run
    profile: str | None = None
    monitor: str | None = None  # chooses the best point; None: val_accuracy, else val_loss

    def points(self) -> list[dict]:
        """Every combination of the grid's values, in the order the grid lists them."""
        keys = list(self.grid)
        return [dict(zip(keys, values)) for values in itertools.product(*self.grid.values())]


def load_spec(spec) -> SweepSpec:
    """Read a spec file (a path, or a name in ``course_lib/runs/sweeps/``) and check it
    against the experiment's configuration fields."""
    import dataclasses

    from course_lib.runs.registry import get_experiment

    path = Path(spec)
    if not path.exists() and (SPECS_DIR / f"{spec}.toml").exists():
        path = SPECS_DIR / f"{spec}.toml"
    data = tomllib.loads(path.read_text())
    unknown = set(data) - {"experiment", "profile", "fixed", "grid", "name", "monitor"}
    if unknown or "experiment" not in data or not data.get("grid"):
        raise ValueError(f"{path}: a spec needs 'experiment' and a non-empty [grid]"
                         + (f"; unknown keys {sorted(unknown)}" if unknown else ""))
    sweep = SweepSpec(data.get("name", path.stem), data["experiment"], data["grid"],
                      data.get("fixed", {}), data.get("profile"),
                      check_selectable(data["monitor"]) if "monitor" in data else None)
    experiment = get_experiment(sweep.experiment)
    fields = {f.name for f in dataclasses.fields(next(iter(experiment.profiles.values())))}
    for key, values in sweep.grid.items():
        if not isinstance(values, list) or not values:
            raise ValueError(f"{path}: grid.{key} must be a non-empty list of values")
    for key in [*sweep.grid, *sweep.fixed]:
        if key not in fields:
            raise ValueError(f"{path}: {sweep.experiment!r} has no configuration field {key!r}; "
                             f"fields: {sorted(fields)}")
    return sweep


def as_override(value) -> str:
    """A TOML value as the string ``--set`` takes: lists comma-joined, booleans true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(as_override(v) for v in value)
    return str(value)


def point_id(point: dict) -> str:
    """A file-name-safe name of a grid point: ``hidden_size-8_batch_size-32``."""
    def safe(text):
        return "".join(c if c.isalnum() or c in ".-" else "." for c in text)
    return "_".join(f"{key}-{safe(as_override(value))}" for key, value in point.items())


def run_point(sweep: SweepSpec, point: dict, out: Path, checkpoints: Path, device=None,
              threads: int | None = None, allow_dirty: bool = False) -> Path:
    """Run one grid point (resuming its checkpoint if any); returns ``<out>/runs/<point>.json``."""
    from course_lib.env.threads import set_threads
    from course_lib.runs.runner import run_experiment

    if threads:
        set_threads(threads)
    pid = point_id(point)
    overrides = {k: as_override(v) for k, v in {**sweep.fixed, **point}.items()}
    with tempfile.TemporaryDirectory(dir=out) as scratch:
        record = run_experiment(sweep.experiment, profile=sweep.profile, device=device,
                                resume=True, overrides=overrides, progress=False,
                                results_dir=scratch, checkpoint_root=checkpoints / pid,
                                plots=False, allow_dirty=allow_dirty, replacing=out)
        target = out / "runs" / f"{pid}.json"
        os.replace(record["path"], target)  # appears complete or not at all
    return target


def table_rows(sweep: SweepSpec, records: dict) -> list[dict]:
    """One row per (point, model, epoch): the point's values, then the epoch's metrics."""
    rows = []
    for record in records.values():
        point = record["sweep_point"]
        for model, history in record["history"].items():
            for i, epoch in enumerate(history["epoch"]):
                row = {**point, "model": model, "epoch": epoch}
                row.update({k: v[i] for k, v in history.items()
                            if k not in ("epoch", "lr") and i < len(v)})
                rows.append(row)
    return rows


def best_rows(rows: list[dict], monitor: str) -> dict[str, dict]:
    """{model: its row (point, epoch) with the best ``monitor``}, a validation metric (a test
    metric is refused); the first row on ties."""
    best = {}
    for model in dict.fromkeys(row["model"] for row in rows):
        runs = [row for row in rows if row["model"] == model]
        index = best_index([row.get(monitor) for row in runs], monitor)
        if index is not None:
            best[model] = runs[index]
    return best


def sweep_monitor(sweep: SweepSpec, rows: list[dict]) -> str | None:
    """The spec's ``monitor``, else val_accuracy or val_loss, whichever the rows have."""
    if sweep.monitor:
        return sweep.monitor
    return next((m for m in ("val_accuracy", "val_loss") if any(m in row for row in rows)), None)


def run_sweep(sweep: SweepSpec, out=None, checkpoints=None, jobs: int = 1, device=None,
              log=print, allow_dirty: bool = False) -> dict:
    """Run every point of ``sweep`` not yet done; write the table and the summary."""
    from course_lib.env.profiles import active_profile
    from course_lib.runs.provenance import git_commit, own_records, refuse_dirty_record

    out = Path(out) if out else RESULTS_DIR / "sweeps" / sweep.name
    refuse_dirty_record(git_commit(own_folder=own_records(out)), out,
                        sweep.profile or active_profile(), allow_dirty)
    checkpoints = Path(checkpoints) if checkpoints else CHECKPOINTS_DIR / "sweeps" / sweep.name
    (out / "runs").mkdir(parents=True, exist_ok=True)
    points = sweep.points()
    todo = [p for p in points if not (out / "runs" / f"{point_id(p)}.json").exists()]
    log(f"sweep {sweep.name}: {len(points)} points, {len(points) - len(todo)} already done, "
        f"{len(todo)} to run with {jobs} process(es)")
    start = time.perf_counter()
    if jobs <= 1:
        for i, point in enumerate(todo, 1):
            log(f"[{i}/{len(todo)}] {point_id(point)}")
            run_point(sweep, point, out, checkpoints, device, allow_dirty=allow_dirty)
    else:
        threads = max(1, (os.cpu_count() or 1) // jobs)
        with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(run_point, sweep, p, out, checkpoints, device, threads,
                                   allow_dirty): p for p in todo}
            for i, future in enumerate(futures, 1):
                log(f"[{i}/{len(todo)}] {future.result().stem}")
    records = {}
    for point in points:
        path = out / "runs" / f"{point_id(point)}.json"
        if path.exists():
            records[point_id(point)] = json.loads(path.read_text()) | {"sweep_point": point}
    rows = table_rows(sweep, records)
    write_csv(rows, out / "table.csv")
    monitor = sweep_monitor(sweep, rows)
    summary = {"spec": vars(sweep), "points": len(points), "done": len(records),
               "wall_time_s_this_call": time.perf_counter() - start,
               "runs": {pid: {k: r.get(k) for k in ("sweep_point", "config", "wall_time_s",
                                                    "device", "final_metrics", "git_commit",
                                                    "threads", "started")}
                        | {"code_sha256": r.get("code", {}).get("sha256")}
                        for pid, r in records.items()},
               "monitor": monitor, "best": best_rows(rows, monitor) if monitor else {},
               "table": rows}
    (out / "summary.json").write_text(json.dumps(summary, indent=1, default=str) + "\n")
    return summary


def write_csv(rows: list[dict], path: Path) -> None:
    keys = list(dict.fromkeys(k for row in rows for k in row))
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, keys)
        writer.writeheader()
        writer.writerows(rows)


def add_arguments(parser):
    parser.add_argument("spec", help="a sweep spec (.toml path, or a name in "
                                     "course_lib/runs/sweeps/)")
    parser.add_argument("--profile", help="override the spec's profile")
    parser.add_argument("--jobs", type=int, default=1, help="points run at once (processes)")
    parser.add_argument("--device", help="auto | cpu | cuda | cuda:N | mps")
    parser.add_argument("--out", help="output folder (default: results/sweeps/<name>/)")
    parser.add_argument("--checkpoint-dir", help="default: checkpoints/sweeps/<name>/")
    parser.add_argument("--dry-run", action="store_true", help="list the points, run nothing")
    parser.add_argument("--fresh", action="store_true",
                        help="delete earlier results and checkpoints of this sweep first")
    parser.add_argument("--allow-dirty", action="store_true",
                        help="record into results/ even with uncommitted changes (marked dirty)")


def main(args) -> int:
    from course_lib.env.profiles import active_profile
    from course_lib.runs.provenance import (
        DirtyTreeError,
        git_commit,
        own_records,
        refuse_dirty_record,
    )

    sweep = load_spec(args.spec)
    if args.profile:
        sweep.profile = args.profile
    out = Path(args.out) if args.out else RESULTS_DIR / "sweeps" / sweep.name
    checkpoints = Path(args.checkpoint_dir) if args.checkpoint_dir else (
        CHECKPOINTS_DIR / "sweeps" / sweep.name)
    if args.dry_run:
        for point in sweep.points():
            done = (out / "runs" / f"{point_id(point)}.json").exists()
            print(f"{'done' if done else 'todo'}  {point_id(point)}")
        return 0
    try:
        refuse_dirty_record(git_commit(own_folder=own_records(out)), out,
                            sweep.profile or active_profile(), args.allow_dirty)
    except DirtyTreeError as error:  # before --fresh deletes anything
        print(error, file=sys.stderr)
        return 2
    if args.fresh:  # the table and summary are rewritten at the end
        shutil.rmtree(out / "runs", ignore_errors=True)
        shutil.rmtree(checkpoints, ignore_errors=True)
    summary = run_sweep(sweep, out, checkpoints, args.jobs, args.device,
                        allow_dirty=args.allow_dirty)
    print(f"{summary['done']}/{summary['points']} points done; table in {out / 'table.csv'}")
    for model, row in summary["best"].items():
        where = ", ".join(f"{key} {row[key]}" for key in [*sweep.grid, "epoch"])
        scores = "  ".join(f"{key} {value:.4g}" for key, value in row.items()
                           if key.startswith(("val_", "test_")) and isinstance(value, float))
        print(f"  {model}, chosen on {summary['monitor']}: {where}: {scores}")
    return 0
