"""Execute every notebook the way CI does.

- notebooks/ and solutions/: nbval in lax mode under the smoke profile, with the sanitize file;
  only cells marked NBVAL_CHECK_OUTPUT have their stored output compared.
- exercises/: each must stop with NotImplementedError in an exercise cell (or a graded check's
  CheckFailed saying so, chained to it), and nothing else.
"""

import os
import re
import subprocess
import sys

import nbformat
import pytest

from course_lib.env.paths import REPO_ROOT

LECTURES_AND_SOLUTIONS = sorted(
    p for folder in ("notebooks", "solutions") for p in (REPO_ROOT / folder).glob("*.ipynb")
)
EXERCISES = sorted((REPO_ROOT / "exercises").glob("*.ipynb"))
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def smoke_env() -> dict:
    return {**os.environ, "LSTM_COURSE_PROFILE": "smoke", "MPLBACKEND": "Agg"}


@pytest.mark.notebook
@pytest.mark.parametrize("path", LECTURES_AND_SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_runs_under_nbval_in_the_smoke_profile(path):
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
        "--nbval-sanitize-with", str(REPO_ROOT / ".nbval-sanitize.cfg"),
        "--nbval-cell-timeout", "900", "--rootdir", str(REPO_ROOT), str(path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=smoke_env(),
                            cwd=REPO_ROOT)
    assert result.returncode == 0, f"nbval failed for {path.name}:\n{result.stdout[-6000:]}"


@pytest.mark.notebook
@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: f"exercises/{p.name}")
def test_exercise_notebook_stops_at_an_exercise_with_not_implemented(path):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    previous = dict(os.environ)
    os.environ.update(smoke_env())
    try:
        with pytest.raises(CellExecutionError) as error:
            client.execute()
    finally:
        os.environ.clear()
        os.environ.update(previous)
    stub_failed = (error.value.ename == "CheckFailed"
                   and "not implemented yet" in str(error.value))
    assert error.value.ename == "NotImplementedError" or stub_failed, (
        f"{path.name} failed with {error.value.ename} instead of NotImplementedError:\n"
        f"{str(error.value)[-3000:]}"
    )
    # The error must come from an exercise stub (called in its own cell or in a later one),
    # and no cell before the first exercise may fail.
    traceback_text = ANSI_ESCAPE.sub("", str(error.value))
    assert "raise NotImplementedError()" in traceback_text, (
        f"{path.name} raised NotImplementedError, but not from an exercise stub:\n"
        f"{traceback_text[-3000:]}"
    )
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    first_exercise = next(i for i, c in enumerate(code_cells)
                          if "raise NotImplementedError()" in c.source)
    failed = next(i for i, c in enumerate(code_cells)
                  if any(o.get("output_type") == "error" for o in c.get("outputs", [])))
    assert failed >= first_exercise, (
        f"{path.name} failed in code cell {failed + 1}, before its first exercise "
        f"(code cell {first_exercise + 1})"
    )
