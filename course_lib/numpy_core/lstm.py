"""The LSTM layer in NumPy: one time step, then a whole sequence, forward and backward.

Dimension letters: N batch size, T time steps, D input size, H hidden size.
Gates are stacked in PyTorch's order **i, f, g, o** (input, forget, cell candidate, output), so
the weights map one-to-one onto ``torch.nn.LSTM``::

    Wx = weight_ih_l0.T    # (D, 4H)
    Wh = weight_hh_l0.T    # (H, 4H)
    b  = bias_ih_l0 + bias_hh_l0    # (4H,)

The equations, for one step with a = x Wx + prev_h Wh + b split into four (N, H) blocks::

    i = sigmoid(a_i)   f = sigmoid(a_f)   g = tanh(a_g)   o = sigmoid(a_o)
    next_c = f * prev_c + i * g
    next_h = o * tanh(next_c)

The step functions are the readable reference. The sequence functions compute exactly the same
thing, arranged for speed: the input projection of all T steps is one matrix product, each step
does one (N, H) x (H, 4H) product on the recurrence, buffers are allocated once and written with
``out=``, and the weight gradients are one product each after the backward loop. Arrays keep
their dtype (float32 stays float32).
"""

from __future__ import annotations

import numpy as np

from course_lib.numpy_core.shapes import expect_ndim, expect_shape


def sigmoid(z, out=None):
    """Logistic function 1 / (1 + exp(-z)), computed as 0.5 + 0.5 tanh(z / 2).

    The tanh form never overflows (no warnings for large |z|) and keeps the dtype of ``z``.
    """
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def _check_weights(x, prev_h, Wx, Wh, b, h_name):
    D = x.shape[-1]
    expect_ndim(h_name, prev_h, 2, "(N, H)")
    N, H = prev_h.shape
    expect_shape(h_name, prev_h, (x.shape[0], H), "(N, H)")
    expect_shape("Wx", Wx, (D, 4 * H), "(D, 4H)")
    expect_shape("Wh", Wh, (H, 4 * H), "(H, 4H)")
    expect_shape("b", b, (4 * H,), "(4H,)")
    return N, D, H


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One LSTM step.

    Inputs:
    - x: (N, D) inputs at this step
    - prev_h, prev_c: (N, H) hidden and cell state from the previous step
    - Wx: (D, 4H), Wh: (H, 4H), b: (4H,) weights, gate blocks i, f, g, o

    Returns (next_h, next_c, cache): next_h and next_c are (N, H); cache is for the backward pass.
    """
    expect_ndim("x", x, 2, "(N, D)")
    N, D, H = _check_weights(x, prev_h, Wx, Wh, b, "prev_h")
    expect_shape("prev_c", prev_c, (N, H), "(N, H)")
    a = x @ Wx + prev_h @ Wh + b  # (N, 4H)
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H : 2 * H])
    g = np.tanh(a[:, 2 * H : 3 * H])
    o = sigmoid(a[:, 3 * H :])
    next_c = f * prev_c + i * g
    tanh_c = np.tanh(next_c)
    next_h = o * tanh_c
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c)
    return next_h, next_c, cache


def lstm_step_backward(dnext_h, dnext_c, cache):
    """Backward pass of one LSTM step.

    Inputs:
    - dnext_h, dnext_c: (N, H) gradients of the loss with respect to next_h and next_c
    - cache: from lstm_step_forward

    Returns (dx, dprev_h, dprev_c, dWx, dWh, db) with the shapes of x, prev_h, prev_c, Wx, Wh, b.
    """
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c = cache
    expect_shape("dnext_h", dnext_h, tanh_c.shape, "(N, H)")
    expect_shape("dnext_c", dnext_c, tanh_c.shape, "(N, H)")
    # next_h = o * tanh(next_c): the cell gets gradient from next_c directly and through next_h.
    dc = dnext_c + dnext_h * o * (1 - tanh_c**2)
    da_i = dc * g * i * (1 - i)
    da_f = dc * prev_c * f * (1 - f)
    da_g = dc * i * (1 - g**2)
    da_o = dnext_h * tanh_c * o * (1 - o)
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)  # (N, 4H)
    dx = da @ Wx.T
    dprev_h = da @ Wh.T
    dprev_c = dc * f
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = da.sum(axis=0)
    return dx, dprev_h, dprev_c, dWx, dWh, db


def lstm_forward(x, h0, Wx, Wh, b, c0=None):
    """LSTM over a whole sequence.

    Inputs:
    - x: (N, T, D) input sequence
    - h0: (N, H) initial hidden state
    - Wx: (D, 4H), Wh: (H, 4H), b: (4H,) weights, gate blocks i, f, g, o
    - c0: (N, H) initial cell state, zeros when None

    Returns (h, cache): h is (N, T, H), the hidden state at every step. The final state
    (h_T, c_T) is ``lstm_final_state(cache)``.
    """
    expect_ndim("x", x, 3, "(N, T, D)")
    N, D, H = _check_weights(x, h0, Wx, Wh, b, "h0")
    T = x.shape[1]
    if c0 is not None:
        expect_shape("c0", c0, (N, H), "(N, H)")
    dtype = np.result_type(x, h0, Wx, Wh, b)

    xs = np.ascontiguousarray(x.transpose(1, 0, 2), dtype=dtype)  # (T, N, D), time-major
    gates = (xs.reshape(T * N, D) @ Wx).reshape(T, N, 4 * H)  # input projection, all steps
    gates += b
    hs = np.empty((T + 1, N, H), dtype)  # hs[t] is the state *before* step t
    cs = np.empty((T + 1, N, H), dtype)
    tanh_cs = np.empty((T, N, H), dtype)
    hs[0] = h0
    cs[0] = 0 if c0 is None else c0
    rec = np.empty((N, 4 * H), dtype)  # prev_h @ Wh
    ig = np.empty((N, H), dtype)  # i * g
    for t in range(T):
        a = gates[t]  # (N, 4H), becomes [i, f, g, o] in place
        np.matmul(hs[t], Wh, out=rec)
        a += rec
        sigmoid(a[:, : 2 * H], out=a[:, : 2 * H])  # i, f
        np.tanh(a[:, 2 * H : 3 * H], out=a[:, 2 * H : 3 * H])  # g
        sigmoid(a[:, 3 * H :], out=a[:, 3 * H :])  # o
        i, f, g, o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        np.multiply(f, cs[t], out=cs[t + 1])
        np.multiply(i, g, out=ig)
        cs[t + 1] += ig
        np.tanh(cs[t + 1], out=tanh_cs[t])
        np.multiply(o, tanh_cs[t], out=hs[t + 1])

    h = np.ascontiguousarray(hs[1:].transpose(1, 0, 2))  # (N, T, H)
    cache = {"xs": xs, "hs": hs, "cs": cs, "tanh_cs": tanh_cs, "gates": gates, "Wx": Wx, "Wh": Wh}
    return h, cache


def lstm_final_state(cache):
    """The state after the last step, ``(h_T, c_T)``, each (N, H), from lstm_forward's cache."""
    return cache["hs"][-1].copy(), cache["cs"][-1].copy()


