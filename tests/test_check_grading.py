"""Graded checks (issue 16): a failed check raises with its whole diagnosis, a passed one
returns True, and a check refuses the course's own reference handed in as the answer."""

import numpy as np
import pytest

from course_lib.checks.lstm_forward import check_lstm_forward, check_lstm_step_forward
from course_lib.checks.report import CheckFailed, Report, graded, uses
from course_lib.numpy_core import lstm_step_forward as course_step
from course_lib.numpy_core import sigmoid


def my_step(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
    g = np.tanh(a[:, 2 * H:3 * H])
    next_c = f * prev_c + i * g
    return o * np.tanh(next_c), next_c, None


def swapped_gates(x, prev_h, prev_c, Wx, Wh, b):  # reads the blocks as f, i, g, o
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    f, i, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
    next_c = f * prev_c + i * np.tanh(a[:, 2 * H:3 * H])
    return o * np.tanh(next_c), next_c, None


def wrapper(x, prev_h, prev_c, Wx, Wh, b):
    return course_step(x, prev_h, prev_c, Wx, Wh, b)


def test_a_passing_check_returns_true_and_prints_pass(capsys):
    assert graded(check_lstm_step_forward, my_step) is True
    assert graded(check_lstm_step_forward, my_step, seed=10) is True
    assert "PASS" in capsys.readouterr().out


def test_a_failing_check_raises_with_the_printed_diagnosis(capsys):
    with pytest.raises(CheckFailed) as error:
        graded(check_lstm_step_forward, swapped_gates)
    printed = capsys.readouterr().out
    assert "FAIL" in str(error.value) and "Hint:" in str(error.value)
    assert str(error.value).strip() == printed.strip()


@pytest.mark.parametrize("answer", [course_step, wrapper], ids=["itself", "a wrapper"])
def test_handing_in_the_course_reference_fails_with_a_clear_message(answer):
    with pytest.raises(CheckFailed, match="the course's own `lstm_step_forward`"):
        graded(check_lstm_step_forward, answer)
    assert uses(answer, course_step) and not uses(my_step, course_step)


def test_a_reference_for_another_function_is_allowed():
    def my_forward(x, h0, Wx, Wh, b, c0=None):
        N, T, _ = x.shape
        h, prev_h = np.zeros((N, T, h0.shape[1]), x.dtype), h0
        prev_c = np.zeros_like(h0) if c0 is None else c0
        for t in range(T):
            prev_h, prev_c, _ = course_step(x[:, t], prev_h, prev_c, Wx, Wh, b)
            h[:, t] = prev_h
        return h, None
    assert graded(check_lstm_forward, my_forward) is True  # the step is given by then


def test_a_report_without_problems_passes():
    assert Report("f").done("ok") is True


# ------------------------------------------------ every practice refuses the course's reference
# Each case hands in the course's own implementation of the function being written (itself, or
# a thin wrapper around it, the way a student would call it): the *visible* check must fail and
# name that reference. Without the check's `report.forbid`, each of these answers passes.

def _case(check, answer, name, **kwargs):
    return pytest.param(check, answer, name, kwargs, id=f"{check.__name__}: {name}")


def _reference_cases():
    import types

    import torch

    import course_lib
    from course_lib.checks import imdb_sentiment as c07
    from course_lib.checks import lstm_backward as c03
    from course_lib.checks import mistakes
    from course_lib.checks import mnist_rows as c06
    from course_lib.checks import ptb_word_lm as c08
    from course_lib.checks import rnn_gradient_norms as c01
    from course_lib.checks import sst5_attention as c10
    from course_lib.checks import torch_cell as c05
    from course_lib.data import Vocab, batchify, bptt_windows, pad_batch
    from course_lib.numpy_core import lm_train, optim
    from course_lib.torch_models.pooling import AdditiveAttention
    from course_lib.torch_models.sampling import next_token_probs

    def additive(h, mask, W, b, v):  # the course's module, loaded with the given weights
        layer = AdditiveAttention(W.shape[0], W.shape[1]).double()
        with torch.no_grad():
            layer.proj.weight.copy_(W.T)
            layer.proj.bias.copy_(b)
            layer.v.weight.copy_(v[None])
        return layer(h, mask)

    def via_softmax(h, mask, W, b, v):
        weights = course_lib.torch_models.pooling.masked_softmax(torch.tanh(h @ W + b) @ v, mask)
        return (weights.unsqueeze(2) * h).sum(1), weights

    return [
        _case(c01.check_rnn_gradient_norms, mistakes.rnn_gradient_norms_variant,
              "rnn_gradient_norms_variant"),
        _case(c03.check_clip_by_global_norm, optim.clip_grad_norm, "clip_grad_norm"),
        _case(c05.check_torch_lstm_step, lambda x, h, c, Wx, Wh, b:
              course_lib.torch_models.lstm.lstm_step(x, h, c, Wx, Wh, b), "lstm_step"),
        _case(c05.check_train_step, c05.reference_train_step, "reference_train_step"),
        _case(c06.check_evaluate, c06.reference_evaluate, "reference_evaluate"),
        _case(c06.check_confusion_matrix, lambda p, y, n:
              course_lib.numpy_core.metrics.confusion_matrix(p, y, n), "confusion_matrix"),
        _case(c07.check_build_vocab, lambda texts, min_freq:
              Vocab.build(texts, min_freq=min_freq).itos, "Vocab"),
        _case(c07.check_build_vocab, c07.reference_vocab, "reference_vocab"),
        _case(c07.check_encode, lambda tokens, stoi, unk_id:
              Vocab.encode(types.SimpleNamespace(stoi=stoi, unk_id=unk_id), tokens), "Vocab"),
        _case(c07.check_pad_batch, pad_batch, "pad_batch"),
        _case(c08.check_perplexity, lambda s, n: lm_train.perplexity(-s.sum() / n.sum()),
              "perplexity"),
        _case(c08.check_perplexity, c08.reference_perplexity, "reference_perplexity"),
        _case(c08.check_batchify, batchify, "batchify"),
        _case(c08.check_windows, lambda data, T: list(bptt_windows(data, T)), "bptt_windows"),
        _case(c08.check_train_epoch, c08.reference_train_epoch, "reference_train_epoch"),
        _case(c08.check_next_token_probs, lambda logits, t, k=None:
              next_token_probs(logits, t, k).double(), "next_token_probs"),
        _case(c10.check_attention_pooling, c10.reference_attention_pooling,
              "reference_attention_pooling"),
        _case(c10.check_attention_pooling, additive, "AdditiveAttention"),
        _case(c10.check_attention_pooling, via_softmax, "masked_softmax"),
    ]


@pytest.mark.parametrize("check, answer, name, kwargs", _reference_cases())
def test_every_practice_refuses_the_course_reference_by_name(check, answer, name, kwargs):
    with pytest.raises(CheckFailed, match=f"the course's own `{name}`"):
        graded(check, answer, **kwargs)


def test_uses_follows_attributes_partials_and_the_notebooks_own_helpers():
    import functools

    import course_lib

    def helper(*args):  # a function of the student's notebook that calls the reference
        return course_step(*args)

    def answer(*args):
        return helper(*args)

    def by_attribute(*args):
        return course_lib.numpy_core.lstm_step_forward(*args)

    for fn in (answer, by_attribute, functools.partial(course_step)):
        assert uses(fn, course_step)
    assert graded(check_lstm_step_forward, my_step) and not uses(my_step, course_step)
