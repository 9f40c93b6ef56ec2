"""Checkers for the practice notebooks: run your function, compare with an oracle, explain.

Each ``check_<name>(fn)`` calls ``fn`` on fixed float64 inputs and compares every output with
the course's reference implementation (and, for backward passes, with numerical gradients).
It prints ``PASS`` or the most specific diagnosis it can find, and returns True or False:

- an exception, a missing output, or an output of the wrong shape (named, expected, got);
- an output of the wrong dtype (float64 in must give float64 out; float32 must stay float32);
- an input array changed in place (the caller's array would be corrupted);
- which output is off, and by how much (norm-wise relative error, as in ``rel_error``);
- a hint when the output matches a known classic mistake (see
  :mod:`course_lib.checks.mistakes`: every mistake there is run on the same inputs).

The other checkers (torch, training, text) use the same three public helpers: :class:`Report`
(call the function, collect problems and hints, print the verdict), :func:`diagnose` (match
wrong outputs with the catalogue of mistakes) and :func:`lstm_inputs` (the fixed inputs).

Dimension letters: N = 3 sequences, T = 5 steps, D = 6 inputs, H = 4 hidden units (all
different, so that a shape names its mistake).
"""

from __future__ import annotations

import inspect

import numpy as np

from course_lib.checks import mistakes as m
from course_lib.numpy_core.gradcheck import numerical_gradient, rel_error
from course_lib.numpy_core.lstm import (
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)
from course_lib.numpy_core.optim import clip_grad_norm
from course_lib.numpy_core.rnn import rnn_forward

N, T, D, H = 3, 5, 6, 4
TOL = 1e-8  # outputs of a correct float64 implementation agree to ~1e-15
MATCH = 1e-6  # a student's output "is" a known mistake when it agrees this well
CLIP_TOL = 1e-5  # the reference clipping divides by norm + 1e-6


NOT_IMPLEMENTED = ("not implemented yet: replace `raise NotImplementedError()` with your code, "
                   "run its cell, then this one")


class Report:
    """One check's verdict: problems (each with an optional hint), then PASS or FAIL.

    Every checker in the course follows the same steps::

        report = Report("my_function")
        ok, out = report.call(fn, x, W)  # your function; an exception becomes a problem
        if ok and rel_error(out, reference) > TOL:
            report.problem("out is off ...", hint="what to look at")
        return report.done("out matches the reference")  # prints; True when nothing was wrong
    """

    def __init__(self, name):
        self.name, self.problems, self.hints = name, [], []
        self.error = None  # the exception the last call raised (None when it returned)

    def call(self, fn, /, *args, **kwargs):
        """Run ``fn(*args, **kwargs)``: (True, what it returned), or (False, None) when it raised.

        The exception becomes a problem (and ``self.error``), so that a bug in your function
        shows as a clear message and the notebook keeps going.
        """
        self.error = None
        try:
            return True, fn(*args, **kwargs)
        except NotImplementedError as error:
            self.error = error
            self.problem(NOT_IMPLEMENTED)
        except Exception as error:  # the student's bug: show it, keep the notebook going
            self.error = error
            self.problem(f"calling it raised {type(error).__name__}: {error}")
        return False, None

    def problem(self, text, hint=None):
        self.problems.append(text)
        if hint and hint not in self.hints:
            self.hints.append(hint)

    def done(self, passed_detail):
        """Print PASS (with ``passed_detail``) or FAIL, each problem and each hint; True on PASS."""
        if not self.problems:
            print(f"{self.name}: PASS ({passed_detail})")
            return True
        print(f"{self.name}: FAIL")
        for text in self.problems:
            print(f"  - {text}")
        for hint in self.hints:
            print(f"  Hint: {hint}")
        return False


