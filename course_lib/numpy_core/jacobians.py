"""The Jacobian of one LSTM step's state, derived by hand and measured by finite differences.

Notebook 01 uses it to show why the gradient along the cell is not the whole story: c_t depends
on c_{t-1} directly, through f_t, and also through h_{t-1}, which every gate reads via W_h.
Treating the state as the pair s = (h, c), one step back multiplies the gradient by

    J_t = [[dh_t/dh_{t-1}, dh_t/dc_{t-1}],
           [dc_t/dh_{t-1}, dc_t/dc_{t-1}]]      (2H, 2H)

and only the corner dc_t/dc_{t-1} = diag(f_t) is the constant error carousel.
"""

from __future__ import annotations

import numpy as np

from course_lib.numpy_core.lstm import lstm_step_forward, sigmoid


def lstm_state_jacobian(x, prev_h, prev_c, Wx, Wh, b):
    """J = d(h_t, c_t) / d(h_{t-1}, c_{t-1}) for ONE example, by the chain rule.

    x: (D,); prev_h, prev_c: (H,); Wx (D, 4H), Wh (H, 4H), b (4H,), gate blocks i, f, g, o.
    Returns J (2H, 2H): J[a, k] = d s_t[a] / d s_{t-1}[k] with s = (h, c) stacked.
    """
    H = prev_h.shape[0]
    a = x @ Wx + prev_h @ Wh + b
    i, f, o = sigmoid(a[:H]), sigmoid(a[H:2 * H]), sigmoid(a[3 * H:])
    g = np.tanh(a[2 * H:3 * H])
    tanh_c = np.tanh(f * prev_c + i * g)
    Wi, Wf, Wg, Wo = (Wh[:, k * H:(k + 1) * H].T for k in range(4))  # (H, H): d a_gate / d h
    dc_dh = ((i * (1 - i) * g)[:, None] * Wi + (f * (1 - f) * prev_c)[:, None] * Wf
             + (i * (1 - g**2))[:, None] * Wg)  # every gate reads h_{t-1}
    dc_dc = np.diag(f)  # the cell path
    dh_dc_next = o * (1 - tanh_c**2)  # d h_t / d c_t, diagonal
    dh_dh = (o * (1 - o) * tanh_c)[:, None] * Wo + dh_dc_next[:, None] * dc_dh
    dh_dc = np.diag(dh_dc_next * f)
    return np.block([[dh_dh, dh_dc], [dc_dh, dc_dc]])


def numerical_state_jacobian(x, prev_h, prev_c, Wx, Wh, b, eps=1e-6):
    """The same J (2H, 2H) by centred differences through ``lstm_step_forward`` (float64)."""
    H = prev_h.shape[0]
    state = np.concatenate([prev_h, prev_c]).astype(np.float64)
    J = np.empty((2 * H, 2 * H))
    for k in range(2 * H):
        columns = []
        for sign in (1, -1):
            s = state.copy()
            s[k] += sign * eps
            next_h, next_c, _ = lstm_step_forward(x[None], s[None, :H], s[None, H:], Wx, Wh, b)
            columns.append(np.concatenate([next_h[0], next_c[0]]))
        J[:, k] = (columns[0] - columns[1]) / (2 * eps)
    return J
