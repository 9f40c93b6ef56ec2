"""GloVe word vectors (Pennington, Socher and Manning, 2014): 6B tokens, 400,000 words, 50-d.

The text file has one line per word, ``word v1 ... v50``, most frequent words first. Parsing it
takes seconds, so the parsed matrix is cached in ``<cache>/parsed/`` (loads in a fraction of a
second afterwards).
"""

from __future__ import annotations

import io
from typing import NamedTuple

import numpy as np

from course_lib.data import cache, registry
from course_lib.data.archive import open_content, read_content
from course_lib.data.errors import CorruptFileError
from course_lib.data.fetch import check_choice, locate
from course_lib.data.text import Vocab

DIMS = (50,)


class Glove(NamedTuple):
    """Words and their vectors: ``words[i]`` has vector ``vectors[i]``, float32 (V, D)."""

    words: list[str]
    vectors: np.ndarray


def _parse(lines: list[str], source: str, dim: int) -> Glove:
    words = [line.partition(" ")[0] for line in lines]
    try:
        vectors = np.loadtxt(
            io.StringIO("\n".join(lines)),
            dtype=np.float32,
            usecols=range(1, dim + 1),
            comments=None,
            delimiter=" ",
            quotechar=None,
            ndmin=2,
        )
    except ValueError as error:
        raise CorruptFileError(f"{source}: not a GloVe text file ({error})") from None
    if vectors.shape != (len(words), dim):
        raise CorruptFileError(f"{source}: expected {dim} values per line, got {vectors.shape}")
    return Glove(words, vectors)


def load_glove(dim: int = 50, limit: int | None = None) -> Glove:
    """Load GloVe 6B vectors.

    Inputs:
    - dim: vector size; 50 is the one the course uses
    - limit: if given, only the first ``limit`` words (the most frequent), read without building
      the cache: quick looks in the smoke profile

    Returns ``Glove(words, vectors)``: a list of V words and float32 vectors (V, dim);
    V = 400,000 without ``limit``. Unpacks as ``words, vectors = load_glove()``.
    """
    check_choice(dim, DIMS, "GloVe dimension")
    name = f"glove/glove.6B.{dim}d.txt"
    digest = registry.FILES[name]["sha256"]
    path = cache.parsed_path(f"glove.6B.{dim}d", digest)
    arrays = cache.load_arrays(path)
    if arrays is not None:
        words, vectors = cache.decode_strings(arrays["words"]), arrays["vectors"]
        return Glove(words[:limit], vectors[:limit]) if limit else Glove(words, vectors)
    location = locate(name)
    if limit is not None:
        with open_content(location.path, location.member) as f:
            lines = [f.readline().decode("utf-8").rstrip("\n") for _ in range(limit)]
        return _parse([line for line in lines if line], str(location), dim)
    lines = read_content(location.path, location.member).decode("utf-8").split("\n")
    glove = _parse([line for line in lines if line], str(location), dim)
    cache.save_arrays(path, words=cache.encode_strings(glove.words), vectors=glove.vectors)
    return glove


def embedding_matrix(
    vocab: Vocab, glove: Glove, oov_init: str = "normal", seed: int = 0, lowercase: bool = True
) -> tuple[np.ndarray, float]:
    """An embedding matrix aligned to ``vocab``, rows taken from GloVe where the word is known.

    Inputs:
    - vocab: the task's vocabulary (V entries)
    - glove: from :func:`load_glove` (D-dimensional vectors)
    - oov_init: rows of words GloVe lacks: "normal" (random, with GloVe's own mean and std),
      "uniform" (in [-std, std]) or "zeros"; the ``<pad>`` row is always zeros
    - seed: for the random rows
    - lowercase: look a word up as it is, then lower-cased (GloVe 6B is lower-cased: right for
      IMDB's and SST's mixed-case words). False looks words up exactly: for Penn Treebank, whose
      text is already lower-case and whose only capital token, ``N``, stands for any number and
      must not get the vector of the letter "n"

    Returns a tuple of:
    - matrix: float32 (V, D)
    - coverage: the fraction of the vocabulary's non-special words found in GloVe
    """
    check_choice(oov_init, ("normal", "uniform", "zeros"), "oov_init")
    index = {word: i for i, word in enumerate(glove.words)}
    D = glove.vectors.shape[1]
    rng = np.random.default_rng(seed)
    mean, std = float(glove.vectors.mean()), float(glove.vectors.std())
    if oov_init == "normal":
        matrix = rng.normal(mean, std, size=(len(vocab), D))
    elif oov_init == "uniform":
        matrix = rng.uniform(-std, std, size=(len(vocab), D))
    else:
        matrix = np.zeros((len(vocab), D))
    matrix = matrix.astype(np.float32)
    specials = set(vocab.specials)
    found = 0
    for i, word in enumerate(vocab.itos):
        row = index.get(word, index.get(word.lower()) if lowercase else None)
        if row is not None and word not in specials:
            matrix[i] = glove.vectors[row]
            found += 1
    if vocab.pad_id is not None:
        matrix[vocab.pad_id] = 0.0
    return matrix, found / max(len(vocab) - len(specials), 1)


def nearest_neighbours(glove: Glove, word: str, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` words whose vectors have the highest cosine similarity with ``word``'s."""
    if word not in glove.words:
        raise KeyError(f"{word!r} is not among the {len(glove.words)} GloVe words loaded")
    index = glove.words.index(word)
    unit = glove.vectors / np.linalg.norm(glove.vectors, axis=1, keepdims=True)  # (V, D)
    similarity = unit @ unit[index]  # (V,)
    best = np.argsort(-similarity)[: k + 1]
    return [(glove.words[i], float(similarity[i])) for i in best if i != index][:k]
