"""The exercise checkers against deliberately broken implementations, one per hint.

The broken functions below are written the way a student would write them (independently of
the catalogue in course_lib.checks.mistakes): each test asserts that the checker fails and
prints the right hint, and that the correct implementations pass.
"""

import subprocess
import sys

import numpy as np
import pytest

from course_lib.checks import mistakes as catalogue
from course_lib.checks._arrays import lstm_inputs
from course_lib.checks.lstm_backward import (
    check_clip_by_global_norm,
    check_lstm_backward,
    check_lstm_step_backward,
)
from course_lib.checks.lstm_forward import check_lstm_forward, check_lstm_step_forward
from course_lib.checks.report import NOT_IMPLEMENTED, Report
from course_lib.checks.rnn_gradient_norms import check_rnn_gradient_norms
from course_lib.numpy_core.lstm import lstm_step_backward


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def hint(name, mistakes):
    return next(m.hint for m in mistakes if m.name == name)


def run(check, fn, capsys):
    passed = check(fn)
    return passed, capsys.readouterr().out


# ---------------------------------------------------------------- Report, shared by every checker
def test_report_call_returns_the_value_or_reports_the_exception(capsys):
    report = Report("demo")
    assert report.call(lambda a, *, b: a + b, 1, b=2) == (True, 3)
    assert report.error is None and not report.problems

    def todo():
        raise NotImplementedError()

    assert report.call(todo) == (False, None)
    assert isinstance(report.error, NotImplementedError)
    assert report.call(np.zeros, "three") == (False, None)
    assert isinstance(report.error, TypeError)
    assert not report.done("")
    out = capsys.readouterr().out
    assert out.startswith("demo: FAIL") and NOT_IMPLEMENTED in out
    assert "calling it raised TypeError" in out


def test_the_checkers_do_not_import_torch():
    code = ("import sys, course_lib.checks.rnn_gradient_norms, course_lib.checks.lstm_forward, "
            "course_lib.checks.lstm_backward; assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- lstm_step_forward
def student_step_forward(mistake=None):
    """A student's lstm_step_forward, correct unless ``mistake`` names a change."""

    def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
        H = prev_h.shape[1]
        state = prev_c if mistake == "prev_c in the recurrence" else prev_h
        a = x @ Wx + state @ Wh
        if mistake != "bias missing":
            a = a + b
        blocks = [a[:, k * H:(k + 1) * H] for k in range(4)]
        if mistake == "interleaved gates":
            blocks = [a[:, k::4] for k in range(4)]
        order = {"gate order ifog": "ifog", "gate order igfo": "igfo",
                 "gate order ogif": "ogif"}.get(mistake, "ifgo")
        pre = dict(zip(order, blocks))
        gate = np.tanh if mistake == "tanh on the gates" else sigmoid
        i, f, o = gate(pre["i"]), gate(pre["f"]), gate(pre["o"])
        g = sigmoid(pre["g"]) if mistake == "sigmoid on g" else np.tanh(pre["g"])
        if mistake == "f * prev_c missing":
            next_c = i * g
        elif mistake == "forget gate not applied":
            next_c = prev_c + i * g
        elif mistake == "input gate not applied":
            next_c = f * prev_c + g
        else:
            next_c = f * prev_c + i * g
        if mistake == "tanh missing on next_c":
            next_h = o * next_c
        elif mistake == "prev_c in next_h":
            next_h = o * np.tanh(prev_c)
        elif mistake == "output gate missing":
            next_h = np.tanh(next_c)
        else:
            next_h = o * np.tanh(next_c)
        if mistake == "outputs swapped":
            return next_c, next_h, None
        return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, g, o, np.tanh(next_c))

    return lstm_step_forward


STEP_FORWARD_CASES = [m.name for m in catalogue.STEP_FORWARD_MISTAKES
                      if not m.name.startswith("gate order")]
STEP_FORWARD_CASES += ["gate order ifog", "gate order igfo", "gate order ogif"]


def test_correct_step_forward_passes(capsys):
    passed, out = run(check_lstm_step_forward, student_step_forward(), capsys)
    assert passed, out
    assert "PASS" in out


