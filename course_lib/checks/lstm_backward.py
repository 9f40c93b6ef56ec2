"""Checkers for practice notebook 03: ``lstm_step_backward``, ``lstm_backward`` and clipping by
the global norm.

Each ``check_<name>(fn)`` calls ``fn`` on fixed float64 inputs and compares every gradient with
the course's :mod:`course_lib.numpy_core.lstm` and with numerical gradients. It prints ``PASS``
or the most specific diagnosis it can find (wrong shape or dtype, an input changed in place,
which gradient is off and by how much, the hint of each classic mistake of
:mod:`course_lib.checks.mistakes` that the gradients match), and returns True or False.

Dimension letters: N = 3 sequences, T = 5 steps, D = 6 inputs, H = 4 hidden units by default;
``dims`` gives other sizes (the hidden tests of the graded cells use them).
"""

from __future__ import annotations

import numpy as np

from course_lib.checks import mistakes as m
from course_lib.checks._arrays import (
    TOL,
    D,
    H,
    N,
    T,
    array_outputs,
    compare,
    lstm_inputs,
    named_outputs,
    numerical_gradients,
)
from course_lib.checks.report import MATCH, Report, diagnose
from course_lib.numpy_core.gradcheck import rel_error
from course_lib.numpy_core.lstm import (
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)
from course_lib.numpy_core.optim import clip_grad_norm

CLIP_TOL = 1e-5  # the reference clipping divides by norm + 1e-6


def check_lstm_step_backward(fn, forward=lstm_step_forward, seed=2, dims=(N, D, H)):
    """Check ``fn(dnext_h, dnext_c, cache) -> (dx, dprev_h, dprev_c, dWx, dWh, db)``.

    ``cache`` comes from ``forward`` (the course's ``lstm_step_forward`` unless you pass yours);
    the inputs are drawn with ``seed``, of sizes ``dims`` = (N, D, H).
    """
    report = Report("lstm_step_backward")
    report.forbid(fn, lstm_step_backward)
    inputs = lstm_inputs(seed=seed, dims=dims)
    N, D, H = dims
    rng = np.random.default_rng(seed + 1)
    dnext_h, dnext_c = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    names = ["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"]
    shapes = dict(zip(names, [((N, D), "(N, D)"), ((N, H), "(N, H)"), ((N, H), "(N, H)"),
                              ((D, 4 * H), "(D, 4H)"), ((H, 4 * H), "(H, 4H)"),
                              ((4 * H,), "(4H,)")]))
    reference = dict(zip(names, lstm_step_backward(dnext_h, dnext_c,
                                                   lstm_step_forward(*inputs)[2])))
    outputs = array_outputs(report, fn, (dnext_h, dnext_c, forward(*inputs)[2]), names, shapes)
    if outputs is None:
        return report.done("")

    def objective():
        next_h, next_c, _ = forward(*inputs)
        return np.sum(next_h * dnext_h) + np.sum(next_c * dnext_c)
    numeric = numerical_gradients(objective, dict(zip(names, inputs)))
    errors = compare(report, outputs, reference, numeric)
    if max(errors.values()) > TOL:
        diagnose(report, outputs, reference, m.STEP_BACKWARD_MISTAKES,
                 lambda **options: m.lstm_step_backward_variant(dnext_h, dnext_c, *inputs,
                                                                **options))
        return report.done("")
    inputs32 = [a.astype(np.float32) for a in inputs]
    array_outputs(report, fn, (dnext_h.astype(np.float32), dnext_c.astype(np.float32),
                               forward(*inputs32)[2]), names, shapes, np.float32)
    worst = max(rel_error(outputs[k], numeric[k]) for k in names)
    return report.done(f"all six gradients match the reference, relative error "
                       f"{max(errors.values()):.1e}, and numerical gradients, {worst:.1e}")


