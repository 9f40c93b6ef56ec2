"""The vanilla (Elman) RNN in NumPy, for comparison with the LSTM.

Dimension letters: N batch size, T time steps, D input size, H hidden size.
One step is ``next_h = tanh(x Wx + prev_h Wh + b)``. Same conventions as
:mod:`course_lib.numpy_core.lstm`: forward returns ``(out, cache)``, backward takes
``(dout, cache)``, the sequence version does the input projection of all steps in one product.
"""

from __future__ import annotations

import numpy as np

from course_lib.numpy_core.shapes import expect_ndim, expect_shape


def _check_weights(x, prev_h, Wx, Wh, b, h_name):
    expect_ndim(h_name, prev_h, 2, "(N, H)")
    N, H = prev_h.shape
    expect_shape(h_name, prev_h, (x.shape[0], H), "(N, H)")
    expect_shape("Wx", Wx, (x.shape[-1], H), "(D, H)")
    expect_shape("Wh", Wh, (H, H), "(H, H)")
    expect_shape("b", b, (H,), "(H,)")
    return N, x.shape[-1], H


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """One RNN step.

    Inputs: x (N, D), prev_h (N, H), Wx (D, H), Wh (H, H), b (H,).
    Returns (next_h, cache) with next_h (N, H).
    """
    expect_ndim("x", x, 2, "(N, D)")
    _check_weights(x, prev_h, Wx, Wh, b, "prev_h")
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    """Backward pass of one RNN step.

    Inputs: dnext_h (N, H), cache from rnn_step_forward.
    Returns (dx, dprev_h, dWx, dWh, db) with the shapes of x, prev_h, Wx, Wh, b.
    """
    x, prev_h, Wx, Wh, next_h = cache
    expect_shape("dnext_h", dnext_h, next_h.shape, "(N, H)")
    da = dnext_h * (1 - next_h**2)  # (N, H), gradient before the tanh
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    """RNN over a whole sequence.

    Inputs: x (N, T, D), h0 (N, H), Wx (D, H), Wh (H, H), b (H,).
    Returns (h, cache) with h (N, T, H), the hidden state at every step.
    """
    expect_ndim("x", x, 3, "(N, T, D)")
    N, D, H = _check_weights(x, h0, Wx, Wh, b, "h0")
    T = x.shape[1]
    dtype = np.result_type(x, h0, Wx, Wh, b)
    xs = np.ascontiguousarray(x.transpose(1, 0, 2), dtype=dtype)  # (T, N, D), time-major
    hs = np.empty((T + 1, N, H), dtype)  # hs[t] is the state before step t
    hs[0] = h0
    hs[1:] = (xs.reshape(T * N, D) @ Wx).reshape(T, N, H) + b  # input projection, all steps
    rec = np.empty((N, H), dtype)
    for t in range(T):
        np.matmul(hs[t], Wh, out=rec)
        hs[t + 1] += rec
        np.tanh(hs[t + 1], out=hs[t + 1])
    h = np.ascontiguousarray(hs[1:].transpose(1, 0, 2))  # (N, T, H)
    return h, (xs, hs, Wx, Wh)


def rnn_backward(dh, cache):
    """Backward pass of rnn_forward (backpropagation through time).

    Inputs: dh (N, T, H) gradient with respect to every hidden state, cache from rnn_forward.
    Returns (dx, dh0, dWx, dWh, db) with the shapes of x, h0, Wx, Wh, b.
    """
    xs, hs, Wx, Wh = cache
    T, N, D = xs.shape
    H = hs.shape[2]
    expect_shape("dh", dh, (N, T, H), "(N, T, H)")
    das = np.array(dh.transpose(1, 0, 2), dtype=hs.dtype, order="C")  # (T, N, H)
    dh_next = np.zeros((N, H), hs.dtype)
    tmp = np.empty((N, H), hs.dtype)
    for t in reversed(range(T)):
        da = das[t]  # becomes the gradient before the tanh at step t
        da += dh_next
        np.multiply(hs[t + 1], hs[t + 1], out=tmp)
        np.subtract(1, tmp, out=tmp)
        da *= tmp
        np.matmul(da, Wh.T, out=dh_next)
    da_all = das.reshape(T * N, H)
    dWx = xs.reshape(T * N, D).T @ da_all
    dWh = hs[:-1].reshape(T * N, H).T @ da_all
    db = da_all.sum(axis=0)
    dx = np.ascontiguousarray((da_all @ Wx.T).reshape(T, N, D).transpose(1, 0, 2))
    return dx, dh_next, dWx, dWh, db