@pytest.mark.parametrize("mistake", STEP_FORWARD_CASES)
def test_step_forward_mistake_gets_its_hint(mistake, capsys):
    passed, out = run(check_lstm_step_forward, student_step_forward(mistake), capsys)
    assert not passed
    assert hint(mistake, catalogue.STEP_FORWARD_MISTAKES) in out, out


def test_cs231n_gate_order_is_named(capsys):
    _, out = run(check_lstm_step_forward, student_step_forward("gate order ifog"), capsys)
    assert "i, f, o, g (the CS231n assignment's order)" in out


def test_swapped_outputs_are_named(capsys):
    _, out = run(check_lstm_step_forward, student_step_forward("outputs swapped"), capsys)
    assert "return (next_h, next_c, cache) in this order" in out


def test_not_implemented_is_reported_without_raising(capsys):
    def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
        raise NotImplementedError()

    passed, out = run(check_lstm_step_forward, lstm_step_forward, capsys)
    assert not passed
    assert "not implemented yet" in out


def test_an_exception_is_shown(capsys):
    def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
        return x @ Wh, prev_c, None  # (N, D) @ (H, 4H) cannot work

    passed, out = run(check_lstm_step_forward, lstm_step_forward, capsys)
    assert not passed
    assert "raised ValueError" in out


def test_wrong_number_of_outputs(capsys):
    passed, out = run(check_lstm_step_forward,
                      lambda *args: student_step_forward()(*args)[:2], capsys)
    assert not passed
    assert "should return 3 values (next_h, next_c, cache), got 2 values" in out


def test_wrong_shape_names_output_expected_and_got(capsys):
    passed, out = run(check_lstm_step_forward,
                      lambda *args: (args[1].T, args[2], None), capsys)
    assert not passed
    assert "next_h has shape (4, 3), expected (N, H) = (3, 4)" in out


def test_wrong_dtype_is_reported(capsys):
    def lstm_step_forward(*args):
        next_h, next_c, cache = student_step_forward()(*args)
        return next_h.astype(np.float64), next_c.astype(np.float64), cache

    passed, out = run(check_lstm_step_forward, lstm_step_forward, capsys)
    assert not passed
    assert "next_h has dtype float64, expected float32" in out
    assert "dtype=x.dtype" in out


# ---------------------------------------------------------------- lstm_forward
def student_forward(mistake=None, step=None):
    """A student's lstm_forward looping over a student's step."""
    step = step or student_step_forward()

    def lstm_forward(x, h0, Wx, Wh, b, c0=None):
        N, T, _ = x.shape
        H = h0.shape[1]
        if c0 is None or mistake == "c0 ignored":
            c0 = np.zeros((N, H), dtype=x.dtype)
        h = np.zeros((N, T, H), dtype=x.dtype)
        prev_h, prev_c = h0, c0
        for t in range(T):
            next_h, next_c, _ = step(x[:, t, :], prev_h, prev_c, Wx, Wh, b)
            h[:, t] = {"stores prev_h": prev_h, "stores next_c": next_c}.get(mistake, next_h)
            prev_h = h0 if mistake == "h not carried" else next_h
            prev_c = c0 if mistake == "c not carried" else next_c
        return h, None

    return lstm_forward


def test_correct_forward_passes(capsys):
    passed, out = run(check_lstm_forward, student_forward(), capsys)
    assert passed, out


@pytest.mark.parametrize("mistake", [m.name for m in catalogue.SEQUENCE_FORWARD_MISTAKES])
def test_forward_loop_mistake_gets_its_hint(mistake, capsys):
    passed, out = run(check_lstm_forward, student_forward(mistake), capsys)
    assert not passed
    assert hint(mistake, catalogue.SEQUENCE_FORWARD_MISTAKES) in out, out


@pytest.mark.parametrize("mistake", ["f * prev_c missing", "gate order ifog"])
def test_step_mistake_inside_the_forward_loop_gets_its_hint(mistake, capsys):
    passed, out = run(check_lstm_forward,
                      student_forward(step=student_step_forward(mistake)), capsys)
    assert not passed
    assert hint(mistake, catalogue.STEP_FORWARD_MISTAKES) in out, out


def test_ignored_c0_gets_its_hint(capsys):
    passed, out = run(check_lstm_forward, student_forward("c0 ignored"), capsys)
    assert not passed
    assert "start the cell state from c0" in out


