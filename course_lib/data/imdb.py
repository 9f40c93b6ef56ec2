"""IMDB movie reviews (Maas et al., 2011): 50,000 labelled reviews plus 50,000 unlabelled ones.

The aclImdb layout: ``{train,test}/{pos,neg}/<id>_<rating>.txt`` (ratings 7-10 are positive,
1-4 negative) and ``train/unsup/<id>_0.txt``. The reviews are read straight from the tar archive
(or an extracted ``aclImdb/`` folder) in one pass, which also checks the tree digest; the parsed
texts are cached in ``<cache>/parsed/`` so that later loads take a fraction of a second.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from course_lib.data import cache, registry, text
from course_lib.data.archive import TreeDigest, iter_tree
from course_lib.data.errors import CorruptFileError, UnsafeArchiveError
from course_lib.data.fetch import check_choice, check_digest, locate, reject
from course_lib.data.text import TokenizedCorpus

SPLITS = ("train", "test", "unsup")
FILE = "imdb/aclImdb"
_REVIEW = re.compile(r"(train|test)/(pos|neg|unsup)/(\d+)_(\d+)\.txt")
_LABELS = {"pos": 1, "neg": 0, "unsup": -1}
# Changing the tokenizer changes this key, so tokenised caches are rebuilt.
_TOKENIZER_KEY = hashlib.sha256(
    (text._TOKEN.pattern + text._LINE_BREAK.pattern).encode()
).hexdigest()[:8]


def _digest() -> str:
    return registry.FILES[FILE]["sha256"]


def _parse_archive() -> None:
    """Read every review once, check the tree digest, and cache each split's texts."""
    location = locate(FILE, check=False)
    verified = cache.recorded_digest(location.path, location.member) == _digest()
    tree = TreeDigest(registry.FILES[FILE]["include"])
    reviews: dict[str, list[tuple[int, int, int, bytes]]] = {split: [] for split in SPLITS}
    try:
        for rel, content in iter_tree(location.path, location.member or ""):
            if not verified:
                tree.add(rel, content)
            match = _REVIEW.fullmatch(rel)
            if match:
                part, polarity, review_id, rating = match.groups()
                split = "unsup" if polarity == "unsup" else part
                label = _LABELS[polarity]
                reviews[split].append((-label, int(review_id), int(rating), content))
    except (CorruptFileError, UnsafeArchiveError) as error:
        reject(location, str(error), type(error))
    if not verified:
        check_digest(location, tree.hexdigest())
    for split, rows in reviews.items():
        if not rows:
            raise CorruptFileError(f"{location}: no {split} reviews found in the aclImdb layout")
        rows.sort()  # positive reviews first, then by id
        lengths = np.array([len(row[3]) for row in rows], dtype=np.int64)
        cache.save_arrays(
            cache.parsed_path(f"imdb-texts-{split}", _digest()),
            text=np.frombuffer(b"".join(row[3] for row in rows), dtype=np.uint8),
            offsets=np.concatenate([[0], np.cumsum(lengths)]),
            labels=np.array([-row[0] for row in rows], dtype=np.int64),
            ratings=np.array([row[2] for row in rows], dtype=np.int64),
        )


def _load_texts(split: str) -> dict[str, np.ndarray]:
    path = cache.parsed_path(f"imdb-texts-{split}", _digest())
    arrays = cache.load_arrays(path)
    if arrays is None:
        _parse_archive()
        arrays = cache.load_arrays(path)
    return arrays


def load_imdb(split: str = "train") -> tuple[list[str], np.ndarray]:
    """Load an IMDB split as raw review texts.

    Inputs:
    - split: "train" or "test" (25,000 reviews each, half positive) or "unsup" (50,000)

    Returns a tuple of:
    - texts: list of N review strings (HTML ``<br />`` line breaks included), positives first
    - labels: int64 (N,), 1 = positive, 0 = negative, -1 = unlabelled (``unsup``)
    """
    check_choice(split, SPLITS, "IMDB split")
    arrays = _load_texts(split)
    data, offsets = arrays["text"].tobytes(), arrays["offsets"]
    texts = [data[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:])]
    return texts, arrays["labels"]


def load_imdb_tokens(split: str = "train") -> tuple[TokenizedCorpus, np.ndarray]:
    """Load an IMDB split tokenised with :func:`course_lib.data.text.tokenize` (cached).

    Returns a tuple of:
    - corpus: :class:`TokenizedCorpus` of the N reviews (``Vocab.build(corpus)``, ``corpus.encode``)
    - labels: int64 (N,), as in :func:`load_imdb`
    """
    check_choice(split, SPLITS, "IMDB split")
    path = cache.parsed_path(f"imdb-tokens-{_TOKENIZER_KEY}-{split}", _digest())
    arrays = cache.load_arrays(path)
    if arrays is None:
        texts, labels = load_imdb(split)
        corpus = TokenizedCorpus.from_texts(texts)
        cache.save_arrays(
            path,
            words=cache.encode_strings(corpus.words),
            ids=corpus.ids,
            offsets=corpus.offsets,
            labels=labels,
        )
        return corpus, labels
    corpus = TokenizedCorpus(cache.decode_strings(arrays["words"]), arrays["ids"], arrays["offsets"])
    return corpus, arrays["labels"]


DEV_SIZE = 2_500  # reviews held out of the 25,000 training reviews (10 %, the usual choice)
DEV_SEED = 2011  # fixed, so that every IMDB experiment holds out the same reviews (Maas et al.)


def dev_split(labels: np.ndarray, size: int = DEV_SIZE, seed: int = DEV_SEED
              ) -> tuple[np.ndarray, np.ndarray]:
    """IMDB's dev split: a fixed, stratified, seeded part of the training reviews.

    IMDB ships only train and test, so choices (epochs, recipes, ensemble members, a sweep's best
    point) need a third split held out of train; test is then scored once, for what dev chose.

    Inputs:
    - labels: int (N,), the labels of ``load_imdb("train")`` (or of its tokens), in that order
    - size: how many reviews to hold out, split between the classes in proportion to their counts
    - seed: the random draw within each class (keep the default to share the course's split)

    Returns ``(train_index, dev_index)``: sorted int64 positions into the N reviews, disjoint,
    together covering all N.
    """
    labels = np.asarray(labels)
    if not 0 < size < len(labels):
        raise ValueError(f"dev size must be between 1 and {len(labels) - 1}, got {size}")
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    per_class = np.floor(size * counts / len(labels)).astype(int)
    per_class[: size - per_class.sum()] += 1  # hand out the rounding remainder
    dev = [rng.permutation(np.flatnonzero(labels == c))[:k] for c, k in zip(classes, per_class)]
    dev_index = np.sort(np.concatenate(dev)).astype(np.int64)
    train_index = np.setdiff1d(np.arange(len(labels)), dev_index).astype(np.int64)
    return train_index, dev_index
