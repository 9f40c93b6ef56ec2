"""The same batches as :mod:`course_lib.data.batches`, as torch ``Dataset`` / ``DataLoader``.

The only module of the data layer that imports torch. Dimension letters: N examples in a batch,
T time steps, B rows of a language-model stream.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler, TensorDataset

from course_lib.data.batches import batchify, bptt_windows, bucket_batches, pad_batch


class SequenceDataset(Dataset):
    """Variable-length id sequences with one label each; item i is ``(ids (T_i,), label)``."""

    def __init__(self, sequences: Sequence[np.ndarray], labels: Sequence[int]):
        if len(sequences) != len(labels):
            raise ValueError(f"{len(sequences)} sequences but {len(labels)} labels")
        self.sequences, self.labels = sequences, np.asarray(labels)

    def __len__(self) -> int:
        return len(self.sequences)

    def __getitem__(self, i: int):
        return self.sequences[i], int(self.labels[i])


class PadCollate:
    """Collate ``(ids, label)`` items into ``(ids (N, T), lengths (N,), mask (N, T), labels (N,))``
    tensors, right-padded with ``pad_id`` and cut at ``max_len`` tokens."""

    def __init__(self, pad_id: int = 0, max_len: int | None = None):
        self.pad_id, self.max_len = pad_id, max_len

    def __call__(self, items):
        sequences, labels = zip(*items)
        ids, lengths, mask = pad_batch(sequences, self.max_len, self.pad_id)
        return (
            torch.from_numpy(ids),  # (N, T) int64
            torch.from_numpy(lengths),  # (N,) int64
            torch.from_numpy(mask),  # (N, T) bool
            torch.tensor(labels, dtype=torch.int64),  # (N,)
        )


class BucketBatchSampler(Sampler):
    """Batches of similar lengths (:func:`bucket_batches`), reshuffled every epoch."""

    def __init__(self, lengths, batch_size: int, shuffle: bool = True, seed: int = 0):
        self.lengths, self.batch_size = np.asarray(lengths), batch_size
        self.shuffle, self.seed, self.epoch = shuffle, seed, 0

    def __iter__(self):
        batches = bucket_batches(
            self.lengths, self.batch_size, self.shuffle, seed=self.seed + self.epoch
        )
        self.epoch += 1
        return (batch.tolist() for batch in batches)

    def __len__(self) -> int:
        return (len(self.lengths) + self.batch_size - 1) // self.batch_size


def sequence_loader(
    sequences: Sequence[np.ndarray],
    labels: Sequence[int],
    batch_size: int,
    max_len: int | None = None,
    shuffle: bool = True,
    seed: int = 0,
    pad_id: int = 0,
    bucket: bool = True,
    **loader_kwargs,
) -> DataLoader:
    """A DataLoader of padded batches ``(ids, lengths, mask, labels)`` (see :class:`PadCollate`).

    With ``bucket`` the batches group similar lengths (much less padding); otherwise they are
    plain shuffled batches. Extra keyword arguments go to ``DataLoader`` (e.g. ``pin_memory``).
    """
    dataset = SequenceDataset(sequences, labels)
    collate = PadCollate(pad_id, max_len)
    if bucket:
        lengths = [min(len(s), max_len) if max_len else len(s) for s in sequences]
        sampler = BucketBatchSampler(lengths, batch_size, shuffle, seed)
        return DataLoader(dataset, batch_sampler=sampler, collate_fn=collate, **loader_kwargs)
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(
        dataset, batch_size=batch_size, shuffle=shuffle, generator=generator,
        collate_fn=collate, **loader_kwargs,
    )


def array_loader(
    *arrays: np.ndarray, batch_size: int, shuffle: bool = True, seed: int = 0, **loader_kwargs
) -> DataLoader:
    """A DataLoader over aligned arrays, e.g. MNIST ``(images (N, 28, 28), labels (N,))``."""
    tensors = [torch.from_numpy(np.ascontiguousarray(a)) for a in arrays]
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(
        TensorDataset(*tensors), batch_size=batch_size, shuffle=shuffle, generator=generator,
        **loader_kwargs,
    )


def lm_batches(stream: np.ndarray, batch_size: int, num_steps: int, device=None):
    """Zaremba's language-model batches as tensors: yields ``(inputs, targets)``, int64 (B, T).

    The stream is cut into ``batch_size`` rows once (:func:`batchify`) and moved to ``device``;
    windows follow each other, so the hidden state carries over (detach it between windows).
    """
    data = torch.from_numpy(batchify(stream, batch_size)).to(device)  # (B, L)
    yield from bptt_windows(data, num_steps)
