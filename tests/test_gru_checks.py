"""The checkers of practice 12 (the GRU step, forward and backward) against broken answers.

The students' functions below are written the way a student would write them, independently of
the variants in course_lib.checks.lstm_variants: each planted mistake must fail the check and
print its own hint; the correct answers pass, on the visible and on the hidden shapes; the
course's reference handed in is refused.
"""

import subprocess
import sys

import numpy as np
import pytest

from course_lib.checks import mistakes as catalogue
from course_lib.checks.lstm_variants import (
    check_gru_step_backward,
    check_gru_step_forward,
    gru_inputs,
)
from course_lib.checks.report import CheckFailed, graded
from course_lib.numpy_core.gradcheck import check_layer_gradients
from course_lib.numpy_core.variants import gru_step_backward as course_backward
from course_lib.numpy_core.variants import gru_step_forward as course_forward

HIDDEN = dict(seed=12, shape=(2, 5, 3))  # the hidden tests' draw


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def hint(name, mistakes):
    return next(m.hint for m in mistakes if m.name == name)


def run(check, fn, capsys, **kwargs):
    passed = check(fn, **kwargs)
    return passed, capsys.readouterr().out


# ---------------------------------------------------------------- forward
def student_forward(mistake=None):
    """A student's gru_step_forward, correct unless ``mistake`` names a change."""

    def gru_step_forward(x, prev_h, Wx, Wh, bx, bh):
        H = prev_h.shape[1]
        gx = x @ Wx if mistake == "input bias missing" else x @ Wx + bx
        gh = prev_h @ Wh if mistake == "hidden bias missing" else prev_h @ Wh + bh
        names = {"gate order zrn": "zrn", "gate order nzr": "nzr"}.get(mistake, "rzn")
        gx_blocks = {k: gx[:, j * H:(j + 1) * H] for j, k in enumerate(names)}
        gh_blocks = {k: gh[:, j * H:(j + 1) * H] for j, k in enumerate(names)}
        squash = np.tanh if mistake == "tanh on the gates" else sigmoid
        r = squash(gx_blocks["r"] + gh_blocks["r"])
        z = squash(gx_blocks["z"] + gh_blocks["z"])
        j_n = names.index("n")
        Wh_n, bh_n = Wh[:, j_n * H:(j_n + 1) * H], bh[j_n * H:(j_n + 1) * H]
        if mistake == "Cho's reset":
            inner = (r * prev_h) @ Wh_n + bh_n
        elif mistake == "reset without the bias":
            inner = r * (prev_h @ Wh_n) + bh_n
        elif mistake == "no reset":
            inner = gh_blocks["n"]
        else:
            inner = r * gh_blocks["n"]
        candidate = sigmoid if mistake == "sigmoid on n" else np.tanh
        n = candidate(gx_blocks["n"] + inner)
        if mistake == "blend swapped":
            h = z * n + (1 - z) * prev_h
        elif mistake == "old state dropped":
            h = (1 - z) * n
        else:
            h = (1 - z) * n + z * prev_h
        return h, (x, prev_h, Wx, Wh, r, z, n, gh_blocks["n"])

    return gru_step_forward


FORWARD_CASES = [m.name for m in catalogue.GRU_FORWARD_MISTAKES
                 if not m.name.startswith("gate order")] + ["gate order zrn", "gate order nzr"]


def test_correct_forward_passes_visible_and_hidden(capsys):
    for kwargs in ({}, HIDDEN):
        passed, out = run(check_gru_step_forward, student_forward(), capsys, **kwargs)
        assert passed, out
        assert "PASS" in out and "float32 stays float32" in out


@pytest.mark.parametrize("mistake", FORWARD_CASES)
def test_forward_mistake_gets_its_hint(mistake, capsys):
    passed, out = run(check_gru_step_forward, student_forward(mistake), capsys)
    assert not passed
    assert hint(mistake, catalogue.GRU_FORWARD_MISTAKES) in out, out


def test_keras_gate_order_is_named(capsys):
    _, out = run(check_gru_step_forward, student_forward("gate order zrn"), capsys)
    assert "z, r, n (Keras's order" in out


def test_a_cache_in_another_layout_is_reported(capsys):
    def gru_step_forward(*args):
        h, (x, prev_h, Wx, Wh, r, z, n, ah_n) = student_forward()(*args)
        return h, (x, prev_h, Wx, Wh, z, r, n, ah_n)  # r and z swapped in the cache

    passed, out = run(check_gru_step_forward, gru_step_forward, capsys)
    assert not passed
    assert "cache entries r, z are not what the course stores" in out

    passed, out = run(check_gru_step_forward, lambda *args: (student_forward()(*args)[0], None),
                      capsys)
    assert not passed and "the cache should hold 8 entries, got NoneType" in out


