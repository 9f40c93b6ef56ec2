"""The student's wait: every lecture notebook executed in the laptop profile, one after another.

    LSTM_COURSE_DATA=../shared/data .venv/bin/python benchmarks/notebook_times.py [NAME ...]

Each notebook runs in a fresh kernel with one BLAS/torch thread (the course's setting for
committed outputs), exactly as ``lstm-course notebooks execute`` runs it, so its outputs are
stored in its .ipynb as well. Written to results/notebook-times.md: each notebook's wall time,
its slowest cells and whether each showed a progress bar, with the machine, the commit and the
load average before and after. Issue 18's goals on a quiet 2-core machine: every lecture
<= 2 minutes, and no cell over 20 s without a live progress bar. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import datetime, timezone

from course_lib.env.paths import REPO_ROOT
from course_lib.runs.provenance import git_commit
from course_lib.tools import notebooks

LECTURE_GOAL_S = 120.0
SILENT_CELL_GOAL_S = 20.0
SLOWEST_SHOWN = 3
OUTPUT = REPO_ROOT / "results" / "notebook-times.md"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def report(rows, started: str, load_before: str, load_after: str, commit: dict,
           profile: str = "laptop") -> str:
    lines = [
        f"# Notebook times ({profile} profile, one thread)",
        "",
        "Written by `benchmarks/notebook_times.py`. Goals (issue 18): every lecture <= "
        f"{LECTURE_GOAL_S:.0f} s on a quiet 2-core machine; no cell over {SILENT_CELL_GOAL_S:.0f} s "
        "without a live progress bar.",
        "",
        f"- started: {started} UTC",
        f"- commit: {commit.get('commit')} (dirty: {commit.get('dirty')})",
        f"- machine: {platform.node()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        f"- load average before: {load_before}; after: {load_after}",
        "",
        "| notebook | wall (s) | <= 2 min | slowest cells (s; bar = progress bar shown) |",
        "|---|---:|:---:|---|",
    ]
    for name, wall, cells in rows:
        slowest = sorted(cells, key=lambda c: -c.seconds)[:SLOWEST_SHOWN]
        shown = "; ".join(f"cell {c.number} `{c.first_line.replace('|', '/')}` "
                          f"{c.seconds:.1f}{' bar' if c.progress_bar else ''}" for c in slowest)
        lines.append(f"| {name} | {wall:.0f} | {'yes' if wall <= LECTURE_GOAL_S else 'NO'} "
                     f"| {shown} |")
    silent = [(name, c) for name, _, cells in rows for c in cells
              if c.seconds > SILENT_CELL_GOAL_S and not c.progress_bar]
    lines += ["", "Cells over 20 s without a progress bar: "
              + (", ".join(f"{name} cell {c.number} ({c.seconds:.0f} s)" for name, c in silent)
                 or "none") + "."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook names or prefixes (default: all lectures)")
    parser.add_argument("--profile", default="laptop",
                        help="run profile (default: laptop; the record is written for laptop only)")
    args = parser.parse_args()
    paths = notebooks.select_sources(args.names, [REPO_ROOT / "notebooks"])
    commit = git_commit()
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    load_before = load()
    rows = []
    for path in paths:
        cells: list = []
        start = time.perf_counter()
        notebooks.execute(path, profile=args.profile, timeout=1200, threads=1, cell_times=cells)
        wall = time.perf_counter() - start
        print(f"{path.stem}: {wall:.0f} s", flush=True)
        rows.append((path.stem, wall, cells))
    text = report(rows, started, load_before, load(), commit, args.profile)
    if args.names or args.profile != "laptop":
        print(text)
        print(f"(not written to {OUTPUT.name}: only a laptop run of every lecture is)")
    else:
        OUTPUT.write_text(text)
        print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
