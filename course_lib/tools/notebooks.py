"""The notebook pairs: ``NAME.py`` (Jupytext py:percent, the source of truth) + ``NAME.ipynb``.

``lstm-course notebooks check``    fails when a pair's cell inputs differ (names file and cell).
``lstm-course notebooks sync``     rewrites each .ipynb from its .py, keeping matching outputs.
``lstm-course notebooks execute``  re-executes lecture notebooks (laptop profile by default) and
                                   stores their outputs, so every number shown is reproducible.
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

from course_lib.env.paths import NOTEBOOK_FOLDERS, REPO_ROOT
from course_lib.env.profiles import PROFILE_ENV, check_profile
from course_lib.env.threads import THREAD_VARIABLES


def paired_sources(folders=NOTEBOOK_FOLDERS, root: Path = REPO_ROOT) -> list[Path]:
    """Every py:percent source file in ``folders`` (each should have a ``.ipynb`` beside it)."""
    return sorted(p for folder in folders for p in (root / folder).glob("*.py"))


def cell_inputs(notebook) -> list[tuple[str, str, tuple]]:
    """(cell type, source, tags) of every cell: what must agree between the two files of a pair."""
    return [
        (cell.cell_type, cell.source.strip(), tuple(cell.metadata.get("tags", ())))
        for cell in notebook.cells
    ]


def _first_line(source: str) -> str:
    line = source.strip().splitlines()[0] if source.strip() else "(empty)"
    return line if len(line) <= 60 else line[:57] + "..."


def pair_problem(py_path: Path) -> str | None:
    """None when ``py_path`` and its .ipynb have the same cells, else a one-line explanation."""
    ipynb_path = py_path.with_suffix(".ipynb")
    fix = f"run `lstm-course notebooks sync {py_path.stem}`"
    if not ipynb_path.exists():
        return f"{ipynb_path.relative_to(REPO_ROOT)} is missing: {fix}"
    from_py = cell_inputs(jupytext.read(py_path))
    from_ipynb = cell_inputs(nbformat.read(ipynb_path, as_version=4))
    for index, (a, b) in enumerate(zip(from_py, from_ipynb)):
        if a != b:
            return (
                f"{ipynb_path.relative_to(REPO_ROOT)} differs from its .py at cell {index + 1} "
                f"(.py: {_first_line(a[1])!r}; .ipynb: {_first_line(b[1])!r}): {fix}"
            )
    if len(from_py) != len(from_ipynb):
        return (
            f"{ipynb_path.relative_to(REPO_ROOT)} has {len(from_ipynb)} cells, its .py "
            f"{len(from_py)}: {fix}"
        )
    return None


def normalise(notebook) -> None:
    """Give cells stable ids (cell-1, cell-2, ...) so that regenerating does not churn diffs."""
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    for index, cell in enumerate(notebook.cells, start=1):
        cell["id"] = f"cell-{index}"
    notebook.metadata.pop("widgets", None)
    keep_final_progress(notebook)


def write_ipynb(notebook, path: Path) -> None:
    normalise(notebook)
    nbformat.write(notebook, path)


def _cells_and_grading(notebook) -> list:
    return [(*inputs, cell.metadata.get("nbgrader"))
            for inputs, cell in zip(cell_inputs(notebook), notebook.cells)]


def sync(py_path: Path) -> None:
    """Rewrite ``py_path``'s .ipynb from it; outputs of unchanged code cells are kept. A pair
    already in agreement (cells, tags and nbgrader metadata) is left as it is: exercises/ holds
    nbgrader's own release, whose file layout a rewrite would change."""
    notebook = jupytext.read(py_path)
    ipynb_path = py_path.with_suffix(".ipynb")
    if ipynb_path.exists():
        old = nbformat.read(ipynb_path, as_version=4)
        if _cells_and_grading(old) == _cells_and_grading(notebook):
            return
        old_outputs = {
            cell.source.strip(): cell for cell in old.cells if cell.cell_type == "code"
        }
        for cell in notebook.cells:
            previous = old_outputs.get(cell.source.strip())
            if cell.cell_type == "code" and previous is not None:
                cell.outputs = previous.get("outputs", [])
                cell.execution_count = previous.get("execution_count")
        # what the last execution's kernel wrote (its language_info) stays until the next one
        notebook.metadata = {**old.metadata, **notebook.metadata}
    write_ipynb(notebook, ipynb_path)


# Run first in the kernel of a headless execution: tqdm.auto would draw widget bars, whose stored
# form is their first state ("0%") because no browser ever updates it. Text bars write their
# final state into the cell's output instead. (In JupyterLab students still get widget bars.)
PROGRESS_BAR = re.compile(r"\d+%\|")  # tqdm's "100%|####|"
TEXT_PROGRESS_BARS = "import tqdm.auto, tqdm.std\ntqdm.auto.tqdm = tqdm.std.tqdm"
CURSOR_UP = re.compile(r"\x1b\[(\d*)A")  # ESC[nA: the terminal cursor moves up n lines


def final_text(text: str) -> str:
    """What a terminal shows for ``text``. A carriage return, or a newline into a line already
    written, restarts that line (what is written next replaces it); ESC[nA moves up n lines,
    as tqdm does to redraw a nested bar below its parent. So every bar keeps its last state."""
    rows, row, restart = [""], 0, False
    for piece in re.split(r"(\x1b\[\d*A|\r|\n)", text):
        if piece == "\n":
            row, restart = row + 1, True
            if row == len(rows):
                rows.append("")
        elif piece == "\r":
            restart = True
        elif CURSOR_UP.fullmatch(piece):
            row, restart = max(0, row - int(CURSOR_UP.fullmatch(piece).group(1) or 1)), False
        elif piece:
            rows[row] = piece if restart else rows[row] + piece
            restart = False
    if rows[-1].isspace():  # a bar closed with leave=False: its line cleared to blanks
        rows[-1] = ""
    return "\n".join(rows)


