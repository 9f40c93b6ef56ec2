"""The checkers of practice notebook 09 pass correct answers and name each classic mistake."""

import math

import numpy as np
import pytest

from course_lib.checks import ptb_char_lm as c


# ---------------------------------------------------------------- a correct student
def bits_per_character(nats_sums, char_counts):
    return float(np.sum(nats_sums) / np.sum(char_counts) / math.log(2))


def word_perplexity(bpc, chars_per_word):
    return 2.0 ** (bpc * chars_per_word)


def temperature_probs(logits, temperature):
    scaled = np.asarray(logits, float) / temperature
    e = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sample(logits, temperature, rng):
    p = temperature_probs(logits, temperature)
    return int(rng.choice(len(p), p=p))


def entropy_bits(p):
    p = np.asarray(p, float)
    safe = np.where(p > 0, p, 1.0)
    return -(p * np.log2(safe)).sum(axis=-1)


def study(logits=c.STUDY_LOGITS):
    temperatures = (0.001, 0.1, 0.5, 1.0, 2.0, 10.0, 1e4)
    return {t: float(entropy_bits(temperature_probs(logits, t))) for t in temperatures}


def test_correct_answers_pass_visible_and_hidden(capsys):
    assert c.check_bits_per_character(bits_per_character)
    assert c.check_bits_per_character(bits_per_character, seed=5, batches=9)
    assert c.check_word_perplexity(word_perplexity)
    assert c.check_temperature_probs(temperature_probs)
    assert c.check_temperature_probs(temperature_probs, seed=3, shape=(4, 11))
    assert c.check_sample(sample) and c.check_sample(sample, seed=4, draws=2000)
    assert c.check_entropy_bits(entropy_bits) and c.check_entropy_bits(entropy_bits, seed=6)
    h = study()
    assert c.check_temperature_study(h, h[0.001], h[1e4])
    assert c.check_temperature_study(h, 1.0, 3.0)
    assert "FAIL" not in capsys.readouterr().out


@pytest.mark.parametrize("name", [m.name for m in c.BPC_MISTAKES])
def test_bpc_names_each_mistake(name, capsys):
    mistake = next(m for m in c.BPC_MISTAKES if m.name == name)
    fn = lambda s, n: c.reference_bits_per_character(s, n, **mistake.options)  # noqa: E731
    assert not c.check_bits_per_character(fn)
    out = capsys.readouterr().out
    assert mistake.hint in out, (name, out)


@pytest.mark.parametrize("name", [m.name for m in c.WORD_PPL_MISTAKES])
def test_word_perplexity_names_each_mistake(name, capsys):
    mistake = next(m for m in c.WORD_PPL_MISTAKES if m.name == name)
    fn = lambda b, k: c.reference_word_perplexity(b, k, **mistake.options)  # noqa: E731
    assert not c.check_word_perplexity(fn)
    assert mistake.hint in capsys.readouterr().out


def test_temperature_probs_mistakes(capsys):
    def naive(logits, temperature):
        e = np.exp(np.asarray(logits, float) / temperature)
        return e / e.sum(axis=-1, keepdims=True)

    def columns(logits, temperature):
        scaled = np.asarray(logits, float) / temperature
        e = np.exp(scaled - scaled.max())
        return e / e.sum(axis=0, keepdims=True)
    broken = {
        "overflowed": naive,
        "multiplied the logits": lambda x, t: c.reference_temperature_probs(x, t, scale="multiply"),
        "do not change with the temperature": lambda x, t: temperature_probs(x, 1.0),
        "normalises the columns": columns,
        "last axis, keepdims": lambda x, t: temperature_probs(x, t).ravel(),
    }
    for hint, fn in broken.items():
        assert not c.check_temperature_probs(fn)
        out = capsys.readouterr().out
        assert hint in out, (hint, out)


def test_sample_mistakes(capsys):
    broken = {
        "greedy decoding": lambda x, t, rng: int(np.argmax(x)),
        "uniform": lambda x, t, rng: int(rng.integers(len(x))),
        "another source of randomness": lambda x, t, rng: int(
            np.random.choice(len(x), p=temperature_probs(x, t))),
        "multiplied the logits": lambda x, t, rng: sample(x, 1 / t, rng),
        "do not change with the temperature": lambda x, t, rng: sample(x, 1.0, rng),
        "an int": lambda x, t, rng: temperature_probs(x, t),
    }
    for hint, fn in broken.items():
        assert not c.check_sample(fn, draws=1500)
        out = capsys.readouterr().out
        assert hint in out, (hint, out)


def test_sample_refuses_the_course_sampler(capsys):
    torch = pytest.importorskip("torch")
    from course_lib.torch_models.sampling import next_token_probs

    def handed_in(logits, temperature, rng):
        p = next_token_probs(torch.as_tensor(logits), temperature).numpy()
        return int(rng.choice(len(p), p=p / p.sum()))
    assert not c.check_sample(handed_in, draws=300)
    assert "course's own `next_token_probs`" in capsys.readouterr().out


def test_entropy_mistakes(capsys):
    def nan_at_zero(p):
        return -(p * np.log2(p)).sum(axis=-1)
    broken = {
        "0 * log2(0)": nan_at_zero,
        "nats": lambda p: entropy_bits(p) * math.log(2),
        "the sign": lambda p: -entropy_bits(p),
        "sum over the last axis": lambda p: entropy_bits(p).sum(),
    }
    for hint, fn in broken.items():
        assert not c.check_entropy_bits(fn)
        out = capsys.readouterr().out
        assert hint in out, (hint, out)


def test_temperature_study_mistakes(capsys):
    h = study()
    cases = {
        "tie for the largest": (h, 0.0, 3.0),
        "that is in nats": (h, 1.0, math.log(8)),
        "no distribution over 8 symbols": (h, 1.0, 4.0),
        "measure at smaller": (h, 0.5, 3.0),
        "expected": ({t: v * math.log(2) for t, v in h.items()}, 1.0, 3.0),
        "measure the whole table": ({1.0: h[1.0]}, 1.0, 3.0),
    }
    for hint, args in cases.items():
        assert not c.check_temperature_study(*args)
        out = capsys.readouterr().out
        assert hint in out, (hint, out)
    no_tie = np.array([3.0, 1.0, 0.0])
    assert c.check_temperature_study(study(no_tie), 0.0, math.log2(3), logits=no_tie)
