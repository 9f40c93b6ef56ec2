"""The checkers of practice notebook 04 pass correct answers and name each classic mistake."""

import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from course_lib.checks import the_data as c
from course_lib.data import Vocab, batchify
from course_lib.data.text import UNK


def run(check, *args, **kwargs):
    return check(*args, **kwargs)


# ---------------------------------------------------------------- a correct student
def build_vocab(tokens, max_size=None, min_count=1):
    counts = Counter(t for t in tokens if t != UNK)
    words = sorted((w for w, n in counts.items() if n >= min_count), key=lambda w: (-counts[w], w))
    if max_size is not None:
        words = words[:max_size - 1]
    return [UNK] + words


def encode(tokens, itos):
    stoi = {w: i for i, w in enumerate(itos)}
    return np.array([stoi.get(t, stoi[UNK]) for t in tokens], dtype=np.int64)


def unk_rate(train, held_out, max_size):
    return float(np.mean(encode(held_out, build_vocab(train, max_size)) == 0))


def windows(data, T):
    L = data.shape[1]
    return [(data[:, i:i + min(T, L - 1 - i)], data[:, i + 1:i + 1 + min(T, L - 1 - i)])
            for i in range(0, L - 1, T)]


def test_reference_is_the_course_vocab():
    for seed in (0, 5):
        tokens = c.synthetic_tokens(seed)
        for max_size, min_count in c.VOCAB_CASES:
            want = Vocab(Counter(tokens), max_size=max_size, min_freq=min_count,
                         specials=(UNK,)).itos
            assert c.reference_build_vocab(tokens, max_size, min_count) == want