def check_lstm_backward(fn, forward=lstm_forward, seed=4, dims=(N, T, D, H)):
    """Check ``fn(dh, cache) -> (dx, dh0, dWx, dWh, db)``.

    ``cache`` comes from ``forward`` (the course's ``lstm_forward`` unless you pass yours);
    the inputs are drawn with ``seed``, of sizes ``dims`` = (N, T, D, H).
    """
    report = Report("lstm_backward")
    report.forbid(fn, lstm_backward)
    N, T, D, H = dims
    x, h0, _, Wx, Wh, b = lstm_inputs(seed=seed, T_steps=T, dims=(N, D, H))
    dh = np.random.default_rng(seed + 1).standard_normal((N, T, H))
    names = ["dx", "dh0", "dWx", "dWh", "db"]
    shapes = dict(zip(names, [((N, T, D), "(N, T, D)"), ((N, H), "(N, H)"),
                              ((D, 4 * H), "(D, 4H)"), ((H, 4 * H), "(H, 4H)"),
                              ((4 * H,), "(4H,)")]))
    dx, dh0, _dc0, dWx, dWh, db = lstm_backward(dh, lstm_forward(x, h0, Wx, Wh, b)[1])
    reference = dict(zip(names, (dx, dh0, dWx, dWh, db)))  # the exercise returns no dc0
    outputs = array_outputs(report, fn, (dh, forward(x, h0, Wx, Wh, b)[1]), names, shapes)
    if outputs is None:
        return report.done("")
    numeric = numerical_gradients(lambda: np.sum(forward(x, h0, Wx, Wh, b)[0] * dh),
                                  dict(zip(names, (x, h0, Wx, Wh, b))))
    errors = compare(report, outputs, reference, numeric)
    if max(errors.values()) > TOL:
        diagnose(report, outputs, reference,
                 m.SEQUENCE_BACKWARD_MISTAKES + m.STEP_BACKWARD_MISTAKES,
                 lambda **options: m.lstm_backward_variant(dh, x, h0, Wx, Wh, b, **options))
        return report.done("")
    args32 = [a.astype(np.float32) for a in (x, h0, Wx, Wh, b)]
    array_outputs(report, fn, (dh.astype(np.float32), forward(*args32)[1]), names, shapes,
                  np.float32)
    worst = max(rel_error(outputs[k], numeric[k]) for k in names)
    return report.done(f"all five gradients match the reference, relative error "
                       f"{max(errors.values()):.1e}, and numerical gradients, {worst:.1e}")


# ---------------------------------------------------------------- clipping by the global norm
def _flat(arrays):
    return np.concatenate([np.ravel(a) for a in arrays])


def _check_clip_case(report, fn, base, max_norm):
    """One call of the student's clipping on copies of ``base``; True when it is right."""
    grads = {k: v.copy() for k, v in base.items()}
    expected = {k: v.copy() for k, v in base.items()}
    norm = clip_grad_norm(expected, max_norm)
    out = named_outputs(report, fn, (grads, max_norm), ["norm"])
    if out is None:
        return False
    if out["norm"] is None or np.ndim(out["norm"]) != 0:
        report.problem(f"it should return the global norm (a number), got "
                       f"{type(out['norm']).__name__}", "scale grads in place and return the "
                       "norm measured before clipping")
        return False
    if set(grads) != set(base) or any(np.shape(grads[k]) != base[k].shape for k in base):
        report.problem("grads must keep its names and shapes")
        return False
    outputs = {"clipped grads": _flat(grads[k] for k in base),
               "returned norm": np.float64(out["norm"])}
    reference = {"clipped grads": _flat(expected.values()), "returned norm": np.float64(norm)}
    if all(rel_error(outputs[k], reference[k]) <= CLIP_TOL for k in reference):
        return True
    report.problem(f"with global norm {norm:.2f} and max_norm {max_norm:g}:")
    errors = compare(report, outputs, reference, tol=CLIP_TOL)
    unchanged = rel_error(outputs["clipped grads"], _flat(base.values())) < MATCH
    if errors["clipped grads"] > CLIP_TOL and unchanged:
        report.problem("grads were not changed", "scale the arrays in place (g *= scale) or "
                       "store them back (grads[name] = ...)")

    def run(**options):
        clipped, returned = m.clip_variant(list(base.values()), max_norm, **options)
        return {"clipped grads": _flat(clipped), "returned norm": np.float64(returned)}
    diagnose(report, outputs, reference, m.CLIP_MISTAKES, run, tol=CLIP_TOL)
    return False


def check_clip_by_global_norm(fn, seed=6, dims=(D, H), max_norms=(5.0, 100.0)):
    """Check ``fn(grads, max_norm) -> norm``: grads (dict name -> array) scaled in place.

    Compared with the course's ``clip_grad_norm`` once above and once below ``max_norm``
    (gradients drawn with ``seed``, of sizes ``dims`` = (D, H); ``max_norms=None``: a third
    and three times their global norm).
    """
    report = Report("clip_by_global_norm")
    report.forbid(fn, clip_grad_norm)
    D, H = dims
    rng = np.random.default_rng(seed)
    base = {"Wx": rng.standard_normal((D, 4 * H)), "Wh": rng.standard_normal((H, 4 * H)),
            "b": 3.0 * rng.standard_normal(4 * H)}
    if max_norms is None:
        norm = np.sqrt(sum(np.sum(g ** 2) for g in base.values()))
        max_norms = (norm / 3, 3 * norm)
    for max_norm in max_norms:  # below the global norm (about 16 by default), then above it
        if not _check_clip_case(report, fn, base, max_norm):
            break
    return report.done("scales to max_norm when above it, leaves smaller gradients alone, "
                       "returns the norm before clipping")
