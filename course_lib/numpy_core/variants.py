"""LSTM variants in NumPy: the GRU, the peephole LSTM and the coupled input-forget gate (CIFG).

Dimension letters: N batch size, T time steps, D input size, H hidden size.

**GRU** (Cho et al. 2014) in PyTorch's formulation, gate blocks in the order **r, z, n**, so the
weights map one-to-one onto ``torch.nn.GRU``::

    Wx = weight_ih_l0.T (D, 3H)   Wh = weight_hh_l0.T (H, 3H)   bx = bias_ih_l0   bh = bias_hh_l0

    ax = x Wx + bx    ah = prev_h Wh + bh          (two (N, 3H) arrays, blocks r, z, n)
    r = sigmoid(ax_r + ah_r)   z = sigmoid(ax_z + ah_z)
    n = tanh(ax_n + r * ah_n)  # the reset gate multiplies (prev_h Wh_n + bh_n)
    next_h = (1 - z) * n + z * prev_h

**Peephole LSTM** (Gers & Schmidhuber 2000): the LSTM of :mod:`.lstm` (blocks i, f, g, o) plus
diagonal peephole weights p = (p_i, p_f, p_o), each (H,): i and f see prev_c, o sees next_c::

    i = sigmoid(a_i + p_i * prev_c)   f = sigmoid(a_f + p_f * prev_c)   g = tanh(a_g)
    next_c = f * prev_c + i * g
    o = sigmoid(a_o + p_o * next_c)   next_h = o * tanh(next_c)

**CIFG**: one gate fewer, i = 1 - f; Wx (D, 3H), Wh (H, 3H), b (3H,) in the order f, g, o::

    next_c = f * prev_c + (1 - f) * g
"""

from __future__ import annotations

import numpy as np

from course_lib.numpy_core.lstm import sigmoid


def _split(a, k):
    """Split (N, kH) into k blocks of (N, H)."""
    return np.split(a, k, axis=1)


def gru_step_forward(x, prev_h, Wx, Wh, bx, bh):
    """One GRU step. x (N, D), prev_h (N, H), Wx (D, 3H), Wh (H, 3H), bx, bh (3H,).

    Returns next_h (N, H) and the cache for :func:`gru_step_backward`.
    """
    ax = x @ Wx + bx  # (N, 3H)
    ah = prev_h @ Wh + bh  # (N, 3H)
    ax_r, ax_z, ax_n = _split(ax, 3)
    ah_r, ah_z, ah_n = _split(ah, 3)
    r = sigmoid(ax_r + ah_r)
    z = sigmoid(ax_z + ah_z)
    n = np.tanh(ax_n + r * ah_n)
    next_h = (1 - z) * n + z * prev_h
    return next_h, (x, prev_h, Wx, Wh, r, z, n, ah_n)


def gru_step_backward(dnext_h, cache):
    """Backward of :func:`gru_step_forward`: dnext_h (N, H).

    Returns (dx (N, D), dprev_h (N, H), dWx (D, 3H), dWh (H, 3H), dbx (3H,), dbh (3H,)).
    """
    x, prev_h, Wx, Wh, r, z, n, ah_n = cache
    dn = dnext_h * (1 - z)
    dz = dnext_h * (prev_h - n)
    dprev_h = dnext_h * z
    dan = dn * (1 - n * n)  # gradient of the pre-activation of n
    dr = dan * ah_n
    dar = dr * r * (1 - r)
    daz = dz * z * (1 - z)
    dax = np.concatenate([dar, daz, dan], axis=1)  # (N, 3H)
    dah = np.concatenate([dar, daz, dan * r], axis=1)  # (N, 3H)
    dx = dax @ Wx.T
    dprev_h = dprev_h + dah @ Wh.T
    return dx, dprev_h, x.T @ dax, prev_h.T @ dah, dax.sum(axis=0), dah.sum(axis=0)


def gru_forward(x, h0, Wx, Wh, bx, bh):
    """A GRU over a sequence: x (N, T, D), h0 (N, H). Returns h (N, T, H) and a cache."""
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]), dtype=x.dtype)
    caches, prev_h = [], h0
    for t in range(T):
        prev_h, cache = gru_step_forward(x[:, t], prev_h, Wx, Wh, bx, bh)
        h[:, t] = prev_h
        caches.append(cache)
    return h, caches