def test_correct_answers_pass_visible_and_hidden(capsys):
    assert c.check_build_vocab(build_vocab) and c.check_build_vocab(build_vocab, seed=7, length=900)
    assert c.check_encode(encode) and c.check_encode(encode, seed=8, length=500)
    assert c.check_batchify(lambda ids, B: ids[:B * (len(ids) // B)].reshape(B, -1))
    assert c.check_batchify(lambda ids, B: ids[:B * (len(ids) // B)].reshape(B, -1), 50, 7)
    assert c.check_windows(windows) and c.check_windows(windows, 3, 21, 5)
    assert c.check_unk_rate(unk_rate) and c.check_unk_rate(unk_rate, seed=9, length=1000)
    train, held = c.synthetic_tokens(3, 800), c.synthetic_tokens(4, 300, c.WORDS + ("gnu",))
    rates = {s: unk_rate(train, held, s) for s in (5, 10, 40)}
    assert c.check_unk_study(rates, held.count(UNK) / len(held), train, held)
    assert "PASS" in capsys.readouterr().out


def _vocab_variant(**options):
    return lambda tokens, max_size=None, min_count=1: c.reference_build_vocab(
        tokens, max_size, min_count, **options)


@pytest.mark.parametrize("options, hint", [
    ({"order": "count, then first seen"}, "alphabetically"),
    ({"order": "alphabet"}, "alphabetical order"),
    ({"order": "increasing count"}, "rarest first"),
    ({"unk": "missing"}, "has no <unk>"),
    ({"unk": "last"}, "at id 0, before the words"),
    ({"size_includes_unk": False}, "one entry too many"),
    ({"min_rule": ">"}, "exactly min_count times"),
    ({"unk_in_text": "counted"}, "already contains the token <unk>"),
])
def test_build_vocab_names_each_mistake(options, hint, capsys):
    assert not c.check_build_vocab(_vocab_variant(**options))
    out = capsys.readouterr().out
    assert "FAIL" in out and hint in out, out


def test_build_vocab_refuses_the_course_vocab(capsys):
    def handed_in(tokens, max_size=None, min_count=1):
        return Vocab(Counter(tokens), max_size=max_size, min_freq=min_count, specials=(UNK,)).itos
    assert not c.check_build_vocab(handed_in)
    assert "course's own `Vocab`" in capsys.readouterr().out


def test_encode_mistakes(capsys):
    broken = {
        "gets <unk>'s id": lambda tokens, itos: np.array([itos.index(t) for t in tokens]),
        "do not drop them": lambda tokens, itos: np.array([itos.index(t) for t in tokens
                                                           if t in itos]),
        "unknown ones get": lambda tokens, itos: np.array([itos.index(t) if t in itos else -1
                                                           for t in tokens]),
        "integer ids": lambda tokens, itos: encode(tokens, itos).astype(float),
        "enumerate(itos)": lambda tokens, itos: encode(tokens, itos[::-1]),
    }
    for hint, fn in broken.items():
        assert not c.check_encode(fn)
        out = capsys.readouterr().out
        assert hint in out, (hint, out)


def test_batchify_mistakes(capsys):
    broken = {
        "not reshape(L // B, B)": lambda ids, B: ids[:B * (len(ids) // B)].reshape(-1, B),
        "interleaved": lambda ids, B: ids[:B * (len(ids) // B)].reshape(-1, B).T,
        "drop the last": lambda ids, B: np.resize(ids, (B, -(-len(ids) // B))),
        "course's own `batchify`": batchify,
    }
    for hint, fn in broken.items():
        assert not c.check_batchify(fn)
        out = capsys.readouterr().out
        assert hint in out, (hint, out)


def test_windows_mistakes(capsys):
    def step_one(data, T):
        return [(data[:, i:i + T], data[:, i + 1:i + 1 + T]) for i in range(data.shape[1] - T)]

    def short_dropped(data, T):
        return [w for w in windows(data, T) if w[0].shape[1] == T]

    def one_too_many(data, T):
        return [(data[:, i:i + T], data[:, i + 1:i + 1 + T]) for i in range(0, data.shape[1], T)]

    def shifted_twice(data, T):
        return [(x, np.roll(y, -1, axis=1)) for x, y in windows(data, T)]
    broken = {
        "targets equal inputs": lambda data, T: [(x, x) for x, _ in windows(data, T)],
        "do not overlap": step_one,
        "keep the last, shorter window": short_dropped,
        "L - 1 - i": one_too_many,
        "shifted by exactly one": shifted_twice,
    }
    for hint, fn in broken.items():
        assert not c.check_windows(fn)
        out = capsys.readouterr().out
        assert hint in out, (hint, out)


def test_the_layout_checkers_are_practice_08s_too_and_never_import_torch():
    """One batchify and one windows checker serve 04 (NumPy) and 08 (torch, letter N)."""
    from course_lib.checks import ptb_word_lm

    code = ("import sys; from course_lib.checks import the_data as c; "
            "assert c.check_windows(lambda d, T: [(d[:, i:i + min(T, d.shape[1] - 1 - i)], "
            "d[:, i + 1:i + 1 + min(T, d.shape[1] - 1 - i)]) for i in range(0, d.shape[1] - 1, T)]); "
            "assert c.check_batchify(lambda ids, B: ids[:B * (len(ids) // B)].reshape(B, -1)); "
            "assert 'torch' not in sys.modules, 'the NumPy checker imported torch'")
    run_ = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run_.returncode == 0, run_.stderr
    assert "the_data" in ptb_word_lm.check_windows.__code__.co_names
    assert "the_data" in ptb_word_lm.check_batchify.__code__.co_names


def test_unk_rate_mistakes(capsys):
    def variant(**options):
        return lambda train, held, size: c.reference_unk_rate(train, held, size, **options)
    broken = {
        "measured the rate on the training tokens": variant(measured_on="train"),
        "built on the held-out text": variant(vocab_from="held-out"),
        "own <unk> tokens count": variant(literal_unk="left out"),
        "distinct words (types)": variant(per="type"),
        "not a percentage": lambda train, held, size: 100 * unk_rate(train, held, size),
    }
    for hint, fn in broken.items():
        assert not c.check_unk_rate(fn)
        out = capsys.readouterr().out
        assert hint in out, (hint, out)


def test_unk_study_mistakes(capsys):
    train, held = c.synthetic_tokens(3, 800), c.synthetic_tokens(4, 300, c.WORDS + ("gnu",))
    floor = held.count(UNK) / len(held)
    on_train = {s: c.reference_unk_rate(train, held, s, measured_on="train") for s in (5, 40)}
    assert not c.check_unk_study(on_train, floor, train, held)
    assert "training tokens" in capsys.readouterr().out
    right = {s: unk_rate(train, held, s) for s in (5, 40)}
    assert not c.check_unk_study(right, 0.0, train, held)
    assert "*are* the string '<unk>'" in capsys.readouterr().out
    assert not c.check_unk_study({}, floor, train, held)
