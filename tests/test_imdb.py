"""IMDB: the exercise checkers of notebook 07 (one broken version per hint), and the pieces of
the IMDB experiments that need no data (seeds' initialisation, probabilities kept in order,
error analysis)."""

from collections import Counter

import numpy as np
import pytest
import torch

from course_lib.checks.imdb_sentiment import check_build_vocab, check_encode, check_pad_batch
from course_lib.experiments.common.imdb_recipe import ImdbConfig, seed_init_
from course_lib.experiments.imdb_best import (
    ProbabilityTask,
    accuracy_by_length,
    confidently_wrong,
    ensemble_accuracy,
)
from course_lib.numpy_core import init as numpy_init
from course_lib.torch_models import SequenceClassifier


# ------------------------------------------------------------------ build_vocab
def vocab(texts, min_freq, *, specials=("<pad>", "<unk>"), keep_rare=False, order="count_word"):
    counts = Counter(t for text in texts for t in text)
    words = [w for w in counts if keep_rare or counts[w] >= min_freq]
    if order == "count_word":
        words.sort(key=lambda w: (-counts[w], w))
    elif order == "count":
        words.sort(key=lambda w: -counts[w])  # stable: first-seen order among ties
    else:
        words.sort()
    return list(specials) + words


def vocab_one_text(texts, min_freq):
    return vocab(texts[:1], min_freq)


@pytest.mark.parametrize("fn, hint", [
    (vocab, None),
    (lambda t, m: vocab(t, m, specials=("<unk>", "<pad>")), "put the specials first"),
    (lambda t, m: vocab(t, m, specials=()), "put the specials first"),
    (lambda t, m: vocab(t, m, keep_rare=True), "keep a word only when count >= min_freq"),
    (lambda t, m: vocab(t, m, order="count"), "break ties alphabetically"),
    (lambda t, m: vocab(t, m, order="alpha"), "sort words by decreasing count"),
    (vocab_one_text, "count across all the texts"),
    (lambda t, m: {w: i for i, w in enumerate(vocab(t, m))}, "return the list itos"),
    (lambda t, m: None, "return the list itos (id -> token), got NoneType"),
])
def test_check_build_vocab(capsys, fn, hint):
    assert check_build_vocab(fn) is (hint is None)
    out = capsys.readouterr().out
    assert ("PASS" in out) if hint is None else (hint in out)


# ------------------------------------------------------------------ encode
def encode(tokens, stoi, unk_id):
    return np.array([stoi.get(t, unk_id) for t in tokens], dtype=np.int64)


@pytest.mark.parametrize("fn, hint", [
    (encode, None),
    (lambda tokens, stoi, unk: np.array([stoi[t] for t in tokens if t in stoi]),
     "unknown tokens map to unk_id, they are not skipped"),
    (lambda tokens, stoi, unk: np.array([stoi.get(t, 0) for t in tokens]), "stoi.get(token, unk_id)"),
    (lambda tokens, stoi, unk: encode(tokens, stoi, unk).astype(np.int32), "int64"),
    (lambda tokens, stoi, unk: encode(tokens, stoi[None], unk), "raised KeyError"),
])
def test_check_encode(capsys, fn, hint):
    assert check_encode(fn) is (hint is None)
    out = capsys.readouterr().out
    assert ("PASS" in out) if hint is None else (hint in out)


# ------------------------------------------------------------------ pad_batch
def pad(seqs, max_len, pad_id, *, side="right", cut="head", fixed=False, cap=True, invert=False,
        dtype=np.int64):
    kept = [s[:max_len] if cut == "head" else s[-max_len:] for s in seqs]
    lengths = np.array([len(k) if cap else len(s) for k, s in zip(kept, seqs)], dtype=dtype)
    T = max_len if fixed else max(len(k) for k in kept)
    ids = np.full((len(seqs), T), pad_id, dtype=dtype)
    for i, k in enumerate(kept):
        if side == "right":
            ids[i, :len(k)] = k
        else:
            ids[i, T - len(k):] = k
    mask = np.arange(T)[None] < np.array([len(k) for k in kept])[:, None]
    return ids, lengths, ~mask if invert else mask


def pad_in_place(seqs, max_len, pad_id):
    seqs[0][0] = 99
    return pad(seqs, max_len, pad_id)


@pytest.mark.parametrize("fn, hint", [
    (pad, None),
    (lambda s, m, p: pad(s, m, p, side="left"), "right-pad"),
    (lambda s, m, p: pad(s, m, p, cut="tail"), "keep the first max_len tokens"),
    (lambda s, m, p: pad(s, m, p, fixed=True), "pad to the longest kept sequence"),
    (lambda s, m, p: pad(s, m, p, cap=False), "cap the lengths at max_len"),
    (lambda s, m, p: pad(s, m, p, invert=True), "the mask is inverted"),
    (lambda s, m, p: pad(s, m, p, dtype=np.int32), "expected int64"),
    (lambda s, m, p: pad(s, m, p)[:2], "a tuple (ids, lengths, mask)"),
])
def test_check_pad_batch(capsys, fn, hint):
    assert check_pad_batch(fn) is (hint is None)
    out = capsys.readouterr().out
    assert ("PASS" in out) if hint is None else (hint in out)


def test_check_pad_batch_catches_changed_inputs(capsys):
    import course_lib.checks.imdb_sentiment as checks

    saved = [s.copy() for s in checks.SEQUENCES]
    try:
        assert not check_pad_batch(pad_in_place)
        assert "changed the input sequences" in capsys.readouterr().out
    finally:
        for s, old in zip(checks.SEQUENCES, saved):
            s[:] = old