def test_float64_buffer_in_float32_forward(capsys):
    def lstm_forward(x, h0, Wx, Wh, b, c0=None):
        h, cache = student_forward()(x, h0, Wx, Wh, b, c0)
        return h.astype(np.float64), cache

    passed, out = run(check_lstm_forward, lstm_forward, capsys)
    assert not passed
    assert "h has dtype float64, expected float32" in out


# ---------------------------------------------------------------- lstm_step_backward
def student_step_backward(mistake=None):
    """A student's lstm_step_backward on the course's step cache."""

    def lstm_step_backward(dnext_h, dnext_c, cache):
        x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c = cache
        next_c = f * prev_c + i * g
        dtanh = {"tanh derivative of c": 1 - next_c**2,
                 "tanh derivative not squared": 1 - tanh_c}.get(mistake, 1 - tanh_c**2)
        dc = dnext_c + dnext_h * o * dtanh
        if mistake == "o * (1 - tanh^2(c)) path missing":
            dc = dnext_c
        if mistake == "dnext_c ignored":
            dc = dnext_h * o * dtanh
        if mistake == "sigmoid derivative":
            ds = {k: 1 - s**2 for k, s in zip("ifo", (i, f, o))}
        elif mistake == "activation derivatives missing":
            ds = {k: 1.0 for k in "ifo"}
        else:
            ds = {k: s * (1 - s) for k, s in zip("ifo", (i, f, o))}
        dg = {"g derivative": g * (1 - g), "activation derivatives missing": 1.0}.get(
            mistake, 1 - g**2)
        da_i = dc * g * ds["i"]
        da_f = dc * (next_c if mistake == "forget gate with next_c" else prev_c) * ds["f"]
        da_g = dc * i * dg
        da_o = dnext_h * (next_c if mistake == "output gate without tanh" else tanh_c) * ds["o"]
        if mistake == "gate order ifog":
            da = np.hstack([da_i, da_f, da_o, da_g])
        else:
            da = np.hstack([da_i, da_f, da_g, da_o])
        dx, dprev_h = da @ Wx.T, da @ Wh.T
        dprev_c = {"f missing in dprev_c": dc, "dprev_c from dnext_c only": dnext_c * f}.get(
            mistake, dc * f)
        next_h = o * tanh_c
        dWh = (next_h if mistake == "dWh with next_h" else prev_h).T @ da
        if mistake == "dprev_h and dprev_c swapped":
            dprev_h, dprev_c = dprev_c, dprev_h
        return dx, dprev_h, dprev_c, x.T @ da, dWh, da.sum(axis=0)

    return lstm_step_backward


STEP_BACKWARD_CASES = [m.name for m in catalogue.STEP_BACKWARD_MISTAKES
                       if not m.name.startswith("gate order")] + ["gate order ifog"]


def test_correct_step_backward_passes(capsys):
    passed, out = run(check_lstm_step_backward, student_step_backward(), capsys)
    assert passed, out
    assert "numerical gradients" in out


@pytest.mark.parametrize("mistake", STEP_BACKWARD_CASES)
def test_step_backward_mistake_gets_its_hint(mistake, capsys):
    passed, out = run(check_lstm_step_backward, student_step_backward(mistake), capsys)
    assert not passed
    assert hint(mistake, catalogue.STEP_BACKWARD_MISTAKES) in out, out


def test_missing_h_path_is_named_for_the_student(capsys):
    _, out = run(check_lstm_step_backward,
                 student_step_backward("o * (1 - tanh^2(c)) path missing"), capsys)
    assert "dnext_h * o * (1 - tanh(next_c)**2)" in out


def test_backward_reports_which_gradient_is_off_and_by_how_much(capsys):
    _, out = run(check_lstm_step_backward, student_step_backward("dWh with next_h"),
                 capsys)
    assert "dWh is off: relative error" in out
    assert "dWx is off" not in out  # only the wrong gradient is named