def lstm_inputs(seed=0, T_steps=None):
    """Fixed float64 inputs: (x, prev_h, prev_c, Wx, Wh, b); x is (N, T, D) when T_steps."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T_steps, D) if T_steps else (N, D))
    prev_h, prev_c = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    Wx = 0.4 * rng.standard_normal((D, 4 * H))
    Wh = 0.4 * rng.standard_normal((H, 4 * H))
    b = 0.5 * rng.standard_normal(4 * H)
    return x, prev_h, prev_c, Wx, Wh, b


def _outputs(report, fn, args, kwargs, names):
    """Call the student's fn; return its outputs as a dict name -> value (None after reporting
    an exception or a wrong number of outputs). Inputs changed in place are reported too."""
    before = [a.copy() if isinstance(a, np.ndarray) else None for a in args]
    ok, out = report.call(fn, *args, **kwargs)
    if not ok:
        return None
    changed = [k for k, (a, b) in enumerate(zip(args, before))
               if b is not None and not np.array_equal(a, b, equal_nan=True)]
    if changed:
        report.problem(f"it changed its input {', '.join(_arg_names(fn, changed))} in place",
                       "an in-place operation (+=, *=, out=, or writing into a slice) on an "
                       "input changes the caller's array: compute into a new array instead "
                       "(e.g. `dc = dnext_c + ...` rather than `dc = dnext_c; dc += ...`)")
    if len(names) == 1:
        out = (out,)
    if not isinstance(out, (tuple, list)) or len(out) != len(names):
        got = f"{len(out)} values" if isinstance(out, (tuple, list)) else type(out).__name__
        report.problem(f"it should return {len(names)} values ({', '.join(names)}), got {got}")
        return None
    return dict(zip(names, out))


def _arg_names(fn, positions):
    """The names of the student's parameters at ``positions`` (or "argument k")."""
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        params = []
    return [params[k] if k < len(params) else f"argument {k + 1}" for k in positions]


def _shape_hint(name, got, want):
    if len(got) == len(want) and tuple(got) == tuple(want)[::-1]:
        return f"{name} looks transposed: for y = x @ W, dW = x.T @ dy"
    if name == "db" and tuple(got) == (N, 4 * H):
        return "sum db over the batch: db = da.sum(axis=0)"
    return None


def _check_arrays(report, outputs, shapes, dtype):
    """Shapes and dtypes of the outputs; True when they are all right."""
    ok = True
    for name, (shape, letters) in shapes.items():
        value = outputs[name]
        if not isinstance(value, np.ndarray):
            report.problem(f"{name} should be a NumPy array, got {type(value).__name__}")
            ok = False
        elif value.shape != shape:
            report.problem(f"{name} has shape {value.shape}, expected {letters} = {shape}",
                           _shape_hint(name, value.shape, shape))
            ok = False
        elif value.dtype != dtype:
            report.problem(f"{name} has dtype {value.dtype}, expected {np.dtype(dtype)} "
                           "(the dtype of the inputs)",
                           "arrays made with np.zeros/np.empty are float64 unless you pass "
                           "dtype=x.dtype; avoid hard-coded dtypes")
            ok = False
    return ok


def _errors(outputs, reference):
    return {k: rel_error(outputs[k], reference[k]) for k in reference}


def diagnose(report, outputs, reference, errors, mistakes, run_variant, numeric=None, tol=TOL):
    """Report each wrong output, and the hint of each classic mistake its value matches.

    outputs, reference, errors: dicts output name -> your value, the correct value, and the
    relative error between them; mistakes: :class:`~course_lib.checks.mistakes.Mistake`
    list; run_variant(options) -> the outputs of the mistaken computation (same names);
    numeric: numerical gradients, quoted next to each wrong gradient when given.
    """
    wrong = [k for k, e in errors.items() if e > tol]
    for k in wrong:
        extra = f", {rel_error(outputs[k], numeric[k]):.1e} against numerical gradients" \
            if numeric else ""
        report.problem(f"{k} is off: relative error {errors[k]:.1e} against the reference"
                       f"{extra} (a correct answer gives < {tol:.0e})")
    variants = [(mistake, run_variant(mistake.options)) for mistake in mistakes]
    close = max(MATCH, tol)
    whole = [mistake.hint for mistake, out in variants  # mistakes that explain every output
             if all(rel_error(outputs[k], out[k]) < close for k in reference)]
    if whole:  # several when two mistakes have the same effect on these inputs
        report.hints.extend(whole)
        return
    for mistake, out in variants:  # else: mistakes that explain some of the wrong outputs
        explained = [k for k in wrong if rel_error(out[k], reference[k]) > close
                     and rel_error(outputs[k], out[k]) < close]
        if explained:
            report.hints.append(f"({', '.join(explained)}) {mistake.hint}")