def keep_final_progress(notebook) -> None:
    """Join each cell's consecutive outputs to the same stream (as a notebook frontend shows
    them), then keep only the final state of their carriage-return updates."""
    for cell in notebook.cells:
        merged = []
        for output in cell.get("outputs", []):
            if (output.get("output_type") == "stream" and merged
                    and merged[-1].get("output_type") == "stream"
                    and merged[-1].get("name") == output.get("name")):
                merged[-1]["text"] = "".join(merged[-1]["text"]) + "".join(output["text"])
            else:
                merged.append(output)
        for output in merged:
            if output.get("output_type") == "stream":
                output["text"] = final_text("".join(output["text"]))
        if "outputs" in cell:
            cell["outputs"] = merged


def execute(py_path: Path, profile: str = "laptop", timeout: int = 3600, threads: int = 1,
            cell_times: list | None = None) -> float:
    """Execute ``py_path`` in a fresh kernel under ``profile``; store outputs in its .ipynb.

    The kernel's BLAS and torch use ``threads`` threads: float32 sums in another order with
    another thread count, so a training cell's figures are reproducible only at the same
    setting (one thread is the course's, for every committed output). Progress bars are drawn
    as text and stored at their final state. Returns the wall time in seconds; a list passed
    as ``cell_times`` receives one ``CellTime`` per code cell.
    """
    from nbclient import NotebookClient

    notebook = jupytext.read(py_path)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(TEXT_PROGRESS_BARS))
    saved = {name: os.environ.get(name) for name in (PROFILE_ENV, *THREAD_VARIABLES)}
    os.environ[PROFILE_ENV] = check_profile(profile)
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    start = time.perf_counter()
    try:
        client = NotebookClient(
            notebook, timeout=timeout, kernel_name="python3", record_timing=True,
            resources={"metadata": {"path": str(py_path.parent)}},
        )
        client.execute()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    notebook.cells.pop(0)
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.get("execution_count"):
            cell.execution_count -= 1
    if cell_times is not None:
        cell_times += measured_cell_times(notebook)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timestamps: they would churn every diff
    write_ipynb(notebook, py_path.with_suffix(".ipynb"))
    return time.perf_counter() - start


@dataclass(frozen=True)
class CellTime:
    number: int  # the code cell's position, from 1
    first_line: str
    seconds: float
    progress_bar: bool  # its output holds a tqdm bar (a live one in JupyterLab)


def measured_cell_times(notebook) -> list[CellTime]:
    """Each executed code cell's time, from nbclient's ``metadata.execution`` timestamps."""
    from datetime import datetime

    times = []
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code_cells, start=1):
        stamps = cell.metadata.get("execution", {})
        if "iopub.execute_input" not in stamps or "shell.execute_reply" not in stamps:
            continue
        start, end = (datetime.fromisoformat(stamps[k].replace("Z", "+00:00"))
                      for k in ("iopub.execute_input", "shell.execute_reply"))
        text = "".join(o.get("text", "") for o in cell.get("outputs", [])
                       if o.get("output_type") == "stream")
        first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
        times.append(CellTime(number, first_line[:80], (end - start).total_seconds(),
                              PROGRESS_BAR.search(text) is not None))
    return times


def select_sources(names: list[str], folders) -> list[Path]:
    sources = paired_sources(folders)
    if not names:
        return sources
    chosen = []
    for name in names:
        matches = [p for p in sources if p.stem == name or p.stem.startswith(name)]
        if not matches:
            known = ", ".join(p.stem for p in sources)
            raise SystemExit(f"no notebook matches {name!r}; known: {known}")
        chosen += matches
    return chosen


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("check", help="fail when a .py/.ipynb pair differs")
    sync_parser = sub.add_parser("sync", help="rewrite .ipynb files from their .py sources")
    sync_parser.add_argument("names", nargs="*", help="notebook names or prefixes (default: all)")
    run = sub.add_parser("execute", help="execute lecture notebooks and store their outputs")
    run.add_argument("names", nargs="*", help="notebook or solution names or prefixes (default: every lecture notebook)")
    run.add_argument("--profile", default="laptop", help="run profile (default: laptop)")
    run.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    run.add_argument("--threads", type=int, default=1,
                     help="BLAS/torch threads in the kernel (default 1: reproducible outputs)")


def main(args) -> int:
    if args.action == "check":
        problems = [p for p in map(pair_problem, paired_sources()) if p]
        for problem in problems:
            print(problem, file=sys.stderr)
        if not problems:
            print(f"all {len(paired_sources())} notebook pairs are in sync")
        return 1 if problems else 0
    if args.action == "sync":
        for path in select_sources(args.names, NOTEBOOK_FOLDERS):
            sync(path)
            print(f"synced {path.relative_to(REPO_ROOT)}")
        return 0
    folders = ("notebooks", "solutions") if args.names else ("notebooks",)
    for path in select_sources(args.names, folders):
        print(f"executing {path.relative_to(REPO_ROOT)} ({args.profile} profile) ...", flush=True)
        seconds = execute(path, profile=args.profile, timeout=args.timeout, threads=args.threads)
        print(f"  done in {seconds:.0f} s")
    return 0
