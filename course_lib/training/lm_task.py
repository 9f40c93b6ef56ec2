"""Language modelling as a task for the Trainer: batchified streams, BPTT windows, carried state.

Dimension letters: N parallel streams (batch size), T steps per BPTT window, V vocabulary size.

Zaremba et al. (2014) cut the token stream into N equal streams laid side by side, and read
them in windows of T steps (:func:`course_lib.data.batches.batchify` and
:func:`~course_lib.data.batches.bptt_windows`, the course's one windowing, shared with the NumPy
language model). The hidden state at the end of a window starts the next one
(detached: gradients stop at the window boundary) and is reset only at the start of a pass.

The loss is the cross-entropy **summed over the T steps and averaged over the N streams**, as in
the paper: with a per-token mean instead, SGD at lr 1 with clipping at 5 takes steps T times
smaller and the published perplexity is not reached. The reported ``loss`` is per token, and
``perplexity = exp(loss)``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from course_lib.data.batches import batchify, bptt_windows, num_windows


class LanguageModelTask:
    """Next-token prediction over token streams, for a model with the
    :class:`~course_lib.torch_models.LanguageModel` interface:
    ``model(tokens, state) -> (logits, state)``, ``init_state(N)``, ``detach_state(state)``.

    ``train``, ``val``, ``test``: 1-D token id sequences. ``batch_size`` N and ``bptt`` T for
    training; evaluation uses ``eval_batch_size`` (default N) with the same T.
    The order of windows never changes (the state must flow through the stream in order).
    """

    def __init__(self, train, val=None, test=None, *, batch_size=20, bptt=35, eval_batch_size=None):
        self.bptt = bptt
        sizes = {"train": batch_size, "val": eval_batch_size or batch_size,
                 "test": eval_batch_size or batch_size}
        self.data = {k: batchify(torch.as_tensor(v, dtype=torch.long), sizes[k])  # (N, L)
                     for k, v in (("train", train), ("val", val), ("test", test)) if v is not None}
        self.splits = tuple(self.data)

    def num_batches(self, split):
        return num_windows(self.data[split], self.bptt)

    def batches(self, split, generator=None):
        return bptt_windows(self.data[split], self.bptt)

    def start(self, model, split):
        return model.init_state(self.data[split].shape[0])

    def step(self, model, batch, state):
        inputs, targets = batch  # (N, T) each
        logits, state = model(inputs, state)  # (N, T, V)
        nll = nn.functional.cross_entropy(logits.flatten(0, 1).float(), targets.flatten(),
                                          reduction="sum")
        loss = nll / inputs.shape[0]  # summed over time, averaged over the batch (Zaremba)
        return loss, {"loss": (nll.detach(), targets.numel())}, model.detach_state(state)

    def metrics(self, totals):
        s, c = totals["loss"]
        loss = float(s) / c
        return {"loss": loss, "perplexity": math.exp(min(loss, 700.0))}
