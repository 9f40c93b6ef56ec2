"""A recurrent sequence classifier: (embedding) -> recurrent encoder -> pooling -> linear.

Dimension letters: N batch size, T time steps, D input size, E embedding size, H hidden size,
K directions, C classes (or outputs, for regression), V vocabulary size.

Two kinds of input:

- token ids (N, T) of dtype long, through an embedding (V, E) that may start from a pretrained
  matrix (GloVe) and be frozen or fine-tuned: give ``vocab_size`` (and ``embed_dim`` or
  ``pretrained``);
- feature vectors (N, T, D) such as MNIST image rows: give ``input_size``.

Padded batches pass ``lengths`` (N,): padding never reaches the pooled vector (see
:mod:`~course_lib.torch_models.recurrent` and :mod:`~course_lib.torch_models.pooling`).

>>> model = SequenceClassifier(10, input_size=28, hidden_size=128, pooling="last")
>>> model(torch.zeros(64, 28, 28)).shape
torch.Size([64, 10])
"""

from __future__ import annotations

import torch
from torch import nn

from course_lib.torch_models.pooling import (
    ATTENTION,
    POOLINGS,
    last_state,
    masked_max,
    masked_mean,
)
from course_lib.torch_models.recurrent import RecurrentEncoder, length_mask


class SequenceClassifier(nn.Module):
    """Embedding or features -> ``rnn_type`` encoder -> ``pooling`` -> dropout -> linear.

    Arguments (keywords after ``num_classes``):

    - ``input_size``: D, for feature inputs; or ``vocab_size`` + ``embed_dim`` for token ids.
    - ``pretrained``: a (V, E) matrix to start the embedding from; ``freeze_embedding`` keeps it
      fixed; ``padding_idx`` (default 0) is the id of the padding token.
    - ``hidden_size``, ``num_layers``, ``rnn_type`` ("lstm" | "gru" | "rnn"), ``bidirectional``.
    - ``dropout``: on the embedded inputs, between layers and on the pooled vector.
    - ``pooling``: "mean" | "max" | "last" | "attention" (additive) | "seed_attention";
      ``attention_size`` sets A for the attention poolings.
    - ``pack``: read padded batches as packed sequences (for cuDNN on a GPU; slower on a CPU).
    - ``impl``: "torch" (``nn.LSTM`` & co., the default) or "scratch" (the hand-written LSTM).
    """

    def __init__(self, num_classes, *, input_size=None, vocab_size=None, embed_dim=None,
                 pretrained=None, freeze_embedding=False, padding_idx=0, hidden_size=128,
                 num_layers=1, rnn_type="lstm", bidirectional=False, dropout=0.0,
                 pooling="mean", attention_size=None, pack=False, impl="torch"):
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        self.embedding = None
        if pretrained is not None:
            pretrained = torch.as_tensor(pretrained, dtype=torch.get_default_dtype())
            self.embedding = nn.Embedding.from_pretrained(
                pretrained.clone(), freeze=freeze_embedding, padding_idx=padding_idx)
            input_size = pretrained.shape[1]
        elif vocab_size is not None:
            if embed_dim is None:
                raise ValueError("token inputs need embed_dim (or a pretrained matrix)")
            self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=padding_idx)
            self.embedding.weight.requires_grad_(not freeze_embedding)
            input_size = embed_dim
        elif input_size is None:
            raise ValueError("give input_size (feature inputs) or vocab_size/pretrained (token ids)")
        self.pooling = pooling
        self.drop = nn.Dropout(dropout)
        self.encoder = RecurrentEncoder(input_size, hidden_size, num_layers, rnn_type,
                                        bidirectional, dropout, pack, impl)
        features = self.encoder.output_size  # K*H
        self.attention = ATTENTION[pooling](features, attention_size) if pooling in ATTENTION else None
        self.head = nn.Linear(features, num_classes)

    def pool(self, h, lengths=None):
        """h (N, T, K*H) -> (pooled (N, K*H), attention weights (N, T) or None)."""
        mask = None if lengths is None else length_mask(lengths.to(h.device), h.shape[1])
        if self.attention is not None:
            return self.attention(h, mask)
        if self.pooling == "mean":
            return masked_mean(h, mask), None
        if self.pooling == "max":
            return masked_max(h, mask), None
        return last_state(h, lengths, self.encoder.num_directions), None

    def forward(self, inputs, lengths=None, return_weights=False):
        """inputs (N, T) token ids or (N, T, D) features; lengths (N,) or None.

        Returns logits (N, C); with ``return_weights=True`` also the attention weights (N, T)
        (None unless pooling is an attention).
        """
        x = self.embedding(inputs) if self.embedding is not None else inputs  # (N, T, D)
        h = self.encoder(self.drop(x), lengths)  # (N, T, K*H)
        pooled, weights = self.pool(h, lengths)  # (N, K*H), (N, T)
        logits = self.head(self.drop(pooled))  # (N, C)
        return (logits, weights) if return_weights else logits
