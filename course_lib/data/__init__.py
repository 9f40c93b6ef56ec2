"""The course's data layer: the five data sets, fetched, verified and loaded.

Loaders (the course's public API)::

    images, labels = load_mnist("train")        # float32 (60000, 28, 28) in [0, 1], int64
    texts, labels = load_imdb("train")          # 25,000 review strings, int64 (1 = positive)
    stream = load_ptb("train", level="word")    # 929,589 tokens, "<eos>" ending each line
    sentences, labels = load_sst("train")       # 8,544 token lists, fine labels 0-4
    words, vectors = load_glove(50)             # 400,000 words, float32 (400000, 50)

Where the files come from: ``LSTM_COURSE_DATA`` (read-only), then the cache
(``LSTM_COURSE_CACHE``, default ``data/``), then a download; see :mod:`course_lib.data.fetch`.
The data layer never imports torch; its arrays become tensors in :mod:`course_lib.training`.
"""

from course_lib.data.batches import (
    batchify,
    bptt_windows,
    bucket_batches,
    minibatches,
    num_windows,
    pad_batch,
)
from course_lib.data.errors import (
    CorruptFileError,
    DataError,
    DataNotFoundError,
    DigestMismatchError,
    UnsafeArchiveError,
)
from course_lib.data.fetch import fetch_dataset, locate, status
from course_lib.data.glove import Glove, embedding_matrix, load_glove, nearest_neighbours
from course_lib.data.imdb import load_imdb, load_imdb_tokens
from course_lib.data.mnist import load_mnist
from course_lib.data.ptb import load_ptb
from course_lib.data.sst import Tree, load_sst, load_sst_trees, parse_tree
from course_lib.data.text import EOS, PAD, UNK, TokenizedCorpus, Vocab, tokenize

__all__ = [
    "load_mnist",
    "load_imdb",
    "load_imdb_tokens",
    "load_ptb",
    "load_sst",
    "load_sst_trees",
    "load_glove",
    "embedding_matrix",
    "nearest_neighbours",
    "Glove",
    "Tree",
    "parse_tree",
    "tokenize",
    "Vocab",
    "TokenizedCorpus",
    "PAD",
    "UNK",
    "EOS",
    "pad_batch",
    "bucket_batches",
    "minibatches",
    "batchify",
    "bptt_windows",
    "num_windows",
    "fetch_dataset",
    "locate",
    "status",
    "DataError",
    "DataNotFoundError",
    "DigestMismatchError",
    "CorruptFileError",
    "UnsafeArchiveError",
]
