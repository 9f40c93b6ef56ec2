"""Tasks: what a batch is, how a model turns it into a loss, and which metrics to report.

Dimension letters: N batch size, T time steps, D input size.

The :class:`~course_lib.training.trainer.Trainer` knows nothing about classification or language
modelling; it asks a task object for five things:

- ``splits``: the split names it has, among "train", "val", "test";
- ``num_batches(split)`` and ``batches(split, generator=None)``: the batches of a split, in an
  order that depends only on ``generator`` (the trainer seeds it per epoch, so a resumed run
  sees the same batches in the same order);
- ``start(model, split)``: the state carried from batch to batch (None, or a language model's
  hidden state), fresh at the start of every pass over a split;
- ``step(model, batch, state) -> (loss, totals, state)``: ``loss`` to differentiate, ``totals``
  a dict ``{metric: (sum, count)}`` for the running averages, and the state for the next batch;
- ``metrics(totals) -> {name: value}``: the epoch's metrics from the summed totals.

This module has the two the course needs: :class:`ClassificationTask` (with its regression
variant :class:`RegressionTask`) and, in :mod:`.lm_task`, ``LanguageModelTask``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from course_lib.data.batches import bucket_batches, pad_batch

SPLITS = ("train", "val", "test")


def padded_split(sequences, labels, max_len=None, pad_id=0):
    """Variable-length token id sequences and their labels -> a split for :class:`ClassificationTask`.

    Returns (inputs (N, T) right-padded with ``pad_id``, lengths (N,), targets (N,)) tensors,
    each sequence cut to its first ``max_len`` tokens. Every sequence needs at least one token.
    """
    ids, lengths, _ = pad_batch(sequences, max_len, pad_id)
    return torch.from_numpy(ids), torch.from_numpy(lengths), torch.as_tensor(labels)


def _as_split(data):
    """(inputs, targets) or (inputs, lengths, targets) or a dict with those keys -> dict."""
    if data is None:
        return None
    if isinstance(data, dict):
        split = {"inputs": data["inputs"], "lengths": data.get("lengths"), "targets": data["targets"]}
    elif len(data) == 2:
        split = {"inputs": data[0], "lengths": None, "targets": data[1]}
    else:
        split = dict(zip(("inputs", "lengths", "targets"), data))
    split = {k: None if v is None else torch.as_tensor(v) for k, v in split.items()}
    n = len(split["inputs"])
    for key in ("lengths", "targets"):
        if split[key] is not None and len(split[key]) != n:
            raise ValueError(f"{key} has {len(split[key])} rows but inputs has {n}")
    return split


class ClassificationTask:
    """One class label per sequence, from in-memory tensors; cross-entropy loss and accuracy.

    Each split is ``(inputs, targets)`` or ``(inputs, lengths, targets)``: inputs (N, T) token ids
    or (N, T, D) features, right-padded; lengths (N,) the real lengths; targets (N,).
    ``bucket=True`` groups sequences of similar length into the same batch (within chunks of
    ``50 * batch_size`` shuffled examples), and every padded batch is cut to its longest
    sequence: far less padding to compute on, still a fresh random order every epoch.
    The model is called as ``model(inputs, lengths)`` (lengths None when a split has none).
    Subclasses change the batches of a pass by overriding :meth:`batch_indices`.
    """

    def __init__(self, train, val=None, test=None, *, batch_size=64, eval_batch_size=None,
                 bucket=False):
        data = {"train": _as_split(train), "val": _as_split(val), "test": _as_split(test)}
        self.data = {k: v for k, v in data.items() if v is not None}
        self.splits = tuple(self.data)
        self.batch_size, self.bucket = batch_size, bucket
        self.eval_batch_size = eval_batch_size or batch_size

    def _size(self, split):
        return self.batch_size if split == "train" else self.eval_batch_size

    def num_batches(self, split):
        return -(-len(self.data[split]["targets"]) // self._size(split))

    def batch_indices(self, split, generator=None):
        """The batches of one pass over ``split``, as index tensors (N,) into its examples.

        Shuffled when a ``generator`` is given (training), else in order; with ``bucket``,
        grouped by length (:func:`~course_lib.data.batches.bucket_batches`). This is the one
        method to override to change which examples a pass visits, or in what order (the SST
        task trains on a random fraction of the batches; the IMDB ensemble records the order).
        """
        n, size = len(self.data[split]["targets"]), self._size(split)
        lengths = self.data[split]["lengths"]
        if self.bucket and lengths is not None:
            shuffle = (np.arange if generator is None
                       else lambda k: torch.randperm(k, generator=generator).numpy())
            return [torch.from_numpy(b)
                    for b in bucket_batches(lengths.numpy(), size, permutation=shuffle)]
        order = torch.randperm(n, generator=generator) if generator is not None else torch.arange(n)
        return list(order.split(size))

    def batches(self, split, generator=None):
        """Yields (inputs, lengths, targets) per batch; padded batches cut to their longest row."""
        d = self.data[split]
        for index in self.batch_indices(split, generator):
            inputs, lengths = d["inputs"][index], None
            if d["lengths"] is not None:
                lengths = d["lengths"][index]
                inputs = inputs[:, :int(lengths.max())]
            yield inputs, lengths, d["targets"][index]

    def start(self, model, split):
        return None

    def loss(self, outputs, targets):
        """Mean cross-entropy of logits (N, C) against class ids (N,), and the correct count."""
        correct = (outputs.argmax(1) == targets).sum()
        return nn.functional.cross_entropy(outputs, targets), {"accuracy": correct}

    def step(self, model, batch, state):
        inputs, lengths, targets = batch
        loss, extra = self.loss(model(inputs, lengths), targets)
        n = len(targets)
        totals = {"loss": (loss.detach() * n, n)}
        totals.update({k: (v, n) for k, v in extra.items()})
        return loss, totals, state

    def metrics(self, totals):
        return {k: float(s) / c for k, (s, c) in totals.items()}


class RegressionTask(ClassificationTask):
    """One real target per sequence: mean squared error, and as ``accuracy`` the fraction of
    predictions within ``tolerance`` of the target (the adding problem's criterion: 0.04).

    The model outputs (N, 1); targets are (N,).
    """

    def __init__(self, train, val=None, test=None, *, tolerance=0.04, **kwargs):
        super().__init__(train, val, test, **kwargs)
        self.tolerance = tolerance

    def loss(self, outputs, targets):
        outputs = outputs.squeeze(1)  # (N,)
        targets = targets.to(outputs.dtype)
        close = ((outputs - targets).abs() < self.tolerance).sum()
        return nn.functional.mse_loss(outputs, targets), {"accuracy": close}