def test_changing_an_input_in_place_is_reported(capsys):
    def lstm_step_backward(dnext_h, dnext_c, cache):
        _, _, _, _, _, i, f, g, o, tanh_c = cache
        dc = dnext_c
        dc += dnext_h * o * (1 - tanh_c**2)  # writes into the caller's dnext_c
        return student_step_backward()(dnext_h, dc - dnext_h * o * (1 - tanh_c**2), cache)

    passed, out = run(check_lstm_step_backward, lstm_step_backward, capsys)
    assert not passed
    assert "it changed its input dnext_c in place" in out


def test_transposed_weight_gradient_is_named(capsys):
    def transposed(dnext_h, dnext_c, cache):
        dx, dprev_h, dprev_c, dWx, dWh, db = student_step_backward()(dnext_h, dnext_c, cache)
        return dx, dprev_h, dprev_c, dWx.T, dWh, db

    passed, out = run(check_lstm_step_backward, transposed, capsys)
    assert not passed
    assert "dWx has shape (16, 6), expected (D, 4H) = (6, 16)" in out
    assert "dWx looks transposed" in out


def test_db_not_summed_over_the_batch(capsys):
    def unsummed(dnext_h, dnext_c, cache):
        *grads, _ = student_step_backward()(dnext_h, dnext_c, cache)
        _, _, _, _, _, i, f, g, o, tanh_c = cache
        return (*grads, np.ones((i.shape[0], 4 * i.shape[1])))

    passed, out = run(check_lstm_step_backward, unsummed, capsys)
    assert not passed
    assert "sum db over the batch" in out


# ---------------------------------------------------------------- lstm_backward
def student_backward(mistake=None, step_backward=None):
    """A student's lstm_backward on the course's lstm_forward cache."""
    step_backward = step_backward or student_step_backward()

    def lstm_backward(dh, cache):
        xs, hs, cs, tanh_cs, gates = (cache[k] for k in ("xs", "hs", "cs", "tanh_cs", "gates"))
        Wx, Wh = cache["Wx"], cache["Wh"]
        N, T, H = dh.shape
        dx = np.zeros((N, T, xs.shape[2]), dtype=dh.dtype)
        dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H, dtype=dh.dtype)
        dprev_h, dprev_c = np.zeros((N, H), dh.dtype), np.zeros((N, H), dh.dtype)
        steps = range(T) if mistake == "time runs forward" else reversed(range(T))
        for t in steps:
            i, f, g, o = np.split(gates[t], 4, axis=1)
            step_cache = (xs[t], hs[t], cs[t], Wx, Wh, i, f, g, o, tanh_cs[t])
            dnext_h = dh[:, t] if mistake == "dh not carried" else dh[:, t] + dprev_h
            dnext_c = 0 * dprev_c if mistake == "dc not carried" else dprev_c
            dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = step_backward(dnext_h, dnext_c,
                                                                            step_cache)
            if mistake == "weights overwritten":
                dWx, dWh, db = dWx_t, dWh_t, db_t
            else:
                dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
        dh0 = dh[:, 0] if mistake == "dh0 is dh[:, 0]" else dprev_h
        return dx, dh0, dWx, dWh, db

    return lstm_backward


def test_correct_backward_passes(capsys):
    passed, out = run(check_lstm_backward, student_backward(), capsys)
    assert passed, out


def test_correct_backward_built_on_the_reference_step_passes(capsys):
    passed, out = run(check_lstm_backward,
                      student_backward(step_backward=lstm_step_backward), capsys)
    assert passed, out


@pytest.mark.parametrize("mistake", [m.name for m in catalogue.SEQUENCE_BACKWARD_MISTAKES])
def test_backward_loop_mistake_gets_its_hint(mistake, capsys):
    passed, out = run(check_lstm_backward, student_backward(mistake), capsys)
    assert not passed
    assert hint(mistake, catalogue.SEQUENCE_BACKWARD_MISTAKES) in out, out


@pytest.mark.parametrize("mistake", ["o * (1 - tanh^2(c)) path missing", "forget gate with next_c"])
def test_step_mistake_inside_the_backward_loop_gets_its_hint(mistake, capsys):
    passed, out = run(check_lstm_backward,
                      student_backward(step_backward=student_step_backward(mistake)), capsys)
    assert not passed
    assert hint(mistake, catalogue.STEP_BACKWARD_MISTAKES) in out, out


