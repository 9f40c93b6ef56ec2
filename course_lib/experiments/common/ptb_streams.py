"""Penn Treebank as integer streams, shared by the word- and character-level experiments, and
those streams as a language-model task (:func:`ptb_task`).

Dimension letters: V vocabulary size.

The vocabulary is built from the training split alone: at the word level that gives Mikolov's
10,000 words (``<unk>`` and ``<eos>`` included, already in the files), at the character level 50
symbols. Ids are given by decreasing frequency, so the same files always give the same ids.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from course_lib.data import Vocab, load_ptb

SPLITS = {"train": "train", "val": "valid", "test": "test"}  # our names -> the files' names


@dataclass
class PTBStreams:
    """The three splits of PTB as int64 id arrays, and the vocabulary that made them."""

    vocab: Vocab
    train: np.ndarray  # (L_train,)
    val: np.ndarray  # (L_val,)
    test: np.ndarray  # (L_test,)

    def split(self, name):
        return getattr(self, name)


def load_ptb_streams(level="word", max_tokens=None) -> PTBStreams:
    """Load PTB at ``level`` ("word" or "char") as id streams.

    ``max_tokens``: keep only the first ``max_tokens`` tokens of each split (smoke runs); the
    vocabulary is still built from the whole training split, so V is always 10,000 (word) or
    50 (char).
    """
    tokens = {ours: load_ptb(theirs, level) for ours, theirs in SPLITS.items()}
    vocab = Vocab(Counter(tokens["train"]), specials=())
    ids = {name: vocab.encode(t[:max_tokens] if max_tokens else t) for name, t in tokens.items()}
    return PTBStreams(vocab, ids["train"], ids["val"], ids["test"])


def ptb_task(task_class, level, config, streams=None):
    """PTB at ``level`` as a language-model task for the Trainer, and the streams it reads.

    ``task_class``: :class:`~course_lib.training.LanguageModelTask` or a subclass of it, given
    ``config``'s ``batch_size`` (N streams), ``bptt`` (T steps) and ``eval_batch_size``;
    ``streams``: those already loaded, else :func:`load_ptb_streams` with ``config.max_tokens``.
    Returns (streams, task)."""
    streams = streams or load_ptb_streams(level, config.max_tokens)
    return streams, task_class(streams.train, streams.val, streams.test,
                               batch_size=config.batch_size, bptt=config.bptt,
                               eval_batch_size=config.eval_batch_size)
