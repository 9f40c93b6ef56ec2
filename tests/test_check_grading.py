"""Graded checks (issue 16): a failed check raises with its whole diagnosis, a passed one
returns True, and a check refuses the course's own reference handed in as the answer."""

import numpy as np
import pytest

from course_lib.checks.lstm_forward import check_lstm_forward, check_lstm_step_forward
from course_lib.checks.report import CheckFailed, Report, graded, uses
from course_lib.numpy_core import lstm_step_forward as course_step
from course_lib.numpy_core import sigmoid


def my_step(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
    g = np.tanh(a[:, 2 * H:3 * H])
    next_c = f * prev_c + i * g
    return o * np.tanh(next_c), next_c, None


def swapped_gates(x, prev_h, prev_c, Wx, Wh, b):  # reads the blocks as f, i, g, o
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    f, i, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
    next_c = f * prev_c + i * np.tanh(a[:, 2 * H:3 * H])
    return o * np.tanh(next_c), next_c, None


def wrapper(x, prev_h, prev_c, Wx, Wh, b):
    return course_step(x, prev_h, prev_c, Wx, Wh, b)


def test_a_passing_check_returns_true_and_prints_pass(capsys):
    assert graded(check_lstm_step_forward, my_step) is True
    assert graded(check_lstm_step_forward, my_step, seed=10) is True
    assert "PASS" in capsys.readouterr().out


def test_a_failing_check_raises_with_the_printed_diagnosis(capsys):
    with pytest.raises(CheckFailed) as error:
        graded(check_lstm_step_forward, swapped_gates)
    printed = capsys.readouterr().out
    assert "FAIL" in str(error.value) and "Hint:" in str(error.value)
    assert str(error.value).strip() == printed.strip()


@pytest.mark.parametrize("answer", [course_step, wrapper], ids=["itself", "a wrapper"])
def test_handing_in_the_course_reference_fails_with_a_clear_message(answer):
    with pytest.raises(CheckFailed, match="the course's own `lstm_step_forward`"):
        graded(check_lstm_step_forward, answer)
    assert uses(answer, course_step) and not uses(my_step, course_step)


def test_a_reference_for_another_function_is_allowed():
    def my_forward(x, h0, Wx, Wh, b, c0=None):
        N, T, _ = x.shape
        h, prev_h = np.zeros((N, T, h0.shape[1]), x.dtype), h0
        prev_c = np.zeros_like(h0) if c0 is None else c0
        for t in range(T):
            prev_h, prev_c, _ = course_step(x[:, t], prev_h, prev_c, Wx, Wh, b)
            h[:, t] = prev_h
        return h, None
    assert graded(check_lstm_forward, my_forward) is True  # the step is given by then


def test_a_report_without_problems_passes():
    assert Report("f").done("ok") is True