# ---------------------------------------------------------------- clip_by_global_norm
def student_clip(mistake=None):
    """A student's clip_by_global_norm(grads, max_norm) -> norm, scaling in place."""

    def clip_by_global_norm(grads, max_norm):
        squares = sum(np.sum(g**2) for g in grads.values())
        norm = {"no square root": squares,
                "sum of norms": sum(np.linalg.norm(g) for g in grads.values())}.get(
            mistake, np.sqrt(squares))
        if mistake == "clip by value":
            for g in grads.values():
                np.clip(g, -max_norm, max_norm, out=g)
            return norm
        if mistake == "per-array clipping":
            for g in grads.values():
                if np.linalg.norm(g) > max_norm:
                    g *= max_norm / np.linalg.norm(g)
            return norm
        if norm > max_norm or mistake == "always scaled":
            scale = norm / max_norm if mistake == "inverted ratio" else max_norm / norm
            for name in grads:
                if mistake == "grads not stored":
                    g = grads[name] * scale  # noqa: F841 (the mistake: never stored)
                else:
                    grads[name] = grads[name] * scale
        if mistake == "returns the clipped norm":
            return np.sqrt(sum(np.sum(g**2) for g in grads.values()))
        return norm

    return clip_by_global_norm


def test_correct_clip_passes(capsys):
    passed, out = run(check_clip_by_global_norm, student_clip(), capsys)
    assert passed, out


@pytest.mark.parametrize("mistake", [m.name for m in catalogue.CLIP_MISTAKES])
def test_clip_mistake_gets_its_hint(mistake, capsys):
    passed, out = run(check_clip_by_global_norm, student_clip(mistake), capsys)
    assert not passed
    assert hint(mistake, catalogue.CLIP_MISTAKES) in out, out


def test_clip_not_stored_gets_its_hint(capsys):
    passed, out = run(check_clip_by_global_norm, student_clip("grads not stored"), capsys)
    assert not passed
    assert "grads were not changed" in out


def test_clip_returning_nothing(capsys):
    def clip_by_global_norm(grads, max_norm):
        student_clip()(grads, max_norm)

    passed, out = run(check_clip_by_global_norm, clip_by_global_norm, capsys)
    assert not passed
    assert "should return the global norm (a number), got NoneType" in out


# ---------------------------------------------------------------- rnn_gradient_norms
def student_norms(mistake=None):
    """A student's rnn_gradient_norms(h, Wh, dh_last) -> norms (T,)."""

    def rnn_gradient_norms(h, Wh, dh_last):
        T = h.shape[1]
        grad = dh_last
        measure = {"squared norm": lambda a: (a**2).sum(),
                   "norm per sequence": lambda a: np.linalg.norm(a, axis=1).mean()}.get(
            mistake, np.linalg.norm)
        norms = [measure(grad)]
        for t in range(T - 1, 0, -1):  # from h_t back to h_(t-1)
            h_t = h[:, t - 1] if mistake == "derivative one step off" else h[:, t]
            local = {"tanh derivative missing": 1.0, "tanh applied twice": 1 - np.tanh(h_t)**2,
                     "derivative not squared": 1 - h_t}.get(mistake, 1 - h_t**2)
            grad = (grad * local) @ (Wh if mistake == "Wh not transposed" else Wh.T)
            norms.append(measure(grad))
        return np.array(norms[::-1] if mistake == "reversed" else norms)

    return rnn_gradient_norms


def test_correct_norms_pass(capsys):
    passed, out = run(check_rnn_gradient_norms, student_norms(), capsys)
    assert passed, out


@pytest.mark.parametrize("mistake", [m.name for m in catalogue.GRADIENT_NORM_MISTAKES])
def test_norms_mistake_gets_its_hint(mistake, capsys):
    passed, out = run(check_rnn_gradient_norms, student_norms(mistake), capsys)
    assert not passed
    assert hint(mistake, catalogue.GRADIENT_NORM_MISTAKES) in out, out