def lstm_backward(dh, cache, dh_T=None, dc_T=None, cut_h_paths=False):
    """Backward pass of lstm_forward (backpropagation through time).

    Inputs:
    - dh: (N, T, H) gradient of the loss with respect to every hidden state h, through the
      outputs (``dh[:, -1]`` already includes whatever the loss says about h_T as an output)
    - cache: from lstm_forward
    - dh_T, dc_T: (N, H) or None, gradients arriving at the final state (h_T, c_T) from beyond
      the sequence, e.g. from the next window of truncated BPTT when the state is carried on.
      None means zero.
    - cut_h_paths: when True, no gradient flows from step t back into h_{t-1} through Wh, so
      the only way back in time is the cell path c_t -> c_{t-1} (scaled by f_t). This is
      Hochreiter & Schmidhuber's (1997) truncated gradient; it is for measuring that path
      alone, not for training (dh0 and the gradients it drops are then zero or incomplete).

    Returns (dx, dh0, dc0, dWx, dWh, db) with the shapes of x, h0, c0, Wx, Wh, b.
    """
    xs, hs, cs, tanh_cs, gates = (cache[k] for k in ("xs", "hs", "cs", "tanh_cs", "gates"))
    Wx, Wh = cache["Wx"], cache["Wh"]
    T, N, H = tanh_cs.shape
    D = xs.shape[2]
    expect_shape("dh", dh, (N, T, H), "(N, T, H)")
    dtype = gates.dtype

    dhs = np.array(dh.transpose(1, 0, 2), dtype=dtype, order="C")  # (T, N, H), summed into
    dgates = np.empty_like(gates)  # (T, N, 4H): gradient w.r.t. the pre-activations a
    if dh_T is not None:
        expect_shape("dh_T", dh_T, (N, H), "(N, H)")
    if dc_T is not None:
        expect_shape("dc_T", dc_T, (N, H), "(N, H)")
    dh_next = np.zeros((N, H), dtype)  # gradient arriving at h_t from step t + 1
    dc = np.zeros((N, H), dtype)  # gradient at c_t (from step t + 1, then from h_t)
    if dh_T is not None:
        dh_next += dh_T
    if dc_T is not None:
        dc += dc_T
    tmp = np.empty((N, H), dtype)
    dsig = np.empty((N, 2 * H), dtype)  # sigmoid'(a) = s (1 - s) for the i, f blocks
    for t in reversed(range(T)):
        a, da = gates[t], dgates[t]
        i, f, g, o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        da_i, da_f, da_g, da_o = da[:, :H], da[:, H : 2 * H], da[:, 2 * H : 3 * H], da[:, 3 * H :]
        tanh_c, dh_t = tanh_cs[t], dhs[t]
        dh_t += dh_next
        # dc += dh_t * o * (1 - tanh(c)^2)
        np.multiply(tanh_c, tanh_c, out=tmp)
        np.subtract(1, tmp, out=tmp)
        tmp *= o
        tmp *= dh_t
        dc += tmp
        # da_o = dh_t * tanh(c) * o (1 - o)
        np.multiply(dh_t, tanh_c, out=da_o)
        np.subtract(1, o, out=tmp)
        tmp *= o
        da_o *= tmp
        # da_i = dc * g * i (1 - i),  da_f = dc * prev_c * f (1 - f)
        np.multiply(dc, g, out=da_i)
        np.multiply(dc, cs[t], out=da_f)
        np.subtract(1, a[:, : 2 * H], out=dsig)
        dsig *= a[:, : 2 * H]
        da[:, : 2 * H] *= dsig
        # da_g = dc * i * (1 - g^2)
        np.multiply(dc, i, out=da_g)
        np.multiply(g, g, out=tmp)
        np.subtract(1, tmp, out=tmp)
        da_g *= tmp
        # to step t - 1
        dc *= f
        if cut_h_paths:
            dh_next.fill(0)
        else:
            np.matmul(da, Wh.T, out=dh_next)

    da_all = dgates.reshape(T * N, 4 * H)
    dWx = xs.reshape(T * N, D).T @ da_all
    dWh = hs[:-1].reshape(T * N, H).T @ da_all
    db = da_all.sum(axis=0)
    dx = np.ascontiguousarray((da_all @ Wx.T).reshape(T, N, D).transpose(1, 0, 2))
    return dx, dh_next, dc, dWx, dWh, db
