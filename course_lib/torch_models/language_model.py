"""A word (or character) language model after Zaremba, Sutskever & Vinyals (2014).

Dimension letters: N batch size (parallel streams of text), T time steps of a BPTT window,
V vocabulary size, E embedding size, H hidden size, L layers.

embedding -> dropout -> L-layer LSTM (dropout between layers) -> dropout -> linear decoder.
Dropout sits only on the non-recurrent connections, as in the paper; the recurrent state is
never dropped. With ``tie_weights=True`` the decoder reuses the embedding matrix (Press & Wolf
2017; needs E == H).

Training reads the text as N parallel streams in windows of T steps: the state at the end of
one window starts the next (``forward(tokens, state)`` returns it), and the training loop
detaches it (:meth:`LanguageModel.detach_state`) so gradients stop at the window boundary.
"""

from __future__ import annotations

import torch
from torch import nn

from course_lib.torch_models.lstm import LSTM as ScratchLSTM


class LanguageModel(nn.Module):
    """``forward(tokens, state=None)``: tokens (N, T) -> (logits (N, T, V), state).

    ``state`` is a pair (h, c) of (L, N, H), zeros when None (see :meth:`init_state`).
    ``init_range``: weights start uniform in [-init_range, init_range] (Zaremba: 0.1 small,
    0.05 medium, 0.04 large). ``impl="scratch"`` swaps in the hand-written LSTM.
    """

    def __init__(self, vocab_size, embed_dim=200, hidden_size=200, num_layers=2, dropout=0.0,
                 tie_weights=False, init_range=0.1, impl="torch"):
        super().__init__()
        if tie_weights and embed_dim != hidden_size:
            raise ValueError(f"tie_weights needs embed_dim == hidden_size, got {embed_dim} and {hidden_size}")
        self.vocab_size, self.hidden_size, self.num_layers = vocab_size, hidden_size, num_layers
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.drop = nn.Dropout(dropout)
        if impl == "torch":
            self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True, dropout=dropout)
        elif impl == "scratch":
            self.lstm = ScratchLSTM(embed_dim, hidden_size, num_layers, dropout=dropout)
        else:
            raise ValueError(f"impl must be 'torch' or 'scratch', got {impl!r}")
        self.decoder = nn.Linear(hidden_size, vocab_size)
        for p in self.parameters():
            nn.init.uniform_(p, -init_range, init_range)
        if tie_weights:
            self.decoder.weight = self.embedding.weight  # one (V, E) matrix, two uses

    def init_state(self, batch_size, device=None):
        """Zero state (h, c), each (L, N, H), on ``device`` (default: the model's)."""
        weight = self.decoder.weight
        shape = (self.num_layers, batch_size, self.hidden_size)
        zeros = torch.zeros(shape, device=device or weight.device, dtype=weight.dtype)
        return (zeros, zeros.clone())

    @staticmethod
    def detach_state(state):
        """The same state cut from the graph of the previous window (truncated BPTT)."""
        return tuple(s.detach() for s in state)

    def forward(self, tokens, state=None):
        x = self.drop(self.embedding(tokens))  # (N, T, E)
        out, state = self.lstm(x, state)  # (N, T, H), ((L, N, H), (L, N, H))
        logits = self.decoder(self.drop(out))  # (N, T, V)
        return logits, state
