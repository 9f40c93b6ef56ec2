"""Generate ``exercises/`` from ``solutions/`` (never edit exercises by hand).

``solutions/`` are nbgrader source notebooks: every cell carries ``nbgrader`` metadata (kept
by Jupytext's ``cell_metadata_filter = "tags,nbgrader,-all"``), an answer is marked with
nbgrader's markers, and graded cells may hold hidden tests::

    ### BEGIN SOLUTION                 ### BEGIN HIDDEN TESTS
    next_c = f * prev_c + i * g        graded(check_lstm_forward, lstm_forward, seed=11)
    ### END SOLUTION                   ### END HIDDEN TESTS

The exercise does what ``nbgrader generate_assignment`` does to the sources: an answer becomes
``# YOUR CODE HERE`` and ``raise NotImplementedError()`` (indented as the markers were), hidden
tests vanish, outputs are cleared (``tests/test_nbgrader.py`` compares the two). Hints live in
markdown cells (``<details><summary>Hint 1</summary>``), outside the answers.

``lstm-course exercises build`` writes the files; ``lstm-course exercises check`` exits 1 and
names every stale one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext

from course_lib.env.paths import REPO_ROOT
from course_lib.tools.notebooks import normalise

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
BANNER = (
    "# %% [markdown]\n"
    "# > **Exercise notebook.** Generated from `solutions/{name}.py` by "
    "`lstm-course exercises build`: do not edit it by hand.\n"
    "# > Fill in every cell that raises `NotImplementedError`, then run the check below it.\n"
)


class SolutionMarkerError(ValueError):
    """A ``### BEGIN SOLUTION`` without its ``### END SOLUTION`` (or the reverse)."""


def strip_solutions(text: str, filename: str = "<solution>") -> str:
    """Return ``text`` with every solution region replaced by a stub (see module docstring)."""
    output, region_start, indent, hidden = [], None, "", False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped in (BEGIN_HIDDEN, END_HIDDEN):
            hidden = stripped == BEGIN_HIDDEN
        elif hidden:
            continue
        elif stripped == BEGIN:
            if region_start is not None:
                raise SolutionMarkerError(
                    f"{filename}:{region_start}: '{BEGIN}' is not closed before line {number}; "
                    f"add '{END}' at the end of the answer"
                )
            region_start, indent = number, line[: len(line) - len(line.lstrip())]
        elif stripped == END:
            if region_start is None:
                raise SolutionMarkerError(
                    f"{filename}:{number}: '{END}' has no '{BEGIN}' before it; add one or delete it"
                )
            output += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
            region_start = None
        elif region_start is not None:
            if stripped.startswith("# %%"):
                raise SolutionMarkerError(
                    f"{filename}:{region_start}: '{BEGIN}' is not closed before the next cell "
                    f"(line {number}); add '{END}' at the end of the answer"
                )
        else:
            output.append(line)
    if region_start is not None:
        raise SolutionMarkerError(
            f"{filename}:{region_start}: '{BEGIN}' is never closed; add '{END}' after the answer"
        )
    return "\n".join(output) + "\n"


def _insert_banner(text: str, name: str) -> str:
    """Put the "generated, do not edit" cell right after the Jupytext header."""
    lines = text.splitlines(keepends=True)
    header_end = 0
    if lines and lines[0].strip() == "# ---":
        header_end = next(i for i in range(1, len(lines)) if lines[i].strip() == "# ---") + 1
    banner = "\n" + BANNER.format(name=name)
    return "".join(lines[:header_end]) + banner + "".join(lines[header_end:])


def exercise_files(solution: Path) -> dict[str, str]:
    """The exercise's two files (name -> text) generated from one solution .py."""
    text = solution.read_text()
    exercise_py = _insert_banner(strip_solutions(text, str(solution.relative_to(REPO_ROOT))),
                                 solution.stem)
    notebook = jupytext.reads(exercise_py, fmt="py:percent")
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    normalise(notebook)
    return {f"{solution.stem}.py": exercise_py, f"{solution.stem}.ipynb": jupytext.writes(
        notebook, fmt="ipynb")}