def test_not_implemented_is_reported(capsys):
    def todo(*args):
        raise NotImplementedError()

    for check in (check_build_vocab, check_encode, check_pad_batch):
        assert not check(todo)
    assert capsys.readouterr().out.count("not implemented yet") == 3


# ------------------------------------------------------------------ experiment pieces
def test_seed_init_puts_the_numpy_seed_weights_into_nn_lstm():
    model = SequenceClassifier(2, vocab_size=20, embed_dim=6, hidden_size=5)
    seed_init_(model, scale=0.1, seed=3)
    Wx, Wh, b = numpy_init.lstm_params(6, 5, np.random.default_rng(3), "seed", 0.1)
    lstm = model.encoder.layers[0][0]
    assert np.array_equal(lstm.weight_ih_l0.detach().numpy(), Wx.T)
    assert np.array_equal(lstm.weight_hh_l0.detach().numpy(), Wh.T)
    assert not lstm.bias_hh_l0.any() and not lstm.bias_ih_l0.any()
    assert model.head.weight.shape == (2, 5)


def test_probability_task_keeps_test_probabilities_in_row_order():
    torch.manual_seed(0)
    N, T = 37, 9
    ids = torch.randint(1, 20, (N, T))
    lengths = torch.randint(1, T + 1, (N,))
    labels = torch.randint(0, 2, (N,))
    task = ProbabilityTask((ids, lengths, labels), test=(ids, lengths, labels), batch_size=8,
                           eval_batch_size=10, bucket=True)
    model = SequenceClassifier(2, vocab_size=20, embed_dim=4, hidden_size=3).eval()
    with torch.no_grad():
        totals = {}
        for batch in task.batches("test"):
            _, step_totals, _ = task.step(model, batch, None)
            totals = step_totals
        task.metrics(totals)
        direct = torch.softmax(model(ids, lengths), 1)[:, 1].numpy()
    assert len(task.probabilities["test"]) == 1
    np.testing.assert_allclose(task.probabilities["test"][0], direct, rtol=1e-5, atol=1e-6)
    for _ in task.batches("train", torch.Generator().manual_seed(0)):  # training: nothing kept
        pass
    task.metrics(totals)
    assert len(task.probabilities["test"]) == 1


def test_error_analysis_helpers():
    labels = np.array([1, 0, 1, 0, 1])
    p = np.array([0.9, 0.95, 0.4, 0.1, 0.6], dtype=np.float32)
    assert ensemble_accuracy([p], labels) == 0.6
    q = np.array([0.2, 0.0, 0.9, 0.2, 0.6])  # 80 % alone; the average of p and q is all right
    assert ensemble_accuracy([q], labels) == 0.8 and ensemble_accuracy([p, q], labels) == 1.0
    wrong = confidently_wrong(p, labels, index=np.arange(100, 105), k=5)
    assert [w["test_index"] for w in wrong] == [101, 102]
    rows = accuracy_by_length(p, labels, np.array([50, 150, 150, 900, 50]))
    assert [r["reviews"] for r in rows] == [2, 2, 1] and rows[0]["accuracy"] == 1.0


def test_configs_are_consistent():
    from course_lib.experiments import get_experiment

    for name in ("imdb-seed", "imdb-rnn-vs-lstm", "imdb-padding", "imdb-best"):
        experiment = get_experiment(name)
        laptop = experiment.profiles["laptop"]
        assert isinstance(laptop, ImdbConfig)
        assert laptop.train_size is None and laptop.test_size is None  # the full 25k / 25k
    seed = get_experiment("imdb-seed").profiles["laptop"]
    assert (seed.hidden_size, seed.batch_size, seed.lr, seed.decay, seed.clip_norm, seed.seed,
            seed.pooling, seed.init) == (32, 32, 1.0, 0.2, 5.0, 42, "mean", "seed")


def test_numpy_batches_cut_each_batch_and_evaluate_matches_a_plain_loop():
    from course_lib.experiments.common.imdb_data import ImdbSplit
    from course_lib.experiments.imdb_numpy import numpy_batches, numpy_evaluate
    from course_lib.numpy_core import SequenceClassifier as NumpyClassifier

    rng = np.random.default_rng(0)
    N, T = 23, 11
    lengths = rng.integers(1, T + 1, N)
    ids = np.where(np.arange(T)[None] < lengths[:, None], rng.integers(2, 30, (N, T)), 0)
    split = ImdbSplit(torch.from_numpy(ids.astype(np.int32)), torch.from_numpy(lengths),
                      torch.from_numpy(rng.integers(0, 2, N)), np.arange(N), lengths)
    seen = []
    for x, y, mask in numpy_batches(split, 8, seed=1):
        assert x.shape == mask.shape and x.shape[1] == mask.sum(1).max() and x.dtype == np.int64
        assert (x[~mask] == 0).all()
        seen += list(y)
    assert len(seen) == N
    model = NumpyClassifier(4, 3, 2, vocab_size=30, seed=0)
    scores = np.concatenate([model.scores(ids[i:i + 1, :lengths[i]]) for i in range(N)])
    expected = (scores.argmax(1) == split.labels.numpy()).mean()
    assert numpy_evaluate(model, split, batch_size=5)["accuracy"] == pytest.approx(expected)