def _float32_dtypes(report, call, shapes):
    """Call again with float32 inputs: outputs must stay float32."""
    outputs = call(np.float32)
    if outputs is not None:
        _check_arrays(report, outputs, shapes, np.float32)


# ---------------------------------------------------------------- the forward pass
STEP_SHAPES = {"next_h": ((N, H), "(N, H)"), "next_c": ((N, H), "(N, H)")}


def check_lstm_step_forward(fn):
    """Check ``fn(x, prev_h, prev_c, Wx, Wh, b) -> (next_h, next_c, cache)``."""
    report = Report("lstm_step_forward")
    inputs = lstm_inputs()
    outputs = _outputs(report, fn, inputs, {}, ["next_h", "next_c", "cache"])
    if outputs is None or not _check_arrays(report, outputs, STEP_SHAPES, np.float64):
        return report.done("")
    next_h, next_c, _ = lstm_step_forward(*inputs)
    reference = {"next_h": next_h, "next_c": next_c}
    errors = _errors(outputs, reference)
    if max(errors.values()) > TOL:
        swapped = [m.Mistake("outputs swapped", "return (next_h, next_c, cache) in this order",
                             {"swap": True})]

        def run(options):
            if options.get("swap"):
                return {"next_h": next_c, "next_c": next_h}
            return m.step_forward_outputs(inputs, **options)
        diagnose(report, outputs, reference, errors, swapped + m.STEP_FORWARD_MISTAKES, run)
        return report.done("")
    _float32_dtypes(report, lambda dt: _outputs(report, fn, [a.astype(dt) for a in inputs], {},
                                                ["next_h", "next_c", "cache"]), STEP_SHAPES)
    return report.done(f"next_h and next_c match the reference, relative error "
                       f"{max(errors.values()):.1e}; float32 stays float32")


def check_lstm_forward(fn):
    """Check ``fn(x, h0, Wx, Wh, b, c0=None) -> (h, cache)``."""
    report = Report("lstm_forward")
    x, h0, c0, Wx, Wh, b = lstm_inputs(seed=1, T_steps=T)
    shapes = {"h": ((N, T, H), "(N, T, H)")}
    outputs = _outputs(report, fn, (x, h0, Wx, Wh, b), {}, ["h", "cache"])
    if outputs is None or not _check_arrays(report, outputs, shapes, np.float64):
        return report.done("")
    reference = {"h": lstm_forward(x, h0, Wx, Wh, b)[0]}
    errors = _errors(outputs, reference)
    if errors["h"] > TOL:
        mistakes = m.SEQUENCE_FORWARD_MISTAKES + m.STEP_FORWARD_MISTAKES
        diagnose(report, outputs, reference, errors, mistakes,
                 lambda options: {"h": m.lstm_forward_variant(x, h0, Wx, Wh, b, **options)})
        return report.done("")
    # with a given initial cell state
    with_c0 = _outputs(report, fn, (x, h0, Wx, Wh, b), {"c0": c0}, ["h", "cache"])
    if with_c0 is not None and _check_arrays(report, with_c0, shapes, np.float64):
        error = rel_error(with_c0["h"], lstm_forward(x, h0, Wx, Wh, b, c0=c0)[0])
        if error > TOL:
            ignored = rel_error(with_c0["h"], reference["h"]) < MATCH
            report.problem(f"with c0 given, h is off: relative error {error:.1e}",
                           "start the cell state from c0 when it is given (zeros only when "
                           "c0 is None)" if ignored else None)
    _float32_dtypes(report, lambda dt: _outputs(report, fn, [a.astype(dt) for a in
                                                             (x, h0, Wx, Wh, b)], {},
                                                ["h", "cache"]), shapes)
    return report.done(f"h matches the reference, relative error {errors['h']:.1e}, also "
                       "with c0 given; float32 stays float32")


