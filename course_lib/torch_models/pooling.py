"""Pooling over time: one vector per sequence from the hidden states of every step, padding-safe.

Dimension letters: N batch size, T time steps, H feature size of a step, A attention size.

Every function takes ``h`` (N, T, H) and a boolean ``mask`` (N, T) that is True at real steps
(``None`` means no padding). Padded steps never reach the result: changing them changes nothing.

- ``mean``: average over the real steps.
- ``max``: element-wise maximum over the real steps.
- ``last``: the state after the last real step (for a bidirectional encoder, the forward half at
  the last real step and the backward half at step 0, where the backward direction ends).
- ``attention``: a learned weighted average; :class:`AdditiveAttention` (Bahdanau et al. 2015)
  or :class:`SeedAttention` (the course seeds' variant). Both return the weights for plotting.
"""

from __future__ import annotations

import torch
from torch import nn


def masked_mean(h, mask=None):
    """Mean of h (N, T, H) over the real steps -> (N, H)."""
    if mask is None:
        return h.mean(dim=1)
    m = mask.unsqueeze(2).to(h.dtype)  # (N, T, 1)
    return (h * m).sum(dim=1) / m.sum(dim=1)


def masked_max(h, mask=None):
    """Element-wise max of h (N, T, H) over the real steps -> (N, H)."""
    if mask is None:
        return h.amax(dim=1)
    return h.masked_fill(~mask.unsqueeze(2), float("-inf")).amax(dim=1)


def last_state(h, lengths=None, num_directions=1):
    """The final state of each direction -> (N, H).

    h (N, T, K*H) with the forward direction in the first H features; lengths (N,) or None.
    """
    N, T, _ = h.shape
    last = (lengths - 1) if lengths is not None else torch.full((N,), T - 1, device=h.device)
    forward = h[torch.arange(N, device=h.device), last.to(h.device)]  # (N, K*H)
    if num_directions == 1:
        return forward
    H = h.shape[2] // 2
    return torch.cat([forward[:, :H], h[:, 0, H:]], dim=1)  # backward direction ends at step 0


def masked_softmax(scores, mask=None):
    """Softmax over time of scores (N, T), zero weight on padded steps -> (N, T)."""
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=1)


class AdditiveAttention(nn.Module):
    """Additive attention pooling: score_t = v . tanh(W h_t + b), weights = softmax over t.

    ``forward(h, mask=None)``: h (N, T, H) -> (pooled (N, H), weights (N, T)).
    """

    def __init__(self, input_size, attention_size=None):
        super().__init__()
        attention_size = attention_size or input_size
        self.proj = nn.Linear(input_size, attention_size)  # W, b
        self.v = nn.Linear(attention_size, 1, bias=False)

    def forward(self, h, mask=None):
        scores = self.v(torch.tanh(self.proj(h))).squeeze(2)  # (N, T)
        weights = masked_softmax(scores, mask)  # (N, T)
        pooled = torch.bmm(weights.unsqueeze(1), h).squeeze(1)  # (N, H)
        return pooled, weights


class SeedAttention(nn.Module):
    """The seeds' attention: Q = X W_Q, K a learned vector, A = softmax(Q K), pooled = V^T A.

    X (N, T, H) are the encoder's states, W_Q (H, A), K (A,), V = X W_V with W_V (H, H).
    ``output = Linear(V A)``: the Linear is the classifier's output layer, applied to the pooled
    vector returned here. ``forward(h, mask=None)`` -> (pooled (N, H), weights (N, T)).
    """

    def __init__(self, input_size, attention_size=None):
        super().__init__()
        attention_size = attention_size or input_size
        self.W_Q = nn.Linear(input_size, attention_size, bias=False)
        self.K = nn.Parameter(torch.randn(attention_size) / attention_size**0.5)
        self.W_V = nn.Linear(input_size, input_size, bias=False)

    def forward(self, h, mask=None):
        Q = self.W_Q(h)  # (N, T, A)
        weights = masked_softmax(Q @ self.K, mask)  # (N, T)
        V = self.W_V(h)  # (N, T, H)
        pooled = torch.bmm(weights.unsqueeze(1), V).squeeze(1)  # (N, H)
        return pooled, weights


ATTENTION = {"attention": AdditiveAttention, "seed_attention": SeedAttention}
POOLINGS = ("mean", "max", "last", *ATTENTION)
