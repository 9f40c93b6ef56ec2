"""Gradient checks: compare analytic gradients with centred differences.

The numerical derivative of a scalar objective L with respect to one entry w is::

    dL/dw  ~  (L(w + h) - L(w - h)) / (2 h),  error O(h^2), h = 1e-5

Run it in float64: in float32 the rounding of L swamps differences of size h. Compare with
``rel_error``, the norm-wise relative error of a whole gradient array; correct float64 code gives
about 1e-9 or less, and anything above 1e-7 is a bug.

    result = check_layer_gradients(lstm_forward, lstm_backward,
                                   dict(x=x, h0=h0, Wx=Wx, Wh=Wh, b=b, c0=c0),
                                   wrt=["x", "h0", "c0", "Wx", "Wh", "b"])
    print(result)              # one line per input, worst first
    assert result.worst[1] < 1e-7
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def rel_error(a, b, floor=1e-12):
    """Norm-wise relative error ||a - b|| / max(||a|| + ||b||, floor), a float in [0, 1].

    Norm-wise (not entry-wise), so that entries whose true gradient is near zero do not
    dominate; ``floor`` keeps two all-zero arrays at error 0.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), floor))


def _require_float64(name, x):
    if x.dtype != np.float64:
        raise ValueError(f"{name} is {x.dtype}; numerical gradients need float64 "
                         "(differences of size 1e-5 drown in float32 rounding)")


def _numerical_at(f, x, indices, h):
    """Centred differences of the scalar f() with respect to x.flat[indices] (x is perturbed)."""
    grad = np.empty(len(indices))
    for k, i in enumerate(indices):
        idx = np.unravel_index(i, x.shape)
        old = x[idx]
        x[idx] = old + h
        f_plus = f()
        x[idx] = old - h
        f_minus = f()
        x[idx] = old
        grad[k] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient(f, x, dout=None, h=1e-5):
    """Numerical gradient of f at x by centred differences, array of x's shape.

    - f: called as f(x) after x is changed in place; returns a scalar, or an array when
      ``dout`` is given (then the gradient is that of sum(f(x) * dout), i.e. a
      vector-Jacobian product, as a backward pass computes)
    - x: float64 array, perturbed one entry at a time and restored
    - h: the step
    """
    _require_float64("x", x)
    if dout is None:
        def scalar():
            return float(f(x))
    else:
        def scalar():
            return float(np.sum(f(x) * dout))
    return _numerical_at(scalar, x, range(x.size), h).reshape(x.shape)


@dataclass
class GradCheckResult:
    """Relative error of every checked gradient, by name."""

    errors: dict

    @property
    def worst(self):
        """(name, error) of the largest relative error."""
        return max(self.errors.items(), key=lambda item: item[1])

    def passed(self, tol=1e-7):
        return self.worst[1] < tol

    def __str__(self):
        rows = sorted(self.errors.items(), key=lambda item: -item[1])
        return "\n".join(f"{name:>12s}  relative error {err:.2e}" for name, err in rows)


def _check(name, analytic, x, objective, h, samples, rng):
    _require_float64(name, x)
    if np.shape(analytic) != x.shape:
        raise ValueError(f"gradient of {name} has shape {np.shape(analytic)}, expected {x.shape}")
    indices = np.arange(x.size)
    if samples is not None and samples < x.size:
        indices = rng.choice(x.size, samples, replace=False)
    numeric = _numerical_at(objective, x, indices, h)
    return rel_error(np.asarray(analytic).reshape(-1)[indices], numeric)


def check_layer_gradients(forward, backward, inputs, wrt=None, h=1e-5, samples=None, seed=0):
    """Check a forward/backward pair on every differentiable input.

    - forward: called as forward(**inputs), returns (*outputs, cache)
    - backward: called as backward(*douts, cache), returns the gradients of ``wrt`` in order
    - inputs: dict name -> value, in the forward's argument order
    - wrt: names the backward's gradients belong to; default: every float array in inputs
    - samples: check only this many random entries per input (None: all of them)

    Random upstream gradients ``douts`` make the objective sum(outputs * douts).
    Returns a GradCheckResult.
    """
    rng = np.random.default_rng(seed)
    if wrt is None:
        wrt = [k for k, v in inputs.items()
               if isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating)]
    *outs, cache = forward(**inputs)
    douts = [rng.standard_normal(np.shape(o)) for o in outs]
    analytic = backward(*douts, cache)
    if not isinstance(analytic, tuple):
        analytic = (analytic,)
    if len(analytic) != len(wrt):
        raise ValueError(f"backward returned {len(analytic)} gradients for wrt={wrt}")

    def objective():
        *outs, _ = forward(**inputs)
        return float(sum(np.sum(o * d) for o, d in zip(outs, douts)))

    return GradCheckResult({name: _check(name, grad, inputs[name], objective, h, samples, rng)
                            for name, grad in zip(wrt, analytic)})


def check_model_gradients(loss_fn, params, h=1e-5, samples=None, seed=0):
    """Check every parameter of a model.

    - loss_fn: called with no arguments, returns (loss, grads) with grads keyed like params;
      it must be deterministic (no dropout, or a reseeded rng; a fixed starting state)
    - params: dict name -> float64 array that loss_fn reads (e.g. ``model.params``)
    - samples: check only this many random entries per parameter (None: all of them)

    Returns a GradCheckResult.
    """
    rng = np.random.default_rng(seed)
    _, grads = loss_fn()
    missing = [name for name in params if name not in grads]
    if missing:
        raise ValueError(f"grads has no entry for {missing}")

    def objective():
        return float(loss_fn()[0])

    return GradCheckResult({name: _check(name, grads[name], p, objective, h, samples, rng)
                            for name, p in params.items()})
