"""The real data sets (LSTM_COURSE_DATA or the cache): digests and the published record counts.

Outside CI these skip when the data is not reachable; in CI (``CI`` or ``LSTM_COURSE_CI`` set)
missing data is a failure. The IMDB and GloVe tests parse the full files once, then read the
parsed caches (``<cache>/parsed/``).
"""

from collections import Counter

import numpy as np
import pytest

from course_lib import data
from course_lib.data import registry
from course_lib.data.check import count_records
from course_lib.data.fetch import find, verify
from tests.conftest import requires_ci_or_skip

pytestmark = pytest.mark.realdata


def _need(dataset):
    missing = [name for name in registry.DATASETS[dataset]["files"] if find(name) is None]
    requires_ci_or_skip(not missing, f"real {dataset} data not found (set LSTM_COURSE_DATA)")


@pytest.mark.parametrize("dataset", ["mnist", "ptb", "sst"])
def test_small_data_sets_digests_and_counts(dataset):
    _need(dataset)
    for name in registry.DATASETS[dataset]["files"]:
        verify(find(name), use_record=False)
    assert count_records(dataset) == registry.COUNTS[dataset]


def test_mnist_class_balance():
    _need("mnist")
    images, labels = data.load_mnist("test")
    assert images.shape == (10_000, 28, 28) and images.dtype == np.float32
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_ptb_vocabulary():
    _need("ptb")
    train = data.load_ptb("train")
    vocab = data.Vocab(Counter(train), specials=())
    assert len(vocab) == 10_000 and vocab.unk_id is not None
    assert set(data.load_ptb("test")) <= set(vocab.itos)
    assert len(set(data.load_ptb("train", level="char"))) == 50  # 49 symbols + <eos>


def test_sst_root_labels():
    _need("sst")
    _, labels = data.load_sst("test")
    assert np.bincount(labels).tolist() == [279, 633, 389, 510, 399]


def test_imdb_counts_and_balance():
    _need("imdb")
    for split, n in registry.COUNTS["imdb"].items():
        texts, labels = data.load_imdb(split)
        assert len(texts) == len(labels) == n
        if split != "unsup":
            assert labels.sum() == n // 2
    corpus, labels = data.load_imdb_tokens("train")
    assert len(corpus) == 25_000 and corpus.lengths.min() > 0


def test_glove_shape_and_neighbours():
    _need("glove")
    glove = data.load_glove(50)
    assert len(glove.words) == 400_000 and glove.vectors.shape == (400_000, 50)
    assert glove.words[:3] == ["the", ",", "."]
    assert "king" in [w for w, _ in data.nearest_neighbours(glove, "queen", k=10)]