def test_reference_norms_agree_with_backpropagation_through_time():
    """The checker's reference: ||dL/dh_(T-1-k)|| equals rnn_backward's dh0 of the last k steps."""
    from course_lib.numpy_core import rnn_backward, rnn_forward

    rng = np.random.default_rng(0)
    N, T, D, H = 2, 6, 3, 5
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    Wx, Wh, b = rng.standard_normal((D, H)), rng.standard_normal((H, H)), rng.standard_normal(H)
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    dh_last = rng.standard_normal((N, H))
    norms = catalogue.rnn_gradient_norms_variant(h, Wh, dh_last)
    for k in range(1, T):
        start = h[:, T - 1 - k]  # run the last k steps again from h_(T-1-k)
        _, cache = rnn_forward(x[:, T - k:], start, Wx, Wh, b)
        dh = np.zeros((N, k, H))
        dh[:, -1] = dh_last
        dstart = rnn_backward(dh, cache)[1]
        assert norms[k] == pytest.approx(np.linalg.norm(dstart), rel=1e-12)


# ---------------------------------------------------------------- saturation: predict, then measure
def student_saturation(mistake=None, norms_mistake=None):
    """A student's measure_saturation(x, Wx, Wh, dh_last, scales) -> (rates, mean_derivative),
    written with their own rnn_gradient_norms (``norms_mistake``: one of its mistakes)."""
    from course_lib.numpy_core import rnn_forward

    gradient_norms = student_norms(norms_mistake)

    def measure_saturation(x, Wx, Wh, dh_last, scales):
        N, T, _ = x.shape
        H = Wh.shape[0]
        rates, mean_derivative = {}, {}
        for s in scales:
            if mistake == "changes Wx in place":
                Wx *= s
                x_weights, h_weights = Wx, Wh
            elif mistake == "Wh scaled":
                x_weights, h_weights = Wx, s * Wh
            else:
                x_weights, h_weights = s * Wx, Wh
            h, _ = rnn_forward(x, np.zeros((N, H)), x_weights, h_weights, np.zeros(H))
            norms = gradient_norms(h, h_weights, dh_last)
            ratio = norms[T - 1] / norms[0]
            rates[s] = {"total ratio": ratio, "inverted": (1 / ratio) ** (1 / (T - 1)),
                        "root T": ratio ** (1 / T),
                        "from lag 1": (norms[T - 1] / norms[1]) ** (1 / (T - 2)),
                        }.get(mistake, ratio ** (1 / (T - 1)))
            derivative = {"derivative not squared": 1 - h,
                          "saturation, not derivative": h * h,
                          "last state only": 1 - h[:, T - 1] ** 2}.get(mistake, 1 - h * h)
            mean_derivative[s] = derivative.mean()
        return rates, mean_derivative

    return measure_saturation


def test_a_correct_saturation_measurement_passes_on_the_visible_and_hidden_set_ups(capsys):
    from course_lib.checks.rnn_gradient_norms import check_measure_saturation

    fn = student_saturation()
    assert check_measure_saturation(fn)
    assert check_measure_saturation(fn, seed=20, dims=(3, 17, 5, 6), rho=1.5)
    assert check_measure_saturation(fn, seed=21, dims=(2, 4, 2, 9), rho=0.8, scales=(0.5, 2.0))
    assert "PASS" in capsys.readouterr().out


@pytest.mark.parametrize("mistake", ["total ratio", "inverted", "root T", "from lag 1",
                                     "Wh scaled", "derivative not squared",
                                     "saturation, not derivative", "last state only"])
def test_a_saturation_mistake_gets_its_hint(mistake, capsys):
    from course_lib.checks.rnn_gradient_norms import SATURATION_MISTAKES, check_measure_saturation

    passed, out = run(check_measure_saturation, student_saturation(mistake), capsys)
    assert not passed
    assert hint(mistake, SATURATION_MISTAKES) in out, out


def test_a_wrong_rnn_gradient_norms_is_named_in_the_saturation_measurement(capsys):
    from course_lib.checks.rnn_gradient_norms import check_measure_saturation

    passed, out = run(check_measure_saturation,
                      student_saturation(norms_mistake="tanh derivative missing"), capsys)
    assert not passed
    assert "your rnn_gradient_norms" in out and "multiply by 1 - h_t**2" in out, out


