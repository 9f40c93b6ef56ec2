"""``lstm-course results``: one table of every recorded run in ``results/``.

Each row is one model of one run: its final test metrics, epochs, wall time and the command
that reproduces it. The README's results table is this command's output.
"""

from __future__ import annotations

import json
from pathlib import Path

from course_lib.env.paths import RESULTS_DIR

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


def results_table(runs: list[dict]) -> str:
    """A markdown table: experiment, model, headline test metric, epochs, wall time, command."""
    lines = ["| experiment | model | result | epochs | run wall time | profile, device | command |",
             "|---|---|---|---|---|---|---|"]
    for run in runs:
        device = run.get("device", {})
        where = f"{run['profile']}, {device.get('type', '?')} ({device.get('torch_threads', '?')} thr.)"
        for model, final in run["final_metrics"].items():
            epochs = run.get("runs", {}).get(model, {}).get("epochs_run", "-")
            lines.append(
                f"| {run['experiment']} | {model} | {_metric(final)} | {epochs} | "
                f"{run['wall_time_s'] / 60:.1f} min | {where} | `{run['command']}` |"
            )
    return "\n".join(lines)


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
