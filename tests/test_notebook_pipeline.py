"""The notebook pipeline: pairs in sync, exercises generated from solutions, markers valid."""

import pytest

from course_lib.env.paths import REPO_ROOT
from course_lib.tools.exercises import SolutionMarkerError, stale_exercises, strip_solutions
from course_lib.tools.notebooks import pair_problem, paired_sources

SOLUTION = """\
def lstm_cell(x):
    ### BEGIN SOLUTION
    # a comment nbgrader clears too
    y = x * 2
    return y
    ### END SOLUTION


check(lstm_cell)
### BEGIN HIDDEN TESTS
check(lstm_cell, seed=3)
### END HIDDEN TESTS
"""


def test_solution_regions_become_stubs_and_hidden_tests_vanish_as_in_nbgrader():
    assert strip_solutions(SOLUTION) == (
        "def lstm_cell(x):\n"
        "    # YOUR CODE HERE\n"
        "    raise NotImplementedError()\n"
        "\n\ncheck(lstm_cell)\n"
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("### BEGIN SOLUTION\nx = 1\n", "never closed"),
        ("### BEGIN SOLUTION\nx = 1\n# %%\ny = 2\n### END SOLUTION\n", "before the next cell"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "not closed before line 2"),
        ("x = 1\n### END SOLUTION\n", "has no '### BEGIN SOLUTION'"),
    ],
)
def test_broken_markers_are_clear_errors_naming_file_and_line(text, message):
    with pytest.raises(SolutionMarkerError, match=message) as error:
        strip_solutions(text, "solutions/99_demo.py")
    assert str(error.value).startswith("solutions/99_demo.py:")


def test_exercises_are_generated_from_the_current_solutions():
    stale = stale_exercises()
    assert not stale, f"stale exercise files {stale}: run `lstm-course exercises build`"


@pytest.mark.parametrize("source", paired_sources(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_notebook_pair_is_in_sync(source):
    problem = pair_problem(source)
    assert problem is None, problem


def test_a_pair_out_of_sync_is_reported_with_file_and_cell(tmp_path, monkeypatch):
    import jupytext

    import course_lib.tools.notebooks as notebooks

    monkeypatch.setattr(notebooks, "REPO_ROOT", tmp_path)
    py = tmp_path / "demo.py"
    py.write_text("# %% [markdown]\n# # Demo\n\n# %%\nx = 1\n")
    jupytext.write(jupytext.read(py), tmp_path / "demo.ipynb")
    assert pair_problem(py) is None
    py.write_text("# %% [markdown]\n# # Demo\n\n# %%\nx = 2\n")
    problem = pair_problem(py)
    assert "demo.ipynb differs from its .py at cell 2" in problem
    assert "lstm-course notebooks sync demo" in problem


def test_sync_leaves_a_pair_in_agreement_untouched_and_rewrites_one_that_is_not(tmp_path):
    import jupytext

    from course_lib.tools.notebooks import sync

    py = tmp_path / "demo.py"
    py.write_text("# %% [markdown]\n# # Demo\n\n# %%\nx = 1\n")
    ipynb = tmp_path / "demo.ipynb"
    ipynb.write_text(jupytext.writes(jupytext.read(py), "ipynb") + "  ")  # a layout of its own
    before = ipynb.read_text()
    sync(py)
    assert ipynb.read_text() == before  # e.g. nbgrader's release in exercises/
    py.write_text("# %% [markdown]\n# # Demo\n\n# %%\nx = 2\n")
    sync(py)
    assert ipynb.read_text() != before and "x = 2" in ipynb.read_text()


def test_sync_keeps_the_kernels_language_info(tmp_path):
    import json

    import jupytext

    from course_lib.tools.notebooks import sync

    py = tmp_path / "demo.py"
    py.write_text("# %%\nx = 1\n")
    ipynb = tmp_path / "demo.ipynb"
    notebook = json.loads(jupytext.writes(jupytext.read(py), "ipynb"))
    notebook["metadata"]["language_info"] = {"name": "python", "version": "3.11.2"}
    ipynb.write_text(json.dumps(notebook))
    py.write_text("# %%\nx = 2\n")
    sync(py)
    written = json.loads(ipynb.read_text())
    assert "x = 2" in "".join(written["cells"][0]["source"])
    assert written["metadata"]["language_info"]["version"] == "3.11.2"


def test_every_lecture_notebook_and_solution_has_a_pair():
    for folder in ("notebooks", "solutions", "exercises"):
        for ipynb in (REPO_ROOT / folder).glob("*.ipynb"):
            assert ipynb.with_suffix(".py").exists(), f"{ipynb} has no .py source"


def test_stream_outputs_keep_only_the_final_state_of_progress_bars():
    import nbformat

    from course_lib.tools.notebooks import final_text, keep_final_progress

    assert final_text("a:  0%|\rb: 50%|\rc: 100%|\nnext line\n") == "c: 100%|\nnext line\n"
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("pass")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr",
                                           text="run:   0%| 0/3\rrun: 100%| 3/3\n")]
    notebook.cells.append(cell)
    keep_final_progress(notebook)
    assert notebook.cells[0].outputs[0]["text"] == "run: 100%| 3/3\n"


def test_a_nested_bar_redrawn_with_cursor_up_keeps_only_its_last_state():
    from course_lib.tools.notebooks import final_text

    # tqdm draws an inner bar on the line below (newline), then moves back up (ESC[A)
    updates = "".join(f"\n\rinner {k}/2\x1b[A\router 0/1" for k in range(3))
    closed = "\n\r            \r\x1b[A\router 1/1\ndone\n"
    assert final_text("outer 0/1" + updates + closed) == "outer 1/1\ndone\n"
    assert final_text("no bar\nat all\n") == "no bar\nat all\n"


def test_a_bar_cleared_on_close_leaves_no_line_of_blanks():
    from course_lib.tools.notebooks import final_text

    # tqdm(leave=False) wipes its line with spaces when it closes; a terminal shows nothing there
    assert final_text("epoch 1/4 done\n\rbar 1/4\n" + " " * 20) == "epoch 1/4 done\nbar 1/4\n"
    assert final_text("  indented\n") == "  indented\n"


def test_consecutive_stream_outputs_are_joined_before_collapsing():
    import nbformat

    from course_lib.tools.notebooks import keep_final_progress

    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("pass")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text=t)
                    for t in ("\rrun:   0%| 0/2", "\rrun:  50%| 1/2", "\rrun: 100%| 2/2\n")]
    cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text="done\n"))
    notebook.cells.append(cell)
    keep_final_progress(notebook)
    assert [o["text"] for o in notebook.cells[0].outputs] == ["run: 100%| 2/2\n", "done\n"]
