"""NumPy mini-batches: padding with lengths and masks, length buckets, the language-model layout.

Dimension letters: N examples in a batch, T time steps, B batch rows of a language model stream,
L stream length.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

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
    permutation: Callable[[int], np.ndarray] | None = None,
) -> list[np.ndarray]:
    """Index batches whose examples have similar lengths, so that little padding is needed.

    With ``shuffle=False`` the examples are sorted by length and cut into batches (the same every
    time: for evaluation). With ``shuffle=True`` they are shuffled, split into pools of
    ``pool * batch_size``, each pool sorted by length and cut into batches, and the batch order
    shuffled: random batches, yet of similar lengths.

    ``permutation``: ``n -> a permutation of range(n)``, used for both shuffles instead of a
    NumPy generator seeded with ``seed``: the PyTorch tasks pass ``torch.randperm`` with the
    Trainer's generator of the epoch, or ``np.arange`` to keep the given order (each pool
    sorted, the batches in order). Taught in notebook 07, section 3 ("The padding lesson").
    """
    lengths = np.asarray(lengths)
    if not shuffle:
        order = np.argsort(lengths, kind="stable")
        return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if permutation is None:
        permutation = np.random.default_rng(seed).permutation
    order = np.asarray(permutation(len(lengths)))
    batches = []
    for start in range(0, len(order), pool * batch_size):
        chunk = order[start : start + pool * batch_size]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in np.asarray(permutation(len(batches)))]


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


def batchify(stream, batch_size: int):
    """Zaremba's language-model layout: cut a token stream into B contiguous rows.

    Inputs:
    - stream: int (L,), the whole split as one sequence of token ids (a NumPy array, a list, or
      a torch tensor, which stays a tensor)
    - batch_size: B, the number of rows read in parallel

    Returns (B, L // B), int64 for NumPy input: row b holds tokens ``b * (L // B)`` up to
    ``(b + 1) * (L // B)``; the last ``L % B`` tokens are dropped. Reading the rows' columns left
    to right continues each row's text, so the hidden state can be carried from one window to
    the next (notebook 04, section "Penn Treebank"; notebook 08 trains on it).
    """
    if isinstance(stream, (list, tuple, np.ndarray)):
        stream = np.asarray(stream, dtype=np.int64)
    columns = len(stream) // batch_size if batch_size >= 1 else 0
    if columns < 2:
        raise ValueError(f"cannot cut {len(stream)} tokens into {batch_size} rows of at least "
                         "2 tokens (an input and its next token)")
    return stream[: batch_size * columns].reshape(batch_size, columns)


def num_windows(data, num_steps: int) -> int:
    """How many windows :func:`bptt_windows` yields for ``data`` (B, L): ceil((L - 1) / T)."""
    return -(-(data.shape[1] - 1) // num_steps)


def bptt_windows(data, num_steps: int) -> Iterator[tuple]:
    """Truncated back-propagation windows over a batchified stream, in order.

    Inputs:
    - data: (B, L) from :func:`batchify` (NumPy array or torch tensor; the windows are views)
    - num_steps: T, the number of time steps per window

    Yields ``(inputs, targets)``, both (B, k) with k = T except for the last window; targets are
    the inputs shifted by one token. The last window is shorter when (L - 1) is not a multiple of
    T, and it is kept, so that every token of a split is predicted exactly once: evaluation then
    scores the whole split, and the NumPy and PyTorch models train on the same windows. This is
    the PyTorch word_language_model example's convention (``seq_len = min(bptt, len - 1 - i)``);
    Zaremba et al.'s reader drops the short window instead, which leaves out at most T - 1
    tokens per row (under 0.1 % of PTB's training text at T = 35).
    """
    L = data.shape[1]
    for start in range(0, L - 1, num_steps):
        k = min(num_steps, L - 1 - start)
        yield data[:, start : start + k], data[:, start + 1 : start + 1 + k]
