"""Checker for practice notebook 01: the norms of the gradient flowing back through a tanh RNN.

``check_rnn_gradient_norms(fn)`` runs ``fn`` on a fixed RNN run, compares its norms with the
reference (:func:`course_lib.checks.mistakes.rnn_gradient_norms_variant`, whose defaults are
correct), prints ``PASS`` or a diagnosis with the hint of each classic mistake the norms match,
and returns True or False.

Dimension letters: N = 3 sequences, T = 5 steps, D = 6 inputs, H = 4 hidden units by default;
``dims`` gives other sizes (the hidden tests of the graded cells use them).

The predict-then-measure exercise (does a spectral radius above 1 make the gradient explode,
whatever the inputs?): ``check_measure_saturation(fn)`` checks the student's measurement of
the rate per step and of the mean tanh derivative at several input scales, and
``check_saturation_conclusion(grows, ...)`` their verdict, grow or vanish, against the
measured truth (their recorded prediction is compared, not graded).
"""

from __future__ import annotations

import numpy as np

from course_lib.checks import mistakes as m
from course_lib.checks._arrays import TOL, D, H, N, T, check_arrays, compare, named_outputs
from course_lib.checks.report import Mistake, Report, diagnose
from course_lib.numpy_core.init import orthogonal
from course_lib.numpy_core.rnn import rnn_forward


def check_rnn_gradient_norms(fn, shapes_only=False, seed=7, dims=(N, T, D, H)):
    """Check ``fn(h, Wh, dh_last) -> norms``: norms[k] = ||dL/dh_(T-1-k)||, shape (T,).

    ``shapes_only``: stop after the shape and dtype (partial credit). The RNN run is drawn
    with ``seed``, of sizes ``dims`` = (N, T, D, H)."""
    report = Report("rnn_gradient_norms")
    report.forbid(fn, m.rnn_gradient_norms_variant)
    n, t, d, k = dims
    rng = np.random.default_rng(seed)
    x, h0 = rng.standard_normal((n, t, d)), rng.standard_normal((n, k))
    Wx, Wh, b = rng.standard_normal((d, k)), 0.8 * rng.standard_normal((k, k)), np.zeros(k)
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    dh_last = rng.standard_normal((n, k))
    outputs = named_outputs(report, fn, (h, Wh, dh_last), ["norms"])
    if outputs is None:
        return report.done("")
    outputs["norms"] = np.asarray(outputs["norms"], dtype=np.float64)
    if not check_arrays(report, outputs, {"norms": ((t,), "(T,)")}, np.float64) or shapes_only:
        return report.done("norms has shape (T,), float64")
    reference = {"norms": m.rnn_gradient_norms_variant(h, Wh, dh_last)}
    errors = compare(report, outputs, reference)
    if errors["norms"] > TOL:
        diagnose(report, outputs, reference, m.GRADIENT_NORM_MISTAKES,
                 lambda **options: {"norms": m.rnn_gradient_norms_variant(h, Wh, dh_last,
                                                                          **options)})
        return report.done("")
    return report.done(f"norms match the reference, relative error {errors['norms']:.1e}")


# ---------------------------------------------------------------- saturation: predict, then measure
SATURATION_SCALES = (0.1, 1.0, 3.0, 10.0, 30.0)  # the input weights' scale, s * Wx


def saturation_inputs(seed=7, dims=(4, 12, 3, 8), rho=2.0):
    """An RNN set-up for the study: x (N, T, D), Wx (D, H), Wh = rho * an orthogonal (H, H)
    matrix (every singular value rho), dh_last (N, H); drawn with ``seed``, sizes ``dims``."""
    n, t, d, k = dims
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, t, d))
    Wx = 0.3 * rng.standard_normal((d, k)) / np.sqrt(d)
    Wh = rho * orthogonal(k, rng)
    return x, Wx, Wh, rng.standard_normal((n, k))


