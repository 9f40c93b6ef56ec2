"""The checkers of practice notebook 08 pass correct answers and name each classic mistake."""

import math
from functools import partial

import numpy as np
import torch
from torch import nn

from course_lib.checks import mistakes as catalogue
from course_lib.checks import ptb_word_lm as c
from course_lib.data.batches import bptt_windows


def run(check, fn, capsys):
    ok = check(fn)
    return ok, capsys.readouterr().out


# ---------------------------------------------------------------- perplexity
def test_perplexity_passes_and_names_each_mistake(capsys):
    ok, out = run(c.check_perplexity, lambda s, n: math.exp(-s.sum() / n.sum()), capsys)
    assert ok and "PASS" in out
    for seed, batches in ((33, 5), (34, 1)):
        assert c.check_perplexity(lambda s, n: math.exp(-s.sum() / n.sum()), seed, batches)
    broken = {
        "*total*": lambda s, n: math.exp(-(s / n).mean()),
        "perplexities": lambda s, n: float(np.mean(np.exp(-s / n))),
        "number of tokens": lambda s, n: math.exp(-s.sum()),
        "sign": lambda s, n: math.exp(s.sum() / n.sum()),
        "natural logs": lambda s, n: 2.0 ** (-s.sum() / n.sum()),
        "cross-entropy in nats": lambda s, n: -s.sum() / n.sum(),
    }
    for hint, fn in broken.items():
        ok, out = run(c.check_perplexity, fn, capsys)
        assert not ok and hint in out, (hint, out)


def test_perplexity_not_implemented_and_crash(capsys):
    def todo(s, n):
        raise NotImplementedError()
    assert "not implemented" in run(c.check_perplexity, todo, capsys)[1]
    assert "ZeroDivisionError" in run(c.check_perplexity, lambda s, n: 1 / 0, capsys)[1]


