"""Text to integers: a tokenizer, a vocabulary, and a compact tokenised corpus.

The pipeline of every text task: ``tokenize`` each text, count tokens, keep the frequent ones in a
``Vocab`` (ids for ``<pad>`` and ``<unk>`` first), then ``encode`` each text as an id array.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

PAD, UNK, EOS = "<pad>", "<unk>", "<eos>"

_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# A word's "n't" and the clitics 's 're 've 'll 'd 'm are tokens of their own (as in the Penn
# Treebank and in GloVe's vocabulary); any other non-space, non-word character is one token.
_TOKEN = re.compile(r"\w+(?=n't\b)|n't\b|'(?:s|re|ve|ll|d|m)\b|\w+|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Split a review into tokens: ``<br />`` removed, lower-cased, punctuation split off.

    >>> tokenize("A <br /><br />GREAT film, isn't it?")
    ['a', 'great', 'film', ',', 'is', "n't", 'it', '?']
    """
    return _TOKEN.findall(_LINE_BREAK.sub(" ", text).lower())


class Vocab:
    """A token <-> id mapping: the special tokens first, then words by decreasing frequency.

    Inputs:
    - counts: token -> number of occurrences (e.g. a ``Counter``)
    - max_size: keep at most this many entries, specials included (None: no limit)
    - min_freq: drop tokens seen fewer times
    - specials: tokens put first whatever their counts (``<pad>`` gets id 0, ``<unk>`` id 1)

    Ties in frequency are broken alphabetically, so the same counts always give the same ids.
    """

    def __init__(
        self,
        counts: Mapping[str, int],
        max_size: int | None = None,
        min_freq: int = 1,
        specials: Iterable[str] = (PAD, UNK),
    ):
        specials = list(specials)
        words = [w for w, c in counts.items() if c >= min_freq and w not in specials]
        words.sort(key=lambda w: (-counts[w], w))
        if max_size is not None:
            words = words[: max(max_size - len(specials), 0)]
        self.specials: list[str] = specials
        self.itos: list[str] = specials + words
        self.stoi: dict[str, int] = {token: i for i, token in enumerate(self.itos)}
        self.pad_id: int | None = self.stoi.get(PAD)
        self.unk_id: int | None = self.stoi.get(UNK)

    @classmethod
    def build(cls, texts: Iterable[Iterable[str]] | TokenizedCorpus, **kwargs) -> Vocab:
        """Count the tokens of ``texts`` (token lists or a corpus) and build a vocabulary."""
        if isinstance(texts, TokenizedCorpus):
            return cls(texts.counts(), **kwargs)
        counts: Counter = Counter()
        for tokens in texts:
            counts.update(tokens)
        return cls(counts, **kwargs)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __getitem__(self, token: str) -> int:
        if token in self.stoi:
            return self.stoi[token]
        if self.unk_id is None:
            raise KeyError(f"{token!r} is not in the vocabulary, which has no {UNK} token")
        return self.unk_id

    def encode(self, tokens: Iterable[str]) -> np.ndarray:
        """Tokens -> int64 ids (N,); unknown tokens map to ``<unk>``."""
        tokens = list(tokens)
        stoi, unk = self.stoi, self.unk_id
        if unk is None:
            return np.fromiter((self[t] for t in tokens), dtype=np.int64, count=len(tokens))
        return np.fromiter((stoi.get(t, unk) for t in tokens), dtype=np.int64, count=len(tokens))

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Ids -> tokens."""
        return [self.itos[int(i)] for i in ids]

    def __repr__(self) -> str:
        return f"Vocab(size={len(self)}, first={self.itos[:6]})"


class _Index(dict):
    """word -> id, where looking up a new word gives it the next free id."""

    def __missing__(self, word: str) -> int:
        self[word] = len(self)
        return self[word]


@dataclass
class TokenizedCorpus:
    """N tokenised texts held compactly: a word list, one flat id array and offsets.

    - words: the W distinct tokens (in order of first appearance)
    - ids: int32 (total tokens,), indices into ``words``
    - offsets: int64 (N + 1,); text i is ``ids[offsets[i]:offsets[i + 1]]``
    """

    words: list[str]
    ids: np.ndarray
    offsets: np.ndarray

    @classmethod
    def from_texts(cls, texts: Iterable[str], tokenizer=tokenize) -> TokenizedCorpus:
        """Tokenise every text."""
        index = _Index()
        ids: list[int] = []
        offsets = [0]
        for text in texts:
            ids.extend(map(index.__getitem__, tokenizer(text)))  # new words get the next id
            offsets.append(len(ids))
        return cls(list(index), np.array(ids, dtype=np.int32), np.array(offsets, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> list[str]:
        words = self.words
        return [words[j] for j in self.ids[self.offsets[i] : self.offsets[i + 1]]]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    @property
    def lengths(self) -> np.ndarray:
        """int64 (N,): the number of tokens of each text."""
        return np.diff(self.offsets)

    def counts(self) -> dict[str, int]:
        """How often each word occurs in the corpus."""
        counts = np.bincount(self.ids, minlength=len(self.words))
        return dict(zip(self.words, counts.tolist()))

    def encode(self, vocab: Vocab) -> list[np.ndarray]:
        """Every text as int64 vocabulary ids: a list of N arrays (vectorised, no Python loop)."""
        table = vocab.encode(self.words)  # (W,) word index -> vocabulary id
        return np.split(table[self.ids], self.offsets[1:-1])

    def select(self, indices) -> TokenizedCorpus:
        """The corpus of the texts at ``indices`` (sharing the word list)."""
        indices = np.asarray(indices, dtype=np.int64)
        starts, ends = self.offsets[indices], self.offsets[indices + 1]
        parts = [self.ids[s:e] for s, e in zip(starts, ends)]
        offsets = np.concatenate([[0], np.cumsum(ends - starts)]).astype(np.int64)
        ids = np.concatenate(parts) if parts else np.zeros(0, np.int32)
        return TokenizedCorpus(self.words, ids.astype(np.int32), offsets)