def _rate(norms, rate="per step"):
    """The rate per step of norms (T,) from lag 0 to lag T-1 (or a mistaken version of it)."""
    t = len(norms)
    if rate == "total":
        return float(norms[-1] / norms[0])
    if rate == "inverted":
        return float((norms[0] / norms[-1]) ** (1 / (t - 1)))
    if rate == "root T":
        return float((norms[-1] / norms[0]) ** (1 / t))
    if rate == "from lag 1":
        return float((norms[-1] / norms[1]) ** (1 / (t - 2)))
    return float((norms[-1] / norms[0]) ** (1 / (t - 1)))


def _mean_derivative(h, derivative="1-h^2"):
    """The mean of 1 - h**2 over every state of h (N, T, H), or a mistaken version of it."""
    values = {"1-h": 1 - h, "h^2": h**2, "last state": 1 - h[:, -1] ** 2}.get(derivative)
    return float(np.mean(1 - h**2 if values is None else values))


def reference_saturation(x, Wx, Wh, dh_last, scales, *, rate="per step", derivative="1-h^2",
                         scaled="Wx", **gradient_options):
    """(rates, mean_derivative), each a dict scale -> float, for an RNN with input weights
    s * Wx, h_0 = 0, b = 0: the rate per step (norms[T-1] / norms[0]) ** (1 / (T-1)) of the
    gradient from ``dh_last`` back, and the mean of 1 - h**2 over every hidden state.

    The keyword options compute the classic mistakes of SATURATION_MISTAKES (and, passed on to
    :func:`~course_lib.checks.mistakes.rnn_gradient_norms_variant`, those of the gradient's
    recurrence); the defaults are correct."""
    n, k = x.shape[0], Wh.shape[0]
    rates, mean_derivative = {}, {}
    for s in scales:
        x_weights, h_weights = (s * Wx, Wh) if scaled == "Wx" else (Wx, s * Wh)
        h, _ = rnn_forward(x, np.zeros((n, k)), x_weights, h_weights, np.zeros(k))
        norms = m.rnn_gradient_norms_variant(h, h_weights, dh_last, **gradient_options)
        rates[s] = _rate(norms, rate)
        mean_derivative[s] = _mean_derivative(h, derivative)
    return rates, mean_derivative


SATURATION_MISTAKES = [
    Mistake("total ratio", "that is the whole ratio norms[T-1] / norms[0]; the rate per step is "
            "its (T-1)-th root: the factor that, applied T-1 times, gives the ratio",
            {"rate": "total"}),
    Mistake("inverted", "your rates are inverted: norms[T-1] (the first state, lag T-1) over "
            "norms[0] (dh_last, lag 0), so that a rate below 1 means vanishing",
            {"rate": "inverted"}),
    Mistake("root T", "T states are T-1 steps apart: the exponent is 1 / (T-1), not 1 / T",
            {"rate": "root T"}),
    Mistake("from lag 1", "measure from lag 0 (dh_last itself, norms[0]), over T-1 steps; "
            "lecture 01 started at lag 1 because it measured the gradient at the inputs",
            {"rate": "from lag 1"}),
    Mistake("Wh scaled", "scale the input weights (s * Wx) and keep Wh as given: the question "
            "is what the inputs' strength does at a fixed spectral radius", {"scaled": "Wh"}),
    Mistake("derivative not squared", "the tanh derivative is 1 - h**2, the mean over every "
            "sequence, step and unit", {"derivative": "1-h"}),
    Mistake("saturation, not derivative", "that is the mean of h**2; the derivative is 1 - h**2",
            {"derivative": "h^2"}),
    Mistake("last state only", "average 1 - h**2 over every hidden state of the run (all T "
            "steps), not the last one only: the gradient goes back through all of them",
            {"derivative": "last state"}),
] + [Mistake(mistake.name, "your rnn_gradient_norms (its check above fails too): "
             + mistake.hint, mistake.options) for mistake in m.GRADIENT_NORM_MISTAKES]


