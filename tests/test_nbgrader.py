"""nbgrader for real (issue 16): the solutions are nbgrader sources, exercises/ is their release,
and generate -> three students -> autograde scores 0, full marks and strictly between.

nbgrader runs ``alembic`` from PATH, so the venv's bin/ goes first on PATH.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import pytest

from course_lib.env.paths import REPO_ROOT
from course_lib.tools.exercises import nbgrader_course

nbgrader = pytest.importorskip("nbgrader")
pytestmark = pytest.mark.xdist_group("nbgrader")  # its course fixture is built once, on one worker

SOLUTIONS = sorted((REPO_ROOT / "solutions").glob("*.py"))
ASSIGNMENT = "practice"


def _env():
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "LSTM_COURSE_PROFILE": "smoke", "MPLBACKEND": "Agg",
            "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _nbgrader(course, *args):
    done = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args],
                          cwd=course, env=_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _sources(notebook):
    return [(c.cell_type, c.source) for c in notebook.cells]


def test_every_cell_of_every_solution_carries_valid_nbgrader_metadata():
    for path in SOLUTIONS:
        notebook = jupytext.reads(path.read_text(), fmt="py:percent")
        ids = [c.metadata["nbgrader"]["grade_id"] for c in notebook.cells]
        assert len(set(ids)) == len(ids), f"{path.name}: grade_id not unique"
        for cell in notebook.cells:
            meta = cell.metadata["nbgrader"]
            assert meta["schema_version"] == 3
            answer = "### BEGIN SOLUTION" in cell.source
            assert meta["solution"] == answer and meta["locked"] != answer, (path.name, meta)
            if meta["grade"]:
                assert meta["points"] >= 1 and "graded(" in cell.source


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with every practice notebook in one assignment, generated."""
    folder = tmp_path_factory.mktemp("nbgrader_course")
    nbgrader_course(folder, assignment=ASSIGNMENT)
    _nbgrader(folder, "generate_assignment", ASSIGNMENT, "--force")
    return folder


def test_exercises_are_nbgraders_release_of_the_solutions(course):
    for path in SOLUTIONS:
        release = nbformat.read(course / "release" / ASSIGNMENT / f"{path.stem}.ipynb", 4)
        exercise = nbformat.read(REPO_ROOT / "exercises" / f"{path.stem}.ipynb", 4)
        # exercises/ adds one cell, the "generated, do not edit" banner, first
        assert "Exercise notebook" in exercise.cells[0].source
        assert _sources(exercise)[1:] == _sources(release), path.name


# A classic mistake planted in the worked solution's last answer (old line -> new line), so
# that the earlier answers are right and the last one is wrong, the way students get it wrong.
PLANTED = {
    "01_rnn_gradient_norms": ("grad = (grad * (1 - h[:, t] ** 2)) @ Wh.T", "grad = grad @ Wh.T"),
    # the cell state is never carried to the next step
    "02_lstm_forward": ("prev_h, prev_c, step_cache = lstm_step_forward(",
                        "prev_h, _, step_cache = lstm_step_forward("),
    # the squared norm taken for the norm
    "03_lstm_backward": ("norm = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))",
                         "norm = float(sum(np.sum(g**2) for g in grads.values()))"),
    # the <unk> rate measured on the training text the vocabulary was built from
    "04_the_data": ("rates = {size: unk_rate(train_tokens, valid_tokens, size) for size in sizes}",
                    "rates = {size: unk_rate(train_tokens, train_tokens, size) for size in sizes}"),
    # gradients clipped before they are computed (the clip sees last step's gradients)
    "05_torch_cell": ("    loss.backward()\n    nn.utils.clip_grad_norm_(model.parameters(), clip_norm)",
                      "    nn.utils.clip_grad_norm_(model.parameters(), clip_norm)\n    loss.backward()"),
    # rows and columns swapped: rows must be the true class
    "06_mnist_rows": ("np.add.at(matrix, (labels, predicted), 1)",
                      "np.add.at(matrix, (predicted, labels), 1)"),
    # off by one: the first padding position counted as a token
    "07_imdb_sentiment": ("mask = np.arange(T)[None, :] < lengths[:, None]",
                          "mask = np.arange(T)[None, :] <= lengths[:, None]"),
    # the temperature multiplies instead of dividing
    "08_ptb_word_lm": ("scaled = logits / temperature", "scaled = logits * temperature"),
    # T -> 0 taken for greedy (0 bits) although two symbols tie for the top logit
    "09_ptb_char_lm": ("low_limit = 1.0  #", "low_limit = 0.0  #"),
    "10_sst5_attention": ('scores = scores.masked_fill(~mask, float("-inf"))', "pass"),
    # test read before the choice is final (the study refuses it, so the check fails)
    "11_hyperparameter_study": ("    study.choose(configs[best])\n    test = study.test_score(configs[best])",
                                "    test = study.test_score(configs[best])\n    study.choose(configs[best])"),
    # the reset gate forgotten on the recurrent n block of the derived GRU backward
    "12_lstm_variants": ("dah = np.concatenate([dr_pre, dz_pre, r * dn_pre], axis=1)",
                         "dah = np.concatenate([dr_pre, dz_pre, dn_pre], axis=1)"),
}


def _plant_bug(notebook, stem):
    """The worked solution with one planted bug (see PLANTED)."""
    old, new = PLANTED[stem]
    cells = [c for c in notebook.cells if c.cell_type == "code" and old in c.source]
    assert len(cells) == 1, f"{stem}: the planted bug's line is gone"
    cells[0].source = cells[0].source.replace(old, new)


def test_every_practice_has_a_planted_mistake():
    assert sorted(PLANTED) == sorted(path.stem for path in SOLUTIONS)


@pytest.mark.notebook
def test_untouched_scores_zero_solution_full_marks_partial_between(course):
    start = time.perf_counter()
    students = {"untouched": None, "worked": None, "partial": _plant_bug}
    for student, change in students.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        for path in SOLUTIONS:
            source = "release" if student == "untouched" else "source"
            notebook = nbformat.read(course / source / ASSIGNMENT / f"{path.stem}.ipynb", 4)
            if change:
                change(notebook, path.stem)
            nbformat.write(notebook, folder / f"{path.stem}.ipynb")
    _nbgrader(course, "autograde", ASSIGNMENT, "--force")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {(s, path.stem): gradebook.find_submission_notebook(path.stem, ASSIGNMENT, s)
                  for s in students for path in SOLUTIONS}
        table = {key: (nb.score, nb.max_score) for key, nb in scores.items()}
    print(f"\nautograde of {len(SOLUTIONS)} notebooks x 3 students: "
          f"{time.perf_counter() - start:.0f} s")
    for (student, name), (score, top) in sorted(table.items()):
        print(f"  {student:9s} {name}: {score:g} / {top:g}")
    for path in SOLUTIONS:
        top = table["worked", path.stem][1]
        assert top > 0
        assert table["untouched", path.stem][0] == 0, path.stem
        assert table["worked", path.stem][0] == top, path.stem
        assert 0 < table["partial", path.stem][0] < top, path.stem
    shutil.rmtree(course / "autograded", ignore_errors=True)
