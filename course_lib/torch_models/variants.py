"""The LSTM variants of Greff et al. 2017 ("LSTM: A Search Space Odyssey") as PyTorch layers.

Dimension letters: N batch size, T time steps, D input size, H hidden size.

One layer, :class:`VariantLSTM`, laid out like the NumPy core (gate blocks i, f, g, o;
``Wx`` (D, kH), ``Wh`` (H, kH), ``b`` (kH,)), with ``variant`` one of:

- ``vanilla``: the LSTM of :mod:`~course_lib.numpy_core.lstm`;
- ``nfg``: no forget gate, f = 1 (the 1997 LSTM);  ``nig``: no input gate, i = 1;
- ``nog``: no output gate, o = 1;  ``noaf``: no output activation, h = o * c;
- ``ph``: peepholes (:func:`~course_lib.numpy_core.variants.peephole_step_forward`);
- ``cifg``: coupled input-forget gate, i = 1 - f (k = 3 blocks f, g, o);
- ``fgr``: full gate recurrence: the gates also see the previous step's gate activations
  through R (4H, 4H).

``forward(x)`` takes and returns what ``nn.LSTM(D, H, batch_first=True)`` does:
x (N, T, D) -> (out (N, T, H), (h_n, c_n) each (1, N, H)), so the course's
:class:`~course_lib.torch_models.RecurrentEncoder` uses it as ``rnn_type="lstm-<variant>"``.
Autograd writes the backward pass; the loop over time is Python, slower than cuDNN's.
"""

from __future__ import annotations

import math
from functools import partial

import torch
from torch import nn

VARIANTS = ("vanilla", "nfg", "nog", "nig", "noaf", "ph", "cifg", "fgr")


class VariantLSTM(nn.Module):
    """One LSTM layer of the chosen ``variant`` (see the module docstring), batch first."""

    def __init__(self, input_size, hidden_size, variant="vanilla", batch_first=True, *,
                 dtype=None):
        super().__init__()
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
        if not batch_first:
            raise ValueError("VariantLSTM is batch first")
        self.input_size, self.hidden_size, self.variant = input_size, hidden_size, variant
        H, k = hidden_size, 3 if variant == "cifg" else 4
        self.Wx = nn.Parameter(torch.empty(input_size, k * H, dtype=dtype))
        self.Wh = nn.Parameter(torch.empty(H, k * H, dtype=dtype))
        self.b = nn.Parameter(torch.empty(k * H, dtype=dtype))
        self.p = nn.Parameter(torch.empty(3 * H, dtype=dtype)) if variant == "ph" else None
        self.R = nn.Parameter(torch.empty(4 * H, 4 * H, dtype=dtype)) if variant == "fgr" else None
        bound = 1.0 / math.sqrt(H)  # nn.LSTM's rule
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def step(self, a, c, prev_gates):
        """Gates and state update: a (N, kH) pre-activations, c (N, H) -> (h, c, gates)."""
        v = self.variant
        if v == "cifg":
            a_f, a_g, a_o = a.chunk(3, dim=1)
            f, g = torch.sigmoid(a_f), torch.tanh(a_g)
            c = f * c + (1 - f) * g
            o = torch.sigmoid(a_o)
            return o * torch.tanh(c), c, None
        if v == "fgr":
            a = a + prev_gates @ self.R
        a_i, a_f, a_g, a_o = a.chunk(4, dim=1)
        if v == "ph":
            p_i, p_f, p_o = self.p.chunk(3)
            a_i, a_f = a_i + p_i * c, a_f + p_f * c
        i = torch.ones_like(a_i) if v == "nig" else torch.sigmoid(a_i)
        f = torch.ones_like(a_f) if v == "nfg" else torch.sigmoid(a_f)
        g = torch.tanh(a_g)
        c = f * c + i * g
        if v == "ph":
            a_o = a_o + p_o * c
        o = torch.ones_like(a_o) if v == "nog" else torch.sigmoid(a_o)
        h = o * c if v == "noaf" else o * torch.tanh(c)
        gates = torch.cat([i, f, g, o], dim=1) if v == "fgr" else None
        return h, c, gates

    def forward(self, x, state=None):
        N, T, _ = x.shape
        if state is None:
            h = c = x.new_zeros(N, self.hidden_size)
        else:
            h, c = state[0][0], state[1][0]
        gates = x.new_zeros(N, 4 * self.hidden_size) if self.variant == "fgr" else None
        x_proj = x @ self.Wx + self.b  # (N, T, kH): the input projection of every step at once
        outputs = []
        for t in range(T):
            h, c, gates = self.step(x_proj[:, t] + h @ self.Wh, c, gates)
            outputs.append(h)
        return torch.stack(outputs, dim=1), (h[None], c[None])

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}, variant={self.variant!r}"


# rnn_type names for RecurrentEncoder / SequenceClassifier: "lstm-nfg", "lstm-ph", ...
VARIANT_TYPES = {f"lstm-{v}": partial(VariantLSTM, variant=v) for v in VARIANTS}