def test_forward_shape_and_not_implemented(capsys):
    passed, out = run(check_gru_step_forward, lambda x, prev_h, *rest: (prev_h.T, None), capsys)
    assert not passed and "next_h has shape (4, 3), expected (N, H) = (3, 4)" in out

    def gru_step_forward(x, prev_h, Wx, Wh, bx, bh):
        raise NotImplementedError()

    passed, out = run(check_gru_step_forward, gru_step_forward, capsys)
    assert not passed and "not implemented yet" in out


# ---------------------------------------------------------------- backward (derived)
def student_backward(mistake=None):
    """A student's gru_step_backward on the course's cache, correct unless ``mistake``."""

    def gru_step_backward(dnext_h, cache):
        x, prev_h, Wx, Wh, r, z, n, ah_n = cache
        H = prev_h.shape[1]
        if mistake == "blend sign swapped":
            d_n, d_z, d_keep = dnext_h * z, dnext_h * (n - prev_h), dnext_h * (1 - z)
        else:
            d_n, d_z, d_keep = dnext_h * (1 - z), dnext_h * (prev_h - n), dnext_h * z
        if mistake == "dz sign":
            d_z = dnext_h * (n - prev_h)
        tanh_grad = {"tanh derivative missing": 1.0, "tanh derivative of a sigmoid": n * (1 - n),
                     "tanh derivative not squared": 1 - n}.get(mistake, 1 - n * n)
        d_pre_n = d_n * tanh_grad
        if mistake == "sigmoid derivative missing":
            sig_r, sig_z = 1.0, 1.0
        elif mistake == "sigmoid derivative of a tanh":
            sig_r, sig_z = 1 - r * r, 1 - z * z
        else:
            sig_r, sig_z = r * (1 - r), z * (1 - z)
        Wh_r, Wh_z, Wh_n = Wh[:, :H], Wh[:, H:2 * H], Wh[:, 2 * H:]
        if mistake == "Cho's derivation":  # as if n = tanh(ax_n + (r * prev_h) @ Wh_n + bh_n)
            d_rh = d_pre_n @ Wh_n.T
            d_r = d_rh * prev_h
        elif mistake == "dr skips the tanh":
            d_r = d_n * ah_n
        else:
            d_r = d_pre_n * ah_n
        d_pre_r, d_pre_z = d_r * sig_r, d_z * sig_z
        x_n = {"r on the input side too": r * d_pre_n,
               "r on the wrong side": r * d_pre_n}.get(mistake, d_pre_n)
        h_n = {"r missing on the recurrent n block": d_pre_n, "r on the wrong side": d_pre_n,
               "Cho's derivation": d_pre_n}.get(mistake, r * d_pre_n)
        order = {"gate order zrn": (1, 0, 2), "gate order nrz": (2, 0, 1)}.get(mistake, (0, 1, 2))
        dax = np.hstack([(d_pre_r, d_pre_z, x_n)[k] for k in order])
        dah = np.hstack([(d_pre_r, d_pre_z, h_n)[k] for k in order])
        dx = dax @ Wx.T
        dWx, dbx = x.T @ dax, dax.sum(axis=0)
        dWh, dbh = prev_h.T @ dah, dah.sum(axis=0)
        if mistake == "Cho's derivation":
            dWh[:, 2 * H:] = (r * prev_h).T @ d_pre_n
            dprev_h = d_keep + d_pre_r @ Wh_r.T + d_pre_z @ Wh_z.T + d_rh * r
        elif mistake == "direct path missing":
            dprev_h = dah @ Wh.T
        elif mistake == "recurrent path missing":
            dprev_h = d_keep
        elif mistake == "gate paths missing in dprev_h":
            dprev_h = d_keep + h_n @ Wh_n.T
        else:
            dprev_h = d_keep + dah @ Wh.T
        if mistake == "dbx and dbh swapped":
            dbx, dbh = dbh, dbx
        return dx, dprev_h, dWx, dWh, dbx, dbh

    return gru_step_backward


BACKWARD_CASES = [m.name for m in catalogue.GRU_BACKWARD_MISTAKES
                  if not m.name.startswith("gate order")] + ["gate order zrn", "gate order nrz"]


def test_correct_backward_passes_visible_and_hidden(capsys):
    for kwargs in ({}, HIDDEN):
        passed, out = run(check_gru_step_backward, student_backward(), capsys, **kwargs)
        assert passed, out
        assert "PASS" in out and "numerical gradients" in out