# ---------------------------------------------------------------- batchify / windows
def test_batchify(capsys):
    def good(ids, N):
        return ids[:N * (len(ids) // N)].reshape(N, -1)
    assert run(c.check_batchify, good, capsys)[0]
    assert c.check_batchify(good, length=50, streams=7)
    assert not c.check_batchify(lambda ids, N: ids[:20].reshape(4, 5), length=50, streams=7)
    broken = {
        "not reshape(L // N, N)": lambda ids, N: ids[:N * (len(ids) // N)].reshape(-1, N),
        "row n must be the n-th *contiguous*": lambda ids, N: ids[:N * (len(ids) // N)].reshape(-1, N).T,
        "each *row* is one stream": lambda ids, N: ids[:N * (len(ids) // N)].reshape(-1, N),
        "interleaved": lambda ids, N: ids[:N * (len(ids) // N)].reshape(-1, N).T,
        "drop the last": lambda ids, N: np.resize(ids, (N, -(-len(ids) // N))),
    }
    for hint, fn in broken.items():
        ok, out = run(c.check_batchify, fn, capsys)
        assert not ok and hint in out, (hint, out)


def test_windows(capsys):
    def good(data, T):
        return [(data[:, i:i + min(T, data.shape[1] - 1 - i)],
                 data[:, i + 1:i + 1 + min(T, data.shape[1] - 1 - i)])
                for i in range(0, data.shape[1] - 1, T)]
    assert run(c.check_windows, good, capsys)[0]
    seen = []
    assert c.check_windows(lambda d, T: seen.append(type(d)) or good(d, T))
    assert seen == [torch.Tensor]  # practice 08's windows get torch data
    assert c.check_windows(good, shape=(3, 22), T=5) and c.check_windows(good, shape=(1, 9), T=8)
    broken = {
        "*next* tokens": lambda d, T: [(d[:, i:i + T], d[:, i:i + T]) for i in range(0, d.shape[1] - 1, T)],
        "step through the columns by T": lambda d, T: [(d[:, i:i + T], d[:, i + 1:i + 1 + T])
                                                        for i in range(0, d.shape[1] - T)],
        "keep the last, shorter window": lambda d, T: [(d[:, i:i + T], d[:, i + 1:i + 1 + T])
                                                       for i in range(0, d.shape[1] - T, T)],
        "min(T, L - 1 - i)": lambda d, T: [(d[:, i:i + T], d[:, i + 1:i + 1 + T])
                                           for i in range(0, d.shape[1] - 1, T)],
        "shifted by exactly one": lambda d, T: [(x, torch.roll(y, 1, 1)) for x, y in good(d, T)],
        "course's own `bptt_windows`": lambda d, T: list(bptt_windows(d, T)),
    }
    for hint, fn in broken.items():
        ok, out = run(c.check_windows, fn, capsys)
        assert not ok and hint in out, (hint, out)


# ---------------------------------------------------------------- detach
def _no_detach(model, data, T, optimizer, clip_norm):
    state = model.init_state(data.shape[0])
    for inputs, targets in bptt_windows(data, T):
        logits, state = model(inputs, state)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten(),
                                           reduction="sum") / inputs.shape[0]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return 0.0


def my_train_epoch(model, data, T, optimizer, clip_norm):  # a student's answer
    model.train()
    N = data.shape[0]
    state, total, count = model.init_state(N), 0.0, 0
    for inputs, targets in bptt_windows(data, T):
        logits, state = model(inputs, model.detach_state(state))
        summed = nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten(),
                                             reduction="sum")
        optimizer.zero_grad()
        (summed / N).backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        optimizer.step()
        total, count = total + summed.item(), count + targets.numel()
    return total / count


def _per_window_loss(model, data, T, optimizer, clip_norm):
    my_train_epoch(model, data, T, optimizer, clip_norm)
    return 1.0


def _mistake(name):
    """The reference epoch with the declared mistake ``name``."""
    options = next(m.options for m in catalogue.TRAIN_EPOCH_MISTAKES if m.name == name)
    return partial(c.reference_train_epoch, **options)


def test_train_epoch(capsys):
    ok, out = run(c.check_train_epoch, my_train_epoch, capsys)
    assert ok and "PASS" in out
    assert c.check_train_epoch(my_train_epoch, seed=32, dims=(11, 4, 17, 5))
    broken = {
        "detach the carried state": _no_detach,
        "carry the state": _mistake("state reset"),
        "summed over the T steps": _mistake("mean per token"),
        "zero_grad": _mistake("no zero_grad"),
        "per *token*": _per_window_loss,
    }
    for hint, fn in broken.items():
        ok, out = run(c.check_train_epoch, fn, capsys)
        assert not ok and hint in out, (hint, out)


# ---------------------------------------------------------------- sampling
def _probs(logits, temperature, top_k=None):  # a student's answer
    logits = torch.as_tensor(logits, dtype=torch.float64)
    if temperature == 0:
        return nn.functional.one_hot(logits.argmax(), logits.numel()).double()
    scaled = logits / temperature
    if top_k is not None:
        scaled = scaled.masked_fill(scaled < torch.topk(scaled, top_k).values[-1], float("-inf"))
    return torch.softmax(scaled, dim=0)


def test_next_token_probs(capsys):
    assert run(c.check_next_token_probs, _probs, capsys)[0]
    assert c.check_next_token_probs(_probs, seed=35, V=11)
    assert c.check_next_token_probs(_probs, seed=36, V=4)

    def times(logits, t, k=None):
        return torch.softmax(logits * t, 0) if t else _probs(logits, t, k)

    def no_renorm(logits, t, k=None):
        p = _probs(logits, t)
        if k:
            p = p.masked_fill(logits < torch.topk(logits, k).values[-1], 0.0)
        return p

    def ignore_k(logits, t, k=None):
        return _probs(logits, t)

    def smallest(logits, t, k=None):
        return _probs(-logits, t, k).flip(0) if k else _probs(logits, t)

    def zero(logits, t, k=None):
        return torch.softmax(logits / t, 0) if t == 0 else _probs(logits, t, k)

    broken = {"divide the logits": times, "sum to 1": no_renorm, "-inf before softmax": ignore_k,
              "*largest*": smallest, "greedy": zero}
    for hint, fn in broken.items():
        ok, out = run(c.check_next_token_probs, fn, capsys)
        assert not ok and hint in out, (hint, out)
