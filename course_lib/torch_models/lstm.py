"""A hand-written LSTM in PyTorch, laid out exactly like the NumPy core.

Dimension letters: N batch size, T time steps, D input size, H hidden size, L layers.

The parameters have the NumPy core's names and shapes, gate blocks in PyTorch's order
**i, f, g, o**::

    Wx: (D, 4H)    Wh: (H, 4H)    b: (4H,)

so NumPy weights load with :meth:`LSTM.from_numpy`, and ``torch.nn.LSTM`` weights map as
``Wx = weight_ih_l0.T``, ``Wh = weight_hh_l0.T``, ``b = bias_ih_l0 + bias_hh_l0``
(:func:`copy_to_nn_lstm`, :meth:`LSTM.from_nn_lstm`). Autograd writes the backward pass.

This module is for teaching: the course's models run on ``torch.nn.LSTM`` (cuDNN on a GPU) by
default and can use this one with ``impl="scratch"``. :class:`LSTM` takes and returns what
``nn.LSTM(..., batch_first=True)`` does, so either can be dropped in for the other.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def lstm_step(x, prev_h, prev_c, Wx, Wh, b):
    """One LSTM step, the same equations as ``numpy_core.lstm_step_forward``.

    Inputs: x (N, D); prev_h, prev_c (N, H); Wx (D, 4H); Wh (H, 4H); b (4H,).
    Returns (next_h, next_c), each (N, H).
    """
    gates = x @ Wx + prev_h @ Wh + b  # (N, 4H)
    return gates_to_state(gates, prev_c)


def gates_to_state(gates, prev_c):
    """The gate non-linearities and the state update: gates (N, 4H), prev_c (N, H) -> (h, c)."""
    i, f, g, o = gates.chunk(4, dim=1)  # four (N, H) blocks, order i, f, g, o
    next_c = torch.sigmoid(f) * prev_c + torch.sigmoid(i) * torch.tanh(g)
    next_h = torch.sigmoid(o) * torch.tanh(next_c)
    return next_h, next_c


class LSTMCell(nn.Module):
    """One LSTM step as a module: parameters Wx (D, 4H), Wh (H, 4H), b (4H,).

    ``forward(x, state=None)``: x (N, D), state a pair (prev_h, prev_c) of (N, H) or None for
    zeros. Returns (next_h, next_c).
    """

    def __init__(self, input_size, hidden_size, *, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        H = hidden_size
        kw = {"device": device, "dtype": dtype}
        self.Wx = nn.Parameter(torch.empty(input_size, 4 * H, **kw))
        self.Wh = nn.Parameter(torch.empty(H, 4 * H, **kw))
        self.b = nn.Parameter(torch.empty(4 * H, **kw))
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias uniform in [-1/sqrt(H), 1/sqrt(H)].

        The weights follow ``nn.LSTM``'s rule. The bias does not quite: ``nn.LSTM`` has two
        biases, each uniform in that range, and adds them, so its effective bias is triangular on
        [-2/sqrt(H), 2/sqrt(H)] (twice the spread); ours is one uniform draw. Compare the two
        only with weights copied across (``copy_to_nn_lstm``), never by initialisation."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def forward(self, x, state=None):
        if state is None:
            zeros = x.new_zeros(x.shape[0], self.hidden_size)
            state = (zeros, zeros)
        return lstm_step(x, state[0], state[1], self.Wx, self.Wh, self.b)

    @torch.no_grad()
    def load_numpy(self, Wx, Wh, b):
        """Copy NumPy (or torch) arrays Wx (D, 4H), Wh (H, 4H), b (4H,) into this cell."""
        for name, value in (("Wx", Wx), ("Wh", Wh), ("b", b)):
            param = getattr(self, name)
            value = torch.as_tensor(value)
            if value.shape != param.shape:
                raise ValueError(f"{name} has shape {tuple(value.shape)}, expected {tuple(param.shape)}")
            param.copy_(value)
        return self

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}"


class LSTM(nn.Module):
    """A stack of :class:`LSTMCell` layers unrolled over time, batch first.

    Same call as ``nn.LSTM(D, H, num_layers, batch_first=True, dropout=p)``:
    ``forward(x, state=None)`` with x (N, T, D) and state a pair (h0, c0) of (L, N, H) or None.
    Returns (out, (h_n, c_n)): out (N, T, H) the last layer's hidden states, h_n and c_n (L, N, H).
    Dropout (training only) is applied to each layer's output except the last.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, dropout=0.0, *, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.dropout = num_layers, dropout
        sizes = [input_size] + [hidden_size] * (num_layers - 1)
        kw = {"device": device, "dtype": dtype}
        self.cells = nn.ModuleList(LSTMCell(d, hidden_size, **kw) for d in sizes)

    def forward(self, x, state=None):
        N, T, _ = x.shape
        if state is None:
            zeros = x.new_zeros(self.num_layers, N, self.hidden_size)
            state = (zeros, zeros)
        h_n, c_n = [], []
        for layer, cell in enumerate(self.cells):
            if layer > 0 and self.dropout > 0:
                x = nn.functional.dropout(x, self.dropout, self.training)
            # The input projection of all T steps is one matrix product; the loop does the rest.
            x_proj = x @ cell.Wx + cell.b  # (N, T, 4H)
            h, c = state[0][layer], state[1][layer]  # (N, H) each
            outputs = []
            for t in range(T):
                h, c = gates_to_state(x_proj[:, t] + h @ cell.Wh, c)  # (N, H) each
                outputs.append(h)
            x = torch.stack(outputs, dim=1)  # (N, T, H)
            h_n.append(h)
            c_n.append(c)
        return x, (torch.stack(h_n), torch.stack(c_n))

    @classmethod
    def from_numpy(cls, *layers, dtype=torch.float64):
        """Build from NumPy weights, one ``(Wx, Wh, b)`` tuple per layer (or a dict with those keys).

        >>> lstm = LSTM.from_numpy((Wx, Wh, b))  # doctest: +SKIP
        """
        layers = [(p["Wx"], p["Wh"], p["b"]) if isinstance(p, dict) else p for p in layers]
        D, H4 = layers[0][0].shape
        lstm = cls(D, H4 // 4, num_layers=len(layers), dtype=dtype)
        for cell, (Wx, Wh, b) in zip(lstm.cells, layers):
            cell.load_numpy(Wx, Wh, b)
        return lstm

    def to_numpy(self):
        """The weights as NumPy arrays: one dict {"Wx", "Wh", "b"} per layer."""
        return [{k: p.detach().cpu().numpy().copy() for k, p in cell.named_parameters()}
                for cell in self.cells]

    @classmethod
    def from_nn_lstm(cls, module: nn.LSTM):
        """A hand-written copy of a unidirectional ``nn.LSTM`` (same dtype, same numbers)."""
        if module.bidirectional or module.proj_size:
            raise ValueError("only unidirectional nn.LSTM without projections can be copied")
        layers = []
        for k in range(module.num_layers):
            w_ih, w_hh = getattr(module, f"weight_ih_l{k}"), getattr(module, f"weight_hh_l{k}")
            b = torch.zeros(w_ih.shape[0], dtype=w_ih.dtype)
            if module.bias:
                b = getattr(module, f"bias_ih_l{k}") + getattr(module, f"bias_hh_l{k}")
            layers.append((w_ih.detach().T, w_hh.detach().T, b.detach()))
        lstm = cls.from_numpy(*layers, dtype=layers[0][0].dtype)
        lstm.dropout = module.dropout
        return lstm

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, dropout={self.dropout}"


@torch.no_grad()
def copy_to_nn_lstm(lstm: LSTM, module: nn.LSTM) -> nn.LSTM:
    """Copy a hand-written :class:`LSTM` into a unidirectional ``nn.LSTM`` of the same sizes.

    ``weight_ih = Wx.T``, ``weight_hh = Wh.T``, ``bias_ih = b``, ``bias_hh = 0``. Returns ``module``.
    """
    if module.num_layers != lstm.num_layers or module.hidden_size != lstm.hidden_size:
        raise ValueError("nn.LSTM and LSTM differ in num_layers or hidden_size")
    for k, cell in enumerate(lstm.cells):
        getattr(module, f"weight_ih_l{k}").copy_(cell.Wx.T)
        getattr(module, f"weight_hh_l{k}").copy_(cell.Wh.T)
        if module.bias:
            getattr(module, f"bias_ih_l{k}").copy_(cell.b)
            getattr(module, f"bias_hh_l{k}").zero_()
    return module
