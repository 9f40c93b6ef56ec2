"""What the NumPy checkers share (notebooks 01, 02, 03; the torch cell of 05 borrows the inputs):
the fixed inputs, calling the student's function for named array outputs, shapes, dtypes and
relative errors.

Dimension letters: N = 3 sequences, T = 5 steps, D = 6 inputs, H = 4 hidden units (all
different, so that a shape names its mistake).
"""

from __future__ import annotations

import inspect

import numpy as np

from course_lib.numpy_core.gradcheck import numerical_gradient, rel_error

N, T, D, H = 3, 5, 6, 4
TOL = 1e-8  # outputs of a correct float64 implementation agree to ~1e-15


def lstm_inputs(seed=0, T_steps=None, dims=(N, D, H)):
    """Fixed float64 inputs: (x, prev_h, prev_c, Wx, Wh, b); x is (N, T, D) when T_steps.

    ``dims``: (N, D, H), other sizes than the default ones (the hidden tests use them)."""
    N, D, H = dims
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T_steps, D) if T_steps else (N, D))
    prev_h, prev_c = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    Wx = 0.4 * rng.standard_normal((D, 4 * H))
    Wh = 0.4 * rng.standard_normal((H, 4 * H))
    b = 0.5 * rng.standard_normal(4 * H)
    return x, prev_h, prev_c, Wx, Wh, b


def named_outputs(report, fn, args, names, **kwargs):
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


def check_arrays(report, outputs, shapes, dtype):
    """Shapes and dtypes of the outputs (shapes: name -> (shape, letters)); True when right."""
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


def array_outputs(report, fn, args, names, shapes, dtype=np.float64, **kwargs):
    """:func:`named_outputs`, then :func:`check_arrays` of those named in ``shapes``: the
    outputs, or None once a problem is reported."""
    outputs = named_outputs(report, fn, args, names, **kwargs)
    if outputs is None or not check_arrays(report, outputs, shapes, dtype):
        return None
    return outputs


def compare(report, outputs, reference, numeric=None, tol=TOL):
    """name -> rel_error of each output against the reference; a problem for each above
    ``tol``, quoting the error against numerical gradients too when ``numeric`` is given."""
    errors = {k: rel_error(outputs[k], reference[k]) for k in reference}
    for k, error in errors.items():
        if error > tol:
            extra = (f", {rel_error(outputs[k], numeric[k]):.1e} against numerical gradients"
                     if numeric else "")
            report.problem(f"{k} is off: relative error {error:.1e} against the reference"
                           f"{extra} (a correct answer gives < {tol:.0e})")
    return errors


def numerical_gradients(objective, arrays):
    """name -> numerical gradient of objective() with respect to arrays[name] (perturbed in
    place, then restored)."""
    return {name: numerical_gradient(lambda _: objective(), a) for name, a in arrays.items()}
