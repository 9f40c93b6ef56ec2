"""NumPy mini-batches: padding with lengths and masks, length buckets, the language-model layout.

Dimension letters: N examples in a batch, T time steps, B batch rows of a language model stream,
L stream length.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np


def pad_batch(
    sequences: Sequence[np.ndarray], max_len: int | None = None, pad_id: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Right-pad id sequences into one array, keeping at most the first ``max_len`` tokens.

    Returns a tuple of:
    - ids: int64 (N, T), ``pad_id`` after each sequence's end; T = longest kept length
    - lengths: int64 (N,), tokens kept per sequence (>= 1 unless the sequence was empty)
    - mask: bool (N, T), True on real tokens, False on padding
    """
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    if max_len is not None:
        lengths = np.minimum(lengths, max_len)
    T = int(lengths.max()) if len(lengths) else 0
    ids = np.full((len(sequences), T), pad_id, dtype=np.int64)
    for row, (sequence, length) in enumerate(zip(sequences, lengths)):
        ids[row, :length] = sequence[:length]
    mask = np.arange(T)[None, :] < lengths[:, None]  # (N, T)
    return ids, lengths, mask


def bucket_batches(
    lengths: Sequence[int],
    batch_size: int,
    shuffle: bool = True,
    seed: int = 0,
    pool: int = 50,
) -> list[np.ndarray]:
    """Index batches whose examples have similar lengths, so that little padding is needed.

    With ``shuffle=False`` the examples are sorted by length and cut into batches (the same every
    time: for evaluation). With ``shuffle=True`` they are shuffled, split into pools of
    ``pool * batch_size``, each pool sorted by length and cut into batches, and the batch order
    shuffled: random batches, yet of similar lengths.
    """
    lengths = np.asarray(lengths)
    if not shuffle:
        order = np.argsort(lengths, kind="stable")
        return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(lengths))
    batches = []
    for start in range(0, len(order), pool * batch_size):
        chunk = order[start : start + pool * batch_size]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def padded_batches(
    sequences: Sequence[np.ndarray],
    labels: np.ndarray,
    batch_size: int,
    max_len: int | None = None,
    shuffle: bool = True,
    seed: int = 0,
    pad_id: int = 0,
    bucket: bool = True,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Iterate over padded mini-batches of id sequences and their labels.

    Yields tuples ``(ids (N, T), lengths (N,), mask (N, T), labels (N,))``; see :func:`pad_batch`.
    With ``bucket`` the batches group similar lengths (:func:`bucket_batches`); otherwise they are
    plain (shuffled) slices.
    """
    labels = np.asarray(labels)
    if bucket:
        lengths = [min(len(s), max_len) if max_len else len(s) for s in sequences]
        batches = bucket_batches(lengths, batch_size, shuffle=shuffle, seed=seed)
    else:
        batches = minibatch_indices(len(sequences), batch_size, shuffle=shuffle, seed=seed)
    for index in batches:
        ids, lengths, mask = pad_batch([sequences[i] for i in index], max_len, pad_id)
        yield ids, lengths, mask, labels[index]


def minibatch_indices(n: int, batch_size: int, shuffle: bool = True, seed: int = 0):
    """Index arrays of consecutive (or, with ``shuffle``, randomly permuted) mini-batches."""
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def minibatches(*arrays: np.ndarray, batch_size: int, shuffle: bool = True, seed: int = 0):
    """Iterate over aligned mini-batches of equally long arrays (e.g. MNIST images and labels).

    >>> x, y = np.zeros((10, 28, 28)), np.arange(10)
    >>> [len(yb) for xb, yb in minibatches(x, y, batch_size=4, shuffle=False)]
    [4, 4, 2]
    """
    for index in minibatch_indices(len(arrays[0]), batch_size, shuffle, seed):
        yield tuple(a[index] for a in arrays)


def batchify(stream: np.ndarray, batch_size: int) -> np.ndarray:
    """Zaremba's language-model layout: cut a token stream into B contiguous rows.

    Inputs:
    - stream: int (L,), the whole split as one sequence of token ids
    - batch_size: B, the number of rows read in parallel

    Returns int64 (B, L // B): row b holds tokens ``b * (L // B)`` up to ``(b + 1) * (L // B)``;
    the last ``L % B`` tokens are dropped. Reading the rows' columns left to right continues each
    row's text, so the hidden state can be carried from one window to the next.
    """
    stream = np.asarray(stream, dtype=np.int64)
    if batch_size < 1 or len(stream) < batch_size:
        raise ValueError(f"cannot cut {len(stream)} tokens into {batch_size} rows")
    columns = len(stream) // batch_size
    return stream[: batch_size * columns].reshape(batch_size, columns)


def num_windows(data: np.ndarray, num_steps: int) -> int:
    """How many full BPTT windows :func:`bptt_windows` yields for ``data`` (B, L)."""
    return (data.shape[1] - 1) // num_steps


def bptt_windows(data: np.ndarray, num_steps: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Truncated back-propagation windows over a batchified stream, in order.

    Inputs:
    - data: int (B, L) from :func:`batchify`
    - num_steps: T, the number of time steps per window

    Yields ``(inputs, targets)``, both int64 (B, T); targets are the inputs shifted by one token.
    Only full windows are produced (as in Zaremba et al.), ``(L - 1) // T`` of them.
    """
    for i in range(num_windows(data, num_steps)):
        start = i * num_steps
        yield data[:, start : start + num_steps], data[:, start + 1 : start + num_steps + 1]
