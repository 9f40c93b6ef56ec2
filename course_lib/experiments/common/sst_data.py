"""The Stanford Sentiment Treebank as the SST experiments read it, and the figures they beat.

Dimension letters: N sentences (or phrases), T the longest of them.

Every SST experiment (``sst``, ``sst-transfer``, ``sst-tree``) reads the trees of
:func:`course_lib.data.load_sst_trees` the same way: tokens spelled as GloVe spells them
(:func:`clean`), sentences or every distinct labelled phrase (:func:`load_split`), one
vocabulary from the training words plus the dev/test words GloVe knows (:func:`build_vocab`).
"""

from __future__ import annotations

import functools
from collections import Counter

import numpy as np

from course_lib.data import Vocab, load_sst_trees
from course_lib.data.sst import collect_phrases
from course_lib.training import padded_split

SEED_ROWS = {"LSTM + attention (seed, best)": 0.473, "SGD (seed)": 0.232}
REFERENCES = {"Kim 2014 CNN": 0.480, "Tai et al. 2015 BiLSTM": 0.491,
              "Tai et al. 2015 Tree-LSTM": 0.510}
SST2_REFERENCES = {"Kim 2014 CNN (SST-2)": 0.881, "Tai et al. 2015 BiLSTM (SST-2)": 0.872}
TOKEN_MAP = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}


def clean(tokens):
    """SST tokens as GloVe spells them: lower case, brackets restored."""
    return [TOKEN_MAP.get(t, t).lower() for t in tokens]


@functools.lru_cache(maxsize=3)
def sst_trees(split):
    """The parsed trees of an SST split, kept in memory (one parse per process)."""
    return load_sst_trees(split)


def load_split(split, labels, phrases=False, limit=None):
    """Token lists and labels of an SST split; with ``phrases`` every distinct labelled phrase
    of the split's trees (a phrase seen twice is kept once).

    ``labels``: "fine" (five classes) or "binary" (neutral dropped); ``limit``: only the first
    ``limit`` trees. Returns (N token lists, cleaned; labels int64 (N,))."""
    examples = []
    for tree in sst_trees(split)[:limit]:
        if phrases:
            collect_phrases(tree, examples)
        else:
            examples.append((tree.leaves(), tree.label))
    if phrases:
        examples = list({tuple(t): (t, y) for t, y in reversed(examples)}.values())[::-1]
    if labels == "binary":
        examples = [(t, int(y > 2)) for t, y in examples if y != 2]
    return [clean(t) for t, _ in examples], np.array([y for _, y in examples], dtype=np.int64)


def build_vocab(train_texts, other_texts, glove_words, extra_counts=None):
    """Words of the training split (by frequency), then the dev/test words GloVe knows: their
    vectors come for free and no label is used. ``extra_counts`` ({word: count}) adds the words
    of another training corpus (IMDB, in :mod:`.imdb_pretraining`)."""
    counts, known = Counter(w for t in train_texts for w in t), set(glove_words)
    counts.update(extra_counts or {})
    for texts in other_texts:
        counts.update({w: 0 for t in texts for w in t if w in known and w not in counts})
    return Vocab(counts, min_freq=0)


def encode(vocab, texts, labels):
    """(ids (N, T) right-padded, lengths (N,), labels (N,)) tensors."""
    return padded_split([vocab.encode(t) for t in texts], labels, pad_id=vocab.pad_id)
