"""``lstm-course results``: one table of every recorded run in ``results/``.

Each row is one model of one run: its final test metrics, epochs, wall time, whether the code
it ran has changed since ("stale": today's source files differ from the sha256 the record
keeps; "unknown" for a record without them) and the command that reproduces it. The README's
results table is this command's output.
"""

from __future__ import annotations

import json
from pathlib import Path

from course_lib.env.paths import RESULTS_DIR
from course_lib.runs.code_hash import changed_files
from course_lib.runs.tables import markdown_table

# The metrics shown, in this order, when a run recorded them; (key, column, format).
HEADLINE_METRICS = (
    ("test_accuracy", "test acc.", "{:.2%}"),
    ("test_perplexity", "test ppl", "{:.1f}"),
    ("test_bpc", "test bpc", "{:.3f}"),
    ("test_loss", "test loss", "{:.4f}"),
)


def load_runs(results_dir: Path = RESULTS_DIR, include_smoke: bool = False) -> list[dict]:
    """Every ``results/*.json`` written by ``lstm-course run`` (smoke runs left out by default)."""
    runs = []
    for path in sorted(Path(results_dir).glob("*.json")):
        record = json.loads(path.read_text())
        if "final_metrics" not in record:  # e.g. benchmark or sweep files
            continue
        if record.get("profile") == "smoke" and not include_smoke:
            continue
        runs.append(record)
    return runs


def _metric(final: dict) -> str:
    for key, column, fmt in HEADLINE_METRICS:
        if final.get(key) is not None:
            return f"{column} {fmt.format(final[key])}"
    return "-"


def staleness(record: dict) -> str:
    """"no" when today's files are the ones the record ran, "yes (N files)" when N differ,
    "unknown" when the record keeps no code hash."""
    files = record.get("code", {}).get("files")
    if not files:
        return "unknown"
    changed = changed_files(files)
    return f"yes ({len(changed)} file{'s' if len(changed) > 1 else ''})" if changed else "no"


def results_table(runs: list[dict]) -> str:
    """A markdown table: experiment, model, headline test metric, epochs, wall time, where it
    ran, whether it is stale, command."""
    rows = []
    for run in runs:
        device = run.get("device", {})
        threads = device.get("torch_threads", "?")
        where = f"{run['profile']}, {device.get('type', '?')} ({threads} thr.)"
        stale = staleness(run)
        for model, final in run["final_metrics"].items():
            rows.append({"experiment": run["experiment"], "model": model, "result": _metric(final),
                         "epochs": run.get("runs", {}).get(model, {}).get("epochs_run", "-"),
                         "run wall time": f"{run['wall_time_s'] / 60:.1f} min",
                         "profile, device": where, "stale": stale,
                         "command": f"`{run['command']}`"})
    return markdown_table(rows)


def add_arguments(parser) -> None:
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument("--include-smoke", action="store_true", help="list smoke runs too")


def main(args) -> int:
    runs = load_runs(args.results_dir, args.include_smoke)
    if not runs:
        print(f"no results in {args.results_dir}: run `lstm-course run NAME` first")
        return 1
    print(results_table(runs))
    return 0
