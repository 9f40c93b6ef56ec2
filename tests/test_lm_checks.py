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


# ---------------------------------------------------------------- the carried state: predict, measure
def my_evaluate(model, data, T, carry_state=True):  # a student's answer
    model.eval()
    N = data.shape[0]
    state, total, count = model.init_state(N), 0.0, 0
    with torch.no_grad():
        for inputs, targets in bptt_windows(data, T):
            if not carry_state:
                state = model.init_state(N)
            logits, state = model(inputs, state)
            total += torch.log_softmax(logits, -1).gather(-1, targets[..., None]).sum().item()
            count += targets.numel()
    return math.exp(-total / count)


def _evaluate_mistake(name):
    options = next(m.options for m in catalogue.LM_EVALUATE_MISTAKES if m.name == name)
    return partial(c.reference_evaluate_perplexity, **options)


def test_evaluate_perplexity_passes_and_names_each_mistake(capsys):
    ok, out = run(c.check_evaluate_perplexity, my_evaluate, capsys)
    assert ok and "PASS" in out
    assert c.check_evaluate_perplexity(my_evaluate, seed=42, dims=(9, 2, 23), steps=(1, 5, 7))

    def train_mode(model, data, T, carry_state=True):  # no model.eval(): dropout stays on
        N = data.shape[0]
        state, total, count = model.init_state(N), 0.0, 0
        for inputs, targets in bptt_windows(data, T):
            logits, state = model(inputs, state if carry_state else model.init_state(N))
            total += torch.log_softmax(logits, -1).gather(-1, targets[..., None]).sum().item()
            count += targets.numel()
        return math.exp(-total / count)

    def own(model, data, T, carry_state=True):  # a wrapper of the course's reference
        return c.reference_evaluate_perplexity(model, data, T, carry_state)
    broken = {
        "not only the first one": _evaluate_mistake("reset ignored"),
        "keep the state that model(inputs, state) returns": _evaluate_mistake("never carried"),
        "windows' perplexities": _evaluate_mistake("mean of window perplexities"),
        "every word must weigh the same": _evaluate_mistake("mean of window means"),
        "model.eval()": train_mode,
        "course's own `reference_evaluate_perplexity`": own,
    }
    for hint, fn in broken.items():
        ok, out = run(c.check_evaluate_perplexity, fn, capsys)
        assert not ok and hint in out, (hint, out)


def _context_model():
    """A tiny model trained on a stream where the word after 0 depends on the word before it:
    only the carried state (or a long window) knows it."""
    from course_lib.data import batchify
    from course_lib.torch_models import LanguageModel

    torch.manual_seed(0)
    data = torch.as_tensor(batchify(np.array([0, 1, 0, 2, 0, 3] * 60), 4))  # (4, 90)
    model = LanguageModel(4, embed_dim=8, hidden_size=16, num_layers=1, init_range=0.3)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    for _ in range(15):
        c.reference_train_epoch(model, data, 6, optimizer, 5.0)
    return model, data


STEPS = (1, 4, 8)


def test_state_study_grades_the_measurement_and_the_statements_against_the_truth(capsys):
    model, data = _context_model()
    carried = {T: my_evaluate(model, data, T, True) for T in STEPS}
    reset = {T: my_evaluate(model, data, T, False) for T in STEPS}
    predictions = (True, 1.5)  # predictions are recorded, not graded
    assert c.check_state_study(carried, reset, False, True, model, data, predictions)
    assert "you predicted 1.50" in capsys.readouterr().out
    wrong_statements = {  # the two classic wrong answers, each with its own reason
        (True, True): "the same states and the same probabilities whatever T",
        (False, False): "(T - 1) / 2 on average",
    }
    for (changes, shrinks), why in wrong_statements.items():
        ok = c.check_state_study(carried, reset, changes, shrinks, model, data, predictions)
        out = capsys.readouterr().out
        assert not ok and why in out, out
    swapped = run(lambda _: c.check_state_study(reset, carried, False, True, model, data,
                                                predictions), None, capsys)
    assert not swapped[0] and "state carried: you measured" in swapped[1]
    no_prediction = run(lambda _: c.check_state_study(carried, reset, False, True, model, data,
                                                      (None, None)), None, capsys)
    assert not no_prediction[0] and "before you measure" in no_prediction[1]
    assert not c.check_state_study(carried, {1: reset[1]}, False, True, model, data, predictions)
    assert not c.check_state_study(carried, reset, "no", True, model, data, predictions)


def test_state_study_statements_follow_the_measurement_not_a_fixed_answer():
    """On an untrained model the truth may differ; the check follows what was measured."""
    model, data = c._eval_setup(seed=3, dims=(6, 2, 30))
    carried = {T: my_evaluate(model, data, T, True) for T in STEPS}
    reset = {T: my_evaluate(model, data, T, False) for T in STEPS}
    truth = c._cost_shrinks(carried, reset)
    assert c.check_state_study(carried, reset, False, truth, model, data, (False, 1.0))
    assert not c.check_state_study(carried, reset, False, not truth, model, data, (False, 1.0))