# ---------------------------------------------------------------- the backward pass
def _numerical(objective, arrays):
    """Numerical gradients of objective() with respect to each array (perturbed in place)."""
    return {name: numerical_gradient(lambda _: objective(), a) for name, a in arrays.items()}


def check_lstm_step_backward(fn, forward=lstm_step_forward):
    """Check ``fn(dnext_h, dnext_c, cache) -> (dx, dprev_h, dprev_c, dWx, dWh, db)``.

    ``cache`` comes from ``forward`` (the course's ``lstm_step_forward`` unless you pass yours).
    """
    report = Report("lstm_step_backward")
    inputs = lstm_inputs(seed=2)
    rng = np.random.default_rng(3)
    dnext_h, dnext_c = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    names = ["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"]
    shapes = dict(zip(names, [((N, D), "(N, D)"), ((N, H), "(N, H)"), ((N, H), "(N, H)"),
                              ((D, 4 * H), "(D, 4H)"), ((H, 4 * H), "(H, 4H)"),
                              ((4 * H,), "(4H,)")]))
    reference = dict(zip(names, lstm_step_backward(dnext_h, dnext_c,
                                                   lstm_step_forward(*inputs)[2])))
    outputs = _outputs(report, fn, (dnext_h, dnext_c, forward(*inputs)[2]), {}, names)
    if outputs is None or not _check_arrays(report, outputs, shapes, np.float64):
        return report.done("")

    def objective():
        next_h, next_c, _ = forward(*inputs)
        return np.sum(next_h * dnext_h) + np.sum(next_c * dnext_c)
    numeric = _numerical(objective, dict(zip(names, inputs)))
    errors = _errors(outputs, reference)
    if max(errors.values()) > TOL:
        diagnose(report, outputs, reference, errors, m.STEP_BACKWARD_MISTAKES,
                 lambda options: m.lstm_step_backward_variant(dnext_h, dnext_c, *inputs,
                                                              **options), numeric)
        return report.done("")
    inputs32 = [a.astype(np.float32) for a in inputs]
    _float32_dtypes(report, lambda dt: _outputs(
        report, fn, (dnext_h.astype(dt), dnext_c.astype(dt), forward(*inputs32)[2]), {},
        names), shapes)
    worst = max(rel_error(outputs[k], numeric[k]) for k in names)
    return report.done(f"all six gradients match the reference, relative error "
                       f"{max(errors.values()):.1e}, and numerical gradients, {worst:.1e}")


def check_lstm_backward(fn, forward=lstm_forward):
    """Check ``fn(dh, cache) -> (dx, dh0, dWx, dWh, db)``.

    ``cache`` comes from ``forward`` (the course's ``lstm_forward`` unless you pass yours).
    """
    report = Report("lstm_backward")
    x, h0, _, Wx, Wh, b = lstm_inputs(seed=4, T_steps=T)
    dh = np.random.default_rng(5).standard_normal((N, T, H))
    names = ["dx", "dh0", "dWx", "dWh", "db"]
    shapes = dict(zip(names, [((N, T, D), "(N, T, D)"), ((N, H), "(N, H)"),
                              ((D, 4 * H), "(D, 4H)"), ((H, 4 * H), "(H, 4H)"),
                              ((4 * H,), "(4H,)")]))
    reference = dict(zip(names, lstm_backward(dh, lstm_forward(x, h0, Wx, Wh, b)[1])))
    outputs = _outputs(report, fn, (dh, forward(x, h0, Wx, Wh, b)[1]), {}, names)
    if outputs is None or not _check_arrays(report, outputs, shapes, np.float64):
        return report.done("")
    numeric = _numerical(lambda: np.sum(forward(x, h0, Wx, Wh, b)[0] * dh),
                         dict(zip(names, (x, h0, Wx, Wh, b))))
    errors = _errors(outputs, reference)
    if max(errors.values()) > TOL:
        mistakes = m.SEQUENCE_BACKWARD_MISTAKES + m.STEP_BACKWARD_MISTAKES
        diagnose(report, outputs, reference, errors, mistakes,
                 lambda options: m.lstm_backward_variant(dh, x, h0, Wx, Wh, b, **options),
                 numeric)
        return report.done("")
    args32 = [a.astype(np.float32) for a in (x, h0, Wx, Wh, b)]
    _float32_dtypes(report, lambda dt: _outputs(report, fn, (dh.astype(dt),
                                                             forward(*args32)[1]), {}, names),
                    shapes)
    worst = max(rel_error(outputs[k], numeric[k]) for k in names)
    return report.done(f"all five gradients match the reference, relative error "
                       f"{max(errors.values()):.1e}, and numerical gradients, {worst:.1e}")