def check_measure_saturation(fn, seed=7, dims=(4, 12, 3, 8), rho=2.0, scales=SATURATION_SCALES):
    """Check ``fn(x, Wx, Wh, dh_last, scales) -> (rates, mean_derivative)``, two dicts scale ->
    float (see :func:`reference_saturation`), on the set-up of :func:`saturation_inputs`."""
    report = Report("measure_saturation")
    report.forbid(fn, reference_saturation, m.rnn_gradient_norms_variant)
    args = saturation_inputs(seed, dims, rho)
    given = [a.copy() for a in args]  # the reference below runs on the untouched originals
    ok, out = report.call(fn, *given, tuple(scales))
    if not ok:
        return report.done("")
    if any(not np.array_equal(a, b) for a, b in zip(args, given)):
        report.problem("it changed x, Wx, Wh or dh_last in place", "scale a copy (s * Wx "
                       "makes a new array; Wx *= s changes the caller's)")
    if not isinstance(out, tuple) or len(out) != 2 or not all(isinstance(d, dict) for d in out):
        report.problem(f"it should return two dicts (rates, mean_derivative), got "
                       f"{type(out).__name__}")
        return report.done("")
    if any(set(d) != set(scales) for d in out):
        report.problem(f"the dicts' keys should be the scales {list(scales)}, got "
                       f"{sorted(out[0])} and {sorted(out[1])}")
        return report.done("")
    try:
        outputs = {name: np.array([float(d[s]) for s in scales])
                   for name, d in zip(("rates", "mean_derivative"), out)}
    except (TypeError, ValueError) as error:
        report.problem(f"every value should be a number: {error}")
        return report.done("")

    def run(**options):
        rates, derivative = reference_saturation(*args, scales, **options)
        return {"rates": np.array([rates[s] for s in scales]),
                "mean_derivative": np.array([derivative[s] for s in scales])}
    reference = run()
    errors = compare(report, outputs, reference)
    if max(errors.values()) > TOL:
        diagnose(report, outputs, reference, SATURATION_MISTAKES, run)
        return report.done("")
    return report.done(f"rates and mean derivatives match at the {len(scales)} scales "
                       f"(relative error {max(errors.values()):.1e})")


def check_saturation_conclusion(grows, x, Wx, Wh, dh_last, scales=SATURATION_SCALES,
                                predicted=None):
    """Check ``grows`` (dict scale -> bool: does the gradient's norm grow over the T-1 steps
    back?) against the measured truth on this set-up; ``predicted`` (the same kind of dict, the
    student's prediction) is compared with it in the verdict, not graded."""
    report = Report("saturation conclusion")
    rates, _ = reference_saturation(x, Wx, Wh, dh_last, scales)
    truth = {s: rates[s] > 1 for s in scales}
    if not isinstance(grows, dict) or set(grows) != set(scales):
        report.problem(f"grows should be a dict with one entry per scale {list(scales)}, got "
                       f"{grows!r}")
        return report.done("")
    if not all(isinstance(v, (bool, np.bool_)) for v in grows.values()):
        report.problem("every value of grows should be True or False")
        return report.done("")
    answer = {s: bool(grows[s]) for s in scales}
    rho = float(np.linalg.norm(Wh, 2))
    wrong = [s for s in scales if answer[s] != truth[s]]
    if wrong:
        report.problem("; ".join(f"scale {s:g}: your answer {answer[s]}, but the measured rate "
                                 f"per step is {rates[s]:.3f}" for s in wrong))
        if isinstance(predicted, dict) and all(answer[s] == bool(predicted.get(s)) for s in scales):
            report.hint("those are your predictions: the conclusion must say what you measured")
        elif all(answer[s] == (rates[s] > rho) for s in scales):
            report.hint(f"the norm grows when the rate per step is above 1, not above the bound "
                        f"rho = {rho:g}")
        elif all(answer[s] != truth[s] for s in scales):
            report.hint("every answer is reversed: a rate per step below 1 means the norm "
                        "shrinks at every step back (it vanishes)")
        else:
            report.hint("grows[s] is True exactly when the measured rate per step at scale s "
                        "is above 1")
        return report.done("")
    detail = "grows at " + (", ".join(f"{s:g}" for s in scales if truth[s]) or "no scale")
    if isinstance(predicted, dict):
        hits = sum(bool(predicted.get(s)) == truth[s] for s in scales)
        detail += f"; your prediction was right at {hits} of {len(scales)} scales"
    return report.done(detail)
