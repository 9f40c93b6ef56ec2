"""Numbers in lecture prose, bound to the records they come from.

A markdown cell whose numbers come from recorded runs says so with an invisible first line,
``<!-- claims: sst-tree, sst-transfer -->``; every number it states (integers that count things
aside, see :func:`course_lib.runs.claims.stated_numbers`) must then be held by one of those
records. Numbers from papers belong in the records' ``references`` so that they are checked too.
"""

from __future__ import annotations

import re

import pytest

from course_lib.env.paths import REPO_ROOT
from course_lib.runs.claims import check_text, load_record

CLAIMS_LINE = re.compile(r"<!--\s*claims:\s*([\w\-,/. ]+?)\s*-->")


def markdown_cells(py_path):
    """(first line number, text) of every markdown cell of a py:percent notebook."""
    cells, current, start = [], None, 0
    for number, line in enumerate(py_path.read_text().splitlines(), start=1):
        if line.startswith("# %%"):
            if current is not None:
                cells.append((start, "\n".join(current)))
            current, start = ([] if "[markdown]" in line else None), number
        elif current is not None:
            current.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
    if current is not None:
        cells.append((start, "\n".join(current)))
    return cells


def claim_problems(py_path, results_dir=None):
    problems = []
    for line, text in markdown_cells(py_path):
        declared = CLAIMS_LINE.search(text)
        if not declared:
            continue
        names = [n.strip() for n in declared.group(1).split(",") if n.strip()]
        kwargs = {} if results_dir is None else {"results_dir": results_dir}
        merged = {"records": [load_record(n, **kwargs) for n in names],
                  "_file": " + ".join(f"results/{n}.json" for n in names)}
        body = CLAIMS_LINE.sub("", text)
        problems += check_text(body, merged, f"{py_path.name}:{line}")
    return problems


NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_declared_claims_hold(path):
    problems = claim_problems(path)
    assert not problems, "\n".join(problems)


def test_a_planted_wrong_number_fails(tmp_path):
    (tmp_path / "toy.json").write_text('{"final_metrics": {"m": {"test_accuracy": 0.8123}}}')
    notebook = tmp_path / "nb.py"
    notebook.write_text("# %% [markdown]\n# <!-- claims: toy -->\n# We reach 81.23 %.\n\n"
                        "# %% [markdown]\n# <!-- claims: toy -->\n# We reach 82.00 %.\n\n"
                        "# %%\nx = 1\n")
    problems = claim_problems(notebook, results_dir=tmp_path)
    assert len(problems) == 1 and "'82.00 %'" in problems[0] and "nb.py:5" in problems[0]
