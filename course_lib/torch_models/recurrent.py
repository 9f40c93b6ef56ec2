"""A stack of recurrent layers that reads right-padded batches exactly.

Dimension letters: N batch size, T time steps (the longest sequence in the batch), D input size,
H hidden size, K directions (1, or 2 when bidirectional).

Batches are *right-padded*: sequence n occupies steps ``0 .. lengths[n] - 1``, padding follows.

- The forward direction reads left to right, so its outputs at real steps never see padding.
- The backward direction must start at each sequence's *own* last step, not at step T - 1.
  :func:`reverse_padded` reverses every sequence within its length (padding stays at the end),
  the layer reads that left to right, and the result is reversed back the same way.

That is exact and fast on a CPU. On a GPU, packed sequences (``pack=True``) let cuDNN skip the
padding; the answer is the same, only the speed differs (on these 2-core CPUs packing was
measured ~8x slower, so it is off by default). Each layer and direction is its own single-layer
``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN`` (or the hand-written :class:`~course_lib.torch_models.lstm.LSTM`
with ``impl="scratch"``); dropout is applied between layers.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from course_lib.torch_models.lstm import LSTM as ScratchLSTM
from course_lib.torch_models.variants import VARIANT_TYPES

# "lstm-<variant>": the LSTM variants of torch_models.variants (Python loop over time)
RNN_TYPES = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN, **VARIANT_TYPES}


def length_mask(lengths, T):
    """Boolean mask (N, T), True at real steps: ``mask[n, t] = t < lengths[n]``."""
    return torch.arange(T, device=lengths.device) < lengths[:, None]


def reverse_padded(x, lengths):
    """Reverse each sequence of x (N, T, ...) within its own length; padding stays where it is.

    Applying it twice gives x back. ``lengths`` (N,) holds integers in 1..T.
    """
    T = x.shape[1]
    steps = torch.arange(T, device=x.device)  # (T,)
    lengths = lengths.to(x.device)
    index = lengths[:, None] - 1 - steps  # (N, T): position read for each output step
    index = torch.where(index >= 0, index, steps)  # padding maps onto itself
    index = index.view(*index.shape, *([1] * (x.dim() - 2))).expand_as(x)
    return x.gather(1, index)


def check_lengths(lengths, N, T):
    """Validate lengths (N,) against a batch of N sequences of at most T steps."""
    if lengths.shape != (N,):
        raise ValueError(f"lengths has shape {tuple(lengths.shape)}, expected ({N},)")
    if len(lengths) and (int(lengths.min()) < 1 or int(lengths.max()) > T):
        raise ValueError(f"lengths must lie in 1..{T} (the padded length), got "
                         f"{int(lengths.min())}..{int(lengths.max())}")


class RecurrentEncoder(nn.Module):
    """Layers x directions of single-layer recurrent modules, padding-exact.

    ``forward(x, lengths=None)``: x (N, T, D), lengths (N,) or None when no sequence is padded.
    Returns out (N, T, K*H): per step the hidden states of every direction (forward first),
    zero at padded steps.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, rnn_type="lstm",
                 bidirectional=False, dropout=0.0, pack=False, impl="torch"):
        super().__init__()
        if rnn_type not in RNN_TYPES:
            raise ValueError(f"rnn_type must be one of {sorted(RNN_TYPES)}, got {rnn_type!r}")
        if impl not in ("torch", "scratch"):
            raise ValueError(f"impl must be 'torch' or 'scratch', got {impl!r}")
        if impl == "scratch" and (rnn_type != "lstm" or pack):
            raise ValueError("impl='scratch' is the hand-written LSTM: rnn_type='lstm', pack=False")
        self.hidden_size, self.num_layers = hidden_size, num_layers
        self.num_directions = 2 if bidirectional else 1
        self.output_size = self.num_directions * hidden_size
        self.dropout, self.pack, self.rnn_type = dropout, pack, rnn_type

        def make(d):
            if impl == "scratch":
                return ScratchLSTM(d, hidden_size)
            return RNN_TYPES[rnn_type](d, hidden_size, batch_first=True)

        sizes = [input_size] + [self.output_size] * (num_layers - 1)
        self.layers = nn.ModuleList(
            nn.ModuleList(make(d) for _ in range(self.num_directions)) for d in sizes
        )

    def _run(self, module, x, lengths):
        """One direction of one layer over right-padded x (N, T, D) -> (N, T, H)."""
        if not self.pack or lengths is None:
            return module(x)[0]
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out = module(packed)[0]
        return pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])[0]

    def forward(self, x, lengths=None):
        N, T, _ = x.shape
        if lengths is not None:
            check_lengths(lengths, N, T)
        for k, directions in enumerate(self.layers):
            if k > 0 and self.dropout > 0:
                x = nn.functional.dropout(x, self.dropout, self.training)
            outputs = [self._run(directions[0], x, lengths)]  # (N, T, H), left to right
            if self.num_directions == 2:
                if lengths is None:
                    back = self._run(directions[1], x.flip(1), None).flip(1)
                else:
                    back = reverse_padded(self._run(directions[1], reverse_padded(x, lengths), lengths), lengths)
                outputs.append(back)  # (N, T, H), right to left
            x = torch.cat(outputs, dim=2) if len(outputs) > 1 else outputs[0]  # (N, T, K*H)
        if lengths is not None:
            x = x * length_mask(lengths.to(x.device), T).unsqueeze(2).to(x.dtype)  # zero padding
        return x