def gru_backward(dh, caches):
    """Backward of :func:`gru_forward`: dh (N, T, H), the loss gradient at every step's output.

    Returns (dx (N, T, D), dh0 (N, H), dWx, dWh, dbx, dbh).
    """
    N, T, _ = dh.shape
    Wx, Wh = caches[0][2], caches[0][3]
    dx = np.empty((N, T, Wx.shape[0]), dtype=dh.dtype)
    dWx, dWh = np.zeros_like(Wx), np.zeros_like(Wh)
    dbx, dbh = np.zeros(Wx.shape[1], dh.dtype), np.zeros(Wh.shape[1], dh.dtype)
    dprev_h = np.zeros_like(dh[:, 0])
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dWx_t, dWh_t, dbx_t, dbh_t = gru_step_backward(dh[:, t] + dprev_h,
                                                                          caches[t])
        dWx += dWx_t
        dWh += dWh_t
        dbx += dbx_t
        dbh += dbh_t
    return dx, dprev_h, dWx, dWh, dbx, dbh


def peephole_step_forward(x, prev_h, prev_c, Wx, Wh, b, p):
    """One peephole-LSTM step. x (N, D), prev_h, prev_c (N, H), Wx (D, 4H), Wh (H, 4H),
    b (4H,), p (3H,): the diagonal peepholes p_i, p_f, p_o.

    Returns next_h, next_c (N, H) and the cache for :func:`peephole_step_backward`.
    """
    a_i, a_f, a_g, a_o = _split(x @ Wx + prev_h @ Wh + b, 4)
    p_i, p_f, p_o = np.split(p, 3)
    i = sigmoid(a_i + p_i * prev_c)
    f = sigmoid(a_f + p_f * prev_c)
    g = np.tanh(a_g)
    next_c = f * prev_c + i * g
    o = sigmoid(a_o + p_o * next_c)
    tc = np.tanh(next_c)
    next_h = o * tc
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, p, i, f, g, o, next_c, tc)


def peephole_step_backward(dnext_h, dnext_c, cache):
    """Backward of :func:`peephole_step_forward`: dnext_h, dnext_c (N, H).

    Returns (dx, dprev_h, dprev_c, dWx, dWh, db, dp).
    """
    x, prev_h, prev_c, Wx, Wh, p, i, f, g, o, next_c, tc = cache
    p_i, p_f, p_o = np.split(p, 3)
    da_o = dnext_h * tc * o * (1 - o)
    dc = dnext_c + dnext_h * o * (1 - tc * tc) + da_o * p_o  # o sees next_c
    da_i = dc * g * i * (1 - i)
    da_f = dc * prev_c * f * (1 - f)
    da_g = dc * i * (1 - g * g)
    dprev_c = dc * f + da_i * p_i + da_f * p_f
    dp = np.concatenate([(da_i * prev_c).sum(0), (da_f * prev_c).sum(0), (da_o * next_c).sum(0)])
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)  # (N, 4H)
    return (da @ Wx.T, da @ Wh.T, dprev_c, x.T @ da, prev_h.T @ da, da.sum(axis=0), dp)


def cifg_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One CIFG step (i = 1 - f). x (N, D), prev_h, prev_c (N, H), Wx (D, 3H), Wh (H, 3H),
    b (3H,), blocks f, g, o.

    Returns next_h, next_c (N, H) and the cache for :func:`cifg_step_backward`.
    """
    a_f, a_g, a_o = _split(x @ Wx + prev_h @ Wh + b, 3)
    f, g, o = sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    next_c = f * prev_c + (1 - f) * g
    tc = np.tanh(next_c)
    return o * tc, next_c, (x, prev_h, prev_c, Wx, Wh, f, g, o, tc)


def cifg_step_backward(dnext_h, dnext_c, cache):
    """Backward of :func:`cifg_step_forward`. Returns (dx, dprev_h, dprev_c, dWx, dWh, db)."""
    x, prev_h, prev_c, Wx, Wh, f, g, o, tc = cache
    da_o = dnext_h * tc * o * (1 - o)
    dc = dnext_c + dnext_h * o * (1 - tc * tc)
    da_f = dc * (prev_c - g) * f * (1 - f)
    da_g = dc * (1 - f) * (1 - g * g)
    da = np.concatenate([da_f, da_g, da_o], axis=1)  # (N, 3H)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def parameter_counts(D, H):
    """Parameters of one layer (input size D, hidden size H) per cell: {name: count}."""
    lstm = 4 * (D * H + H * H + H)
    return {"vanilla LSTM": lstm, "peephole LSTM": lstm + 3 * H,
            "CIFG": 3 * (D * H + H * H + H), "GRU": 3 * (D * H + H * H + 2 * H)}