def test_correct_backward_passes_on_the_students_own_forward(capsys):
    passed, out = run(check_gru_step_backward, student_backward(), capsys,
                      forward=student_forward())
    assert passed, out


@pytest.mark.parametrize("mistake", BACKWARD_CASES)
def test_backward_mistake_gets_its_hint(mistake, capsys):
    passed, out = run(check_gru_step_backward, student_backward(mistake), capsys)
    assert not passed
    assert hint(mistake, catalogue.GRU_BACKWARD_MISTAKES) in out, out
    hints = [line for line in out.splitlines() if line.strip().startswith("Hint:")]
    assert len(hints) == 1, out  # the diagnosis names this mistake and no other


def test_a_forgotten_r_names_the_gradients_it_spoils(capsys):
    _, out = run(check_gru_step_backward, student_backward("r missing on the recurrent n block"),
                 capsys)
    off = {line.split()[1] for line in out.splitlines() if " is off: " in line}
    assert off == {"dprev_h", "dWh", "dbh"}, out


def test_one_wrong_gradient_gets_a_partial_hint(capsys):
    def gru_step_backward(dnext_h, cache):  # right everywhere but dbh, which forgets r
        dx, dprev_h, dWx, dWh, dbx, dbh = student_backward()(dnext_h, cache)
        wrong = student_backward("r missing on the recurrent n block")(dnext_h, cache)
        return dx, dprev_h, dWx, dWh, dbx, wrong[5]

    passed, out = run(check_gru_step_backward, gru_step_backward, capsys)
    assert not passed
    assert "(dbh) " + hint("r missing on the recurrent n block",
                           catalogue.GRU_BACKWARD_MISTAKES) in out


def test_the_planted_cho_derivation_is_the_true_gradient_of_chos_gru():
    """The Cho mistake is a real derivation: on Cho's forward it passes the gradient check."""
    def cho_forward(x, prev_h, Wx, Wh, bx, bh):
        H = prev_h.shape[1]
        ax, ah = x @ Wx + bx, prev_h @ Wh + bh
        r = sigmoid(ax[:, :H] + ah[:, :H])
        z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
        n = np.tanh(ax[:, 2 * H:] + (r * prev_h) @ Wh[:, 2 * H:] + bh[2 * H:])
        return (1 - z) * n + z * prev_h, (x, prev_h, Wx, Wh, r, z, n, ah[:, 2 * H:])

    inputs = dict(zip(["x", "prev_h", "Wx", "Wh", "bx", "bh"], gru_inputs(5)))
    result = check_layer_gradients(cho_forward, student_backward("Cho's derivation"), inputs)
    assert result.passed(1e-7), result


def test_backward_wrong_shape_and_in_place(capsys):
    def transposed(dnext_h, cache):
        dx, dprev_h, dWx, dWh, dbx, dbh = student_backward()(dnext_h, cache)
        return dx, dprev_h, dWx.T, dWh, dbx, dbh

    passed, out = run(check_gru_step_backward, transposed, capsys)
    assert not passed and "dWx has shape (12, 6), expected (D, 3H) = (6, 12)" in out
    assert "dWx looks transposed" in out

    def in_place(dnext_h, cache):
        grads = student_backward()(dnext_h, cache)
        dnext_h *= 2
        return grads

    passed, out = run(check_gru_step_backward, in_place, capsys)
    assert not passed and "changed its input dnext_h in place" in out


# ---------------------------------------------------------------- the reference handed in
def wrapped_forward(x, prev_h, Wx, Wh, bx, bh):
    return course_forward(x, prev_h, Wx, Wh, bx, bh)


def wrapped_backward(dnext_h, cache):
    return course_backward(dnext_h, cache)


@pytest.mark.parametrize("check, answer, name", [
    (check_gru_step_forward, course_forward, "gru_step_forward"),
    (check_gru_step_forward, wrapped_forward, "gru_step_forward"),
    (check_gru_step_backward, course_backward, "gru_step_backward"),
    (check_gru_step_backward, wrapped_backward, "gru_step_backward"),
], ids=["forward itself", "forward wrapped", "backward itself", "backward wrapped"])
def test_handing_in_the_course_reference_is_refused(check, answer, name):
    with pytest.raises(CheckFailed, match=f"the course's own `{name}`"):
        graded(check, answer)
    with pytest.raises(CheckFailed, match=f"the course's own `{name}`"):
        graded(check, answer, **HIDDEN)


def test_the_gru_checker_does_not_import_torch():
    code = ("import sys, course_lib.checks.lstm_variants; "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