def test_the_saturation_measurement_refuses_changed_inputs_missing_scales_and_the_reference(capsys):
    from course_lib.checks import rnn_gradient_norms as c01

    passed, out = run(c01.check_measure_saturation, student_saturation("changes Wx in place"),
                      capsys)
    assert not passed and "changed x, Wx, Wh or dh_last in place" in out

    def first_scale_only(x, Wx, Wh, dh_last, scales):
        rates, derivative = student_saturation()(x, Wx, Wh, dh_last, scales[:1])
        return rates, derivative

    passed, out = run(c01.check_measure_saturation, first_scale_only, capsys)
    assert not passed and "the dicts' keys should be the scales" in out

    def handed_in(x, Wx, Wh, dh_last, scales):
        return c01.reference_saturation(x, Wx, Wh, dh_last, scales)

    passed, out = run(c01.check_measure_saturation, handed_in, capsys)
    assert not passed and "the course's own `reference_saturation`" in out


def saturation_study():
    """The notebook's study on a small set-up: (x, Wx, Wh, dh_last) and the true verdicts."""
    from course_lib.checks.rnn_gradient_norms import SATURATION_SCALES, saturation_inputs

    setup = saturation_inputs(seed=3, dims=(8, 40, 4, 16), rho=2.0)
    rates, _ = student_saturation()(*setup, SATURATION_SCALES)
    return setup, rates, {s: bool(rates[s] > 1) for s in SATURATION_SCALES}


def test_the_saturation_conclusion_is_graded_against_the_measurement(capsys):
    from course_lib.checks.rnn_gradient_norms import check_saturation_conclusion

    setup, rates, truth = saturation_study()
    assert any(truth.values()) and not all(truth.values())  # both verdicts occur: a real test
    everywhere = {s: True for s in truth}
    assert check_saturation_conclusion(truth, *setup, predicted=everywhere)
    out = capsys.readouterr().out
    hits = sum(truth.values())
    assert f"your prediction was right at {hits} of {len(truth)} scales" in out

    # the planted wrong answer: the prediction copied into the conclusion
    assert not check_saturation_conclusion(dict(everywhere), *setup, predicted=everywhere)
    assert "those are your predictions" in capsys.readouterr().out

    rho = 2.0
    against_bound = {s: bool(rates[s] > rho) for s in truth}
    assert not check_saturation_conclusion(against_bound, *setup)
    assert "above 1, not above the bound rho = 2" in capsys.readouterr().out

    reversed_answer = {s: not v for s, v in truth.items()}
    assert not check_saturation_conclusion(reversed_answer, *setup)
    assert "every answer is reversed" in capsys.readouterr().out

    assert not check_saturation_conclusion({1.0: True}, *setup)
    assert "one entry per scale" in capsys.readouterr().out
    assert not check_saturation_conclusion({s: "yes" for s in truth}, *setup)
    assert "True or False" in capsys.readouterr().out

# ---------------------------------------------------------------- the catalogue itself
def test_every_hint_has_a_broken_implementation_here():
    tested = set(STEP_FORWARD_CASES) | set(STEP_BACKWARD_CASES)
    for group in (catalogue.STEP_FORWARD_MISTAKES, catalogue.STEP_BACKWARD_MISTAKES):
        names = {m.name for m in group if not m.name.startswith("gate order")}
        assert names <= tested


def test_correct_variants_equal_the_library():
    from course_lib.numpy_core import lstm_backward, lstm_forward, lstm_step_forward

    x, h0, c0, Wx, Wh, b = lstm_inputs(seed=9, T_steps=4)
    step = catalogue.lstm_step_variant(x[:, 0], h0, c0, Wx, Wh, b)
    next_h, next_c, _ = lstm_step_forward(x[:, 0], h0, c0, Wx, Wh, b)
    assert np.allclose(step["next_h"], next_h) and np.allclose(step["next_c"], next_c)
    h, cache = lstm_forward(x, h0, Wx, Wh, b)
    assert np.allclose(catalogue.lstm_forward_variant(x, h0, Wx, Wh, b), h)
    dh = np.random.default_rng(1).standard_normal(h.shape)
    dx, dh0, _dc0, dWx, dWh, db = lstm_backward(dh, cache)
    got = catalogue.lstm_backward_variant(dh, x, h0, Wx, Wh, b)
    for name, value in zip(["dx", "dh0", "dWx", "dWh", "db"], (dx, dh0, dWx, dWh, db)):
        assert np.allclose(got[name], value), name