def expected_exercises(root: Path = REPO_ROOT) -> dict[Path, str]:
    """Every file exercises/ should contain, with its text."""
    expected = {}
    for solution in sorted((root / "solutions").glob("*.py")):
        for name, text in exercise_files(solution).items():
            expected[root / "exercises" / name] = text
    return expected


def stale_exercises(root: Path = REPO_ROOT) -> list[str]:
    """Exercise files that are missing, differ from what solutions/ generates, or are orphans."""
    expected = expected_exercises(root)
    stale = [
        str(path.relative_to(root)) for path, text in expected.items()
        if not path.exists() or path.read_text() != text
    ]
    on_disk = [p for p in (root / "exercises").glob("*") if p.suffix in (".py", ".ipynb")]
    stale += [str(p.relative_to(root)) + " (no solution)" for p in on_disk if p not in expected]
    return sorted(stale)


def build(root: Path = REPO_ROOT) -> list[Path]:
    """Write exercises/ from solutions/ and delete exercise files without a solution."""
    expected = expected_exercises(root)
    (root / "exercises").mkdir(exist_ok=True)
    for path, text in expected.items():
        path.write_text(text)
    for path in (root / "exercises").glob("*"):
        if path.suffix in (".py", ".ipynb") and path not in expected:
            path.unlink()
    return list(expected)


NBGRADER_CONFIG = """\
# nbgrader course folder for the LSTM course, written by `lstm-course exercises nbgrader`.
# One assignment per practice notebook: source/<name>/<name>.ipynb.
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "lstm-course"
c.CourseDirectory.root = {root!r}
c.Exchange.root = {exchange!r}  # the folder students fetch from and submit to
c.ExecutePreprocessor.timeout = 600
"""


def nbgrader_course(dest: Path, root: Path = REPO_ROOT, names=None,
                    assignment=None) -> list[Path]:
    """Set up an nbgrader course folder in ``dest``: ``nbgrader_config.py`` and
    ``source/<name>/<name>.ipynb`` for every solution (or those in ``names``), or all in
    ``source/<assignment>/`` when given; return the source notebooks written. Outputs are
    cleared; the nbgrader metadata comes with them."""
    dest = Path(dest).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "nbgrader_config.py").write_text(
        NBGRADER_CONFIG.format(root=str(dest), exchange=str(dest / "exchange")))
    written = []
    for solution in sorted((root / "solutions").glob("*.py")):
        if names and solution.stem not in names:
            continue
        notebook = jupytext.reads(solution.read_text(), fmt="py:percent")
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        folder = dest / "source" / (assignment or solution.stem)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{solution.stem}.ipynb"
        target.write_text(jupytext.writes(notebook, fmt="ipynb"))
        written.append(target)
    return written


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("build", help="write exercises/ from solutions/")
    sub.add_parser("check", help="exit 1 naming every stale file in exercises/")
    course = sub.add_parser("nbgrader", help="set up an nbgrader course folder from solutions/")
    course.add_argument("dir", type=Path, help="the course folder (created if missing)")


def main(args) -> int:
    try:
        if args.action == "nbgrader":
            for path in nbgrader_course(args.dir):
                print(f"wrote {path}")
            print(f"next: cd {args.dir} && nbgrader generate_assignment NAME (see README)")
            return 0
        if args.action == "build":
            for path in build():
                print(f"wrote {path.relative_to(REPO_ROOT)}")
            return 0
        stale = stale_exercises()
    except SolutionMarkerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for name in stale:
        print(f"stale: {name}", file=sys.stderr)
    if stale:
        print("fix: run `lstm-course exercises build` and commit exercises/", file=sys.stderr)
        return 1
    print("exercises/ is up to date with solutions/")
    return 0