# ---------------------------------------------------------------- clipping, gradient norms
def _check_clip_case(report, fn, base, max_norm):
    """One call of the student's clipping on copies of ``base``; True when it is right."""
    grads = {k: v.copy() for k, v in base.items()}
    expected = {k: v.copy() for k, v in base.items()}
    norm = clip_grad_norm(expected, max_norm)
    out = _outputs(report, fn, (grads, max_norm), {}, ["norm"])
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

    def flat(arrays):
        return np.concatenate([np.ravel(a) for a in arrays])
    outputs = {"clipped grads": flat(grads[k] for k in base),
               "returned norm": np.float64(out["norm"])}
    reference = {"clipped grads": flat(expected.values()), "returned norm": np.float64(norm)}
    errors = _errors(outputs, reference)
    if max(errors.values()) <= CLIP_TOL:
        return True
    report.problem(f"with global norm {norm:.2f} and max_norm {max_norm:g}:")
    unchanged = rel_error(outputs["clipped grads"], flat(base.values())) < MATCH
    if errors["clipped grads"] > CLIP_TOL and unchanged:
        report.problem("grads were not changed", "scale the arrays in place (g *= scale) or "
                       "store them back (grads[name] = ...)")

    def run(options):
        clipped, returned = m.clip_variant(list(base.values()), max_norm, **options)
        return {"clipped grads": flat(clipped), "returned norm": np.float64(returned)}
    diagnose(report, outputs, reference, errors, m.CLIP_MISTAKES, run, tol=CLIP_TOL)
    return False


def check_clip_by_global_norm(fn):
    """Check ``fn(grads, max_norm) -> norm``: grads (dict name -> array) scaled in place.

    Compared with the course's ``clip_grad_norm`` once above and once below ``max_norm``.
    """
    report = Report("clip_by_global_norm")
    rng = np.random.default_rng(6)
    base = {"Wx": rng.standard_normal((D, 4 * H)), "Wh": rng.standard_normal((H, 4 * H)),
            "b": 3.0 * rng.standard_normal(4 * H)}
    for max_norm in (5.0, 100.0):  # the global norm of base is about 16
        if not _check_clip_case(report, fn, base, max_norm):
            break
    return report.done("scales to max_norm when above it, leaves smaller gradients alone, "
                       "returns the norm before clipping")


def check_rnn_gradient_norms(fn):
    """Check ``fn(h, Wh, dh_last) -> norms``: norms[k] = ||dL/dh_(T-1-k)||, shape (T,)."""
    report = Report("rnn_gradient_norms")
    rng = np.random.default_rng(7)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    Wx, Wh, b = rng.standard_normal((D, H)), 0.8 * rng.standard_normal((H, H)), np.zeros(H)
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    dh_last = rng.standard_normal((N, H))
    outputs = _outputs(report, fn, (h, Wh, dh_last), {}, ["norms"])
    if outputs is None:
        return report.done("")
    outputs["norms"] = np.asarray(outputs["norms"], dtype=np.float64)
    if not _check_arrays(report, outputs, {"norms": ((T,), "(T,)")}, np.float64):
        return report.done("")
    reference = {"norms": m.rnn_gradient_norms_variant(h, Wh, dh_last)}
    errors = _errors(outputs, reference)
    if errors["norms"] > TOL:
        diagnose(report, outputs, reference, errors, m.GRADIENT_NORM_MISTAKES,
                 lambda options: {"norms": m.rnn_gradient_norms_variant(h, Wh, dh_last,
                                                                        **options)})
        return report.done("")
    return report.done(f"norms match the reference, relative error {errors['norms']:.1e}")
