"""IMDB as tensors for the sentiment experiments: vocabulary, GloVe rows, reviews cut and padded.

Dimension letters: N reviews, T the kept length (``max_len``), V vocabulary size, E = 50 (GloVe).

The pipeline, every step from :mod:`course_lib.data` (tokenised reviews are cached there):

1. tokenise the reviews (``load_imdb_tokens``); hold the course's dev split out of the 25,000
   training reviews (:func:`course_lib.data.imdb.dev_split`: 2,500 reviews, stratified, fixed);
   optionally keep a random, seeded subset of each split;
2. build the vocabulary from the *training* reviews only (``<pad>`` = 0, ``<unk>`` = 1);
3. take each word's row from GloVe-50 (``embedding_matrix``);
4. encode each review as ids, keep its first ``max_len`` tokens and right-pad to one array.

The arrays go straight into :class:`~course_lib.training.ClassificationTask` as
``(ids, lengths, labels)``; with ``bucket=True`` it batches reviews of similar length and cuts
each batch to its longest review.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import torch

from course_lib.data import Vocab, embedding_matrix, load_glove, load_imdb_tokens, pad_batch
from course_lib.data.imdb import dev_split


@dataclass
class ImdbSplit:
    """One split, ready for a task: ids int32 (N, T) right-padded with 0, lengths (N,), labels (N,).

    ``index`` holds each row's position in ``load_imdb(split)``, to find the review's text.
    """

    ids: torch.Tensor
    lengths: torch.Tensor
    labels: torch.Tensor
    index: np.ndarray
    full_lengths: np.ndarray  # (N,) tokens before the cut at max_len

    def as_task_split(self, with_lengths=True):
        """``(ids, lengths, labels)``, or ``(ids, labels)``: every review padded to T, no mask."""
        if with_lengths:
            return self.ids, self.lengths, self.labels
        return self.ids, self.labels


@dataclass
class ImdbData:
    vocab: Vocab
    embedding: np.ndarray  # float32 (V, E): GloVe rows, random rows for words GloVe lacks
    coverage: float  # fraction of the vocabulary found in GloVe
    train: ImdbSplit
    dev: ImdbSplit  # held out of the training reviews: every choice is made on it
    test: ImdbSplit


@cache
def _tokens(split):
    return load_imdb_tokens(split)  # cached on disk by the data layer, in memory here


@lru_cache(maxsize=1)
def _glove():
    return load_glove(50)


def subset(n_total, size, seed):
    """Sorted indices of a random subset of ``size`` out of ``n_total`` (all when size is None)."""
    if size is None or size >= n_total:
        return np.arange(n_total)
    return np.sort(np.random.default_rng(seed).permutation(n_total)[:size])


def encode_split(corpus, labels, vocab, index, max_len) -> ImdbSplit:
    """Reviews ``index`` of ``corpus`` as an :class:`ImdbSplit`, cut at ``max_len`` tokens."""
    sequences = corpus.select(index).encode(vocab)  # N arrays of ids
    ids, lengths, _ = pad_batch(sequences, max_len, vocab.pad_id)  # (N, T), (N,)
    return ImdbSplit(torch.from_numpy(ids.astype(np.int32)), torch.from_numpy(lengths),
                     torch.from_numpy(labels[index]), index, corpus.lengths[index])


def prepare_imdb(train_size=None, test_size=None, max_len=400, min_freq=2, seed=0,
                 glove=True, dev_size=None) -> ImdbData:
    """Load, tokenise, index and pad IMDB: train, dev (held out of train) and test.

    Inputs:
    - train_size, test_size, dev_size: random subsets of the 22,500 training reviews left beside
      dev, of the 25,000 test reviews and of the 2,500 dev reviews (None: all)
    - max_len: T, tokens kept from the start of each review (None: whole reviews)
    - min_freq: a training word enters the vocabulary when seen at least this often
    - seed: chooses the subsets and the random rows of words GloVe lacks
    - glove: False gives a random embedding instead (no GloVe file needed)
    """
    train_corpus, train_labels = _tokens("train")
    test_corpus, test_labels = _tokens("test")
    pool, dev_pool = dev_split(train_labels)  # the same 2,500 dev reviews for every experiment
    train_index = pool[subset(len(pool), train_size, seed)]
    dev_index = dev_pool[subset(len(dev_pool), dev_size, seed + 2)]
    test_index = subset(len(test_corpus), test_size, seed + 1)
    vocab = Vocab.build(train_corpus.select(train_index), min_freq=min_freq)
    if glove:
        matrix, coverage = embedding_matrix(vocab, _glove(), seed=seed)
    else:
        rng = np.random.default_rng(seed)
        matrix, coverage = rng.uniform(-0.1, 0.1, (len(vocab), 50)).astype(np.float32), 0.0
        matrix[vocab.pad_id] = 0.0
    return ImdbData(vocab, matrix, coverage,
                    encode_split(train_corpus, train_labels, vocab, train_index, max_len),
                    encode_split(train_corpus, train_labels, vocab, dev_index, max_len),
                    encode_split(test_corpus, test_labels, vocab, test_index, max_len))


def load_data(config) -> ImdbData:
    """:func:`prepare_imdb` as an :class:`~.imdb_recipe.ImdbConfig` asks (its ``train_size``,
    ``test_size``, ``max_len``, ``min_freq`` and ``seed``)."""
    return prepare_imdb(config.train_size, config.test_size, config.max_len, config.min_freq,
                        seed=config.seed, dev_size=config.dev_size)


def data_summary(data: ImdbData) -> dict:
    """What a results file records about the data: vocabulary, GloVe coverage, sizes."""
    return {"vocab_size": len(data.vocab), "glove_coverage": data.coverage,
            "train_reviews": len(data.train.labels), "dev_reviews": len(data.dev.labels),
            "test_reviews": len(data.test.labels),
            "train_tokens_kept": int(data.train.lengths.sum()),
            "train_tokens_total": int(data.train.full_lengths.sum())}
