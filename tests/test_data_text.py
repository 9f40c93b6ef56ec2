"""Text tools and batching: tokenizer, Vocab, TokenizedCorpus, padding, buckets and the Zaremba
language-model layout."""

import subprocess
import sys

import numpy as np
import pytest

from course_lib.data import (
    PAD,
    UNK,
    TokenizedCorpus,
    Vocab,
    batchify,
    bptt_windows,
    bucket_batches,
    minibatches,
    num_windows,
    pad_batch,
    tokenize,
)


def test_tokenize_removes_line_breaks_lowercases_and_splits_punctuation():
    assert tokenize("A <br /><br />GREAT film, isn't it?<BR>Yes!") == [
        "a", "great", "film", ",", "is", "n't", "it", "?", "yes", "!"
    ]
    assert tokenize("It's the '80s... we'll see") == [
        "it", "'s", "the", "'", "80s", ".", ".", ".", "we", "'ll", "see"
    ]
    assert tokenize("Café  déjà-vu") == ["café", "déjà", "-", "vu"]


def test_vocab_order_limits_and_round_trip():
    counts = {"b": 3, "a": 3, "c": 5, "d": 1}
    vocab = Vocab(counts)
    assert vocab.itos == [PAD, UNK, "c", "a", "b", "d"]  # ties broken alphabetically
    assert vocab.pad_id == 0 and vocab.unk_id == 1 and len(vocab) == 6
    assert Vocab(counts, min_freq=2).itos == [PAD, UNK, "c", "a", "b"]
    assert Vocab(counts, max_size=4).itos == [PAD, UNK, "c", "a"]
    ids = vocab.encode(["c", "zzz", "d"])
    assert ids.dtype == np.int64 and ids.tolist() == [2, 1, 5]
    assert vocab.decode(ids) == ["c", UNK, "d"] and vocab["zzz"] == 1 and "zzz" not in vocab


def test_vocab_without_specials_uses_the_data_unk_or_refuses():
    vocab = Vocab({"<unk>": 2, "the": 9, "<eos>": 4}, specials=())
    assert vocab.itos == ["the", "<eos>", "<unk>"] and vocab.pad_id is None
    assert vocab.encode(["cat"]).tolist() == [2]
    strict = Vocab({"the": 1}, specials=())
    with pytest.raises(KeyError, match="no <unk>"):
        strict.encode(["cat"])


def test_tokenized_corpus_matches_plain_lists():
    texts = ["The cat sat.", "A dog!", "", "the the cat"]
    corpus = TokenizedCorpus.from_texts(texts)
    lists = [tokenize(t) for t in texts]
    assert len(corpus) == 4 and list(corpus) == lists
    assert corpus.lengths.tolist() == [4, 3, 0, 3]
    assert corpus.counts()["the"] == 3
    vocab = Vocab.build(corpus, min_freq=1)
    assert vocab.itos == Vocab.build(lists).itos
    for encoded, tokens in zip(corpus.encode(vocab), lists):
        assert encoded.tolist() == vocab.encode(tokens).tolist()
    part = corpus.select([3, 1])
    assert list(part) == [lists[3], lists[1]]


def test_pad_batch_lengths_mask_and_truncation():
    sequences = [np.array([5, 6, 7]), np.array([8]), np.array([1, 2, 3, 4, 5])]
    ids, lengths, mask = pad_batch(sequences, pad_id=0)
    assert ids.shape == (3, 5) and ids.dtype == np.int64
    assert ids[1].tolist() == [8, 0, 0, 0, 0] and lengths.tolist() == [3, 1, 5]
    assert mask.dtype == bool and mask.sum(axis=1).tolist() == [3, 1, 5]
    ids, lengths, mask = pad_batch(sequences, max_len=4, pad_id=9)
    assert ids.shape == (3, 4) and ids[2].tolist() == [1, 2, 3, 4] and ids[1, 1] == 9
    assert lengths.tolist() == [3, 1, 4]


def test_bucket_batches_cover_everything_once_and_reduce_padding():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 500, size=1000)
    batches = bucket_batches(lengths, 32, shuffle=True, seed=1)
    assert sorted(np.concatenate(batches).tolist()) == list(range(1000))
    again = bucket_batches(lengths, 32, shuffle=True, seed=1)
    assert all((a == b).all() for a, b in zip(batches, again))

    def padding(batches):
        return sum(int(lengths[b].max() * len(b) - lengths[b].sum()) for b in batches)

    plain = [np.arange(i, min(i + 32, 1000)) for i in range(0, 1000, 32)]
    assert padding(batches) < padding(plain) / 5
    ordered = bucket_batches(lengths, 32, shuffle=False)
    assert np.all(np.diff(lengths[np.concatenate(ordered)]) >= 0)


def test_minibatches():
    x, y = np.arange(10).reshape(10, 1), np.arange(10)
    parts = list(minibatches(x, y, batch_size=4, seed=3))
    assert [len(b[1]) for b in parts] == [4, 4, 2]
    assert sorted(np.concatenate([b[1] for b in parts]).tolist()) == list(range(10))
    assert all((xb[:, 0] == yb).all() for xb, yb in parts)


def test_batchify_and_bptt_windows_follow_zaremba():
    stream = np.arange(23)
    data = batchify(stream, 3)
    assert data.shape == (3, 7) and data[1].tolist() == list(range(7, 14))
    windows = list(bptt_windows(data, 2))
    assert len(windows) == num_windows(data, 2) == 3
    x, y = windows[0]
    assert x.shape == y.shape == (3, 2) and (y == x + 1).all()
    # consecutive windows continue each row's text
    assert windows[1][0][:, 0].tolist() == (windows[0][0][:, -1] + 1).tolist()
    with pytest.raises(ValueError, match="cannot cut"):
        batchify(np.arange(2), 3)


def test_importing_the_data_layer_stays_light():
    code = "import sys, course_lib.data; print(sorted({'torch', 'pooch', 'matplotlib'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"  # no torch in the data layer, pooch only to download
