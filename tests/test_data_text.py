"""Text tools and batching: tokenizer, Vocab, TokenizedCorpus, padding, buckets, the Zaremba
language-model layout, and the torch Dataset / DataLoader helpers."""

import subprocess
import sys

import numpy as np
import pytest
import torch

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
    padded_batches,
    tokenize,
)
from course_lib.data.torch_data import array_loader, lm_batches, sequence_loader


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


def test_padded_batches_and_minibatches():
    sequences = [np.arange(1, n + 1) for n in (3, 1, 4, 2, 5)]
    labels = np.array([0, 1, 0, 1, 0])
    seen = []
    for ids, lengths, mask, y in padded_batches(sequences, labels, batch_size=2, seed=0):
        assert ids.shape[0] == len(y) <= 2 and ids.shape[1] == lengths.max()
        assert (mask.sum(1) == lengths).all()
        seen += [int(ids[i, lengths[i] - 1]) for i in range(len(y))]  # last token = length
    assert sorted(seen) == [1, 2, 3, 4, 5]
    batches = list(padded_batches(sequences, labels, 2, max_len=2, bucket=False, shuffle=False))
    assert batches[0][0].tolist() == [[1, 2], [1, 0]] and batches[0][3].tolist() == [0, 1]
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


def test_torch_sequence_loader_pads_and_buckets():
    sequences = [np.arange(1, n + 1) for n in range(1, 41)]
    labels = np.arange(40) % 2
    loader = sequence_loader(sequences, labels, batch_size=8, max_len=30, seed=0)
    total = 0
    for ids, lengths, mask, y in loader:
        assert ids.dtype == torch.int64 and mask.dtype == torch.bool and y.dtype == torch.int64
        assert ids.shape == mask.shape and ids.shape[1] == int(lengths.max()) <= 30
        assert torch.equal(mask.sum(1), lengths)
        assert int(lengths.max() - lengths.min()) < 10  # similar lengths together
        total += len(y)
    assert total == 40 and len(loader) == 5
    first = [b[3].tolist() for b in loader]
    second = [b[3].tolist() for b in loader]
    assert first != second  # reshuffled every epoch
    plain = sequence_loader(sequences, labels, batch_size=8, bucket=False, shuffle=False)
    assert next(iter(plain))[0].shape == (8, 8)


def test_torch_array_loader_and_lm_batches():
    images, labels = np.zeros((10, 28, 28), np.float32), np.arange(10)
    batch = next(iter(array_loader(images, labels, batch_size=4, shuffle=False)))
    assert batch[0].shape == (4, 28, 28) and batch[1].tolist() == [0, 1, 2, 3]
    stream = np.arange(100)
    pairs = list(lm_batches(stream, batch_size=4, num_steps=5))
    expected = list(bptt_windows(batchify(stream, 4), 5))
    assert len(pairs) == len(expected) == 4
    for (x, y), (ex, ey) in zip(pairs, expected):
        assert x.dtype == torch.int64 and x.tolist() == ex.tolist() and y.tolist() == ey.tolist()


def test_importing_the_data_layer_stays_light():
    code = "import sys, course_lib.data; print(sorted({'torch', 'pooch', 'matplotlib'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"  # torch only in torch_data, pooch only to download
