"""The attention-pooling checker of practice notebook 10: passes a correct answer, on the
visible and the hidden sizes, and names each classic mistake."""

from functools import partial

import torch

from course_lib.checks.mistakes import ATTENTION_MISTAKES
from course_lib.checks.sst5_attention import check_attention_pooling, reference_attention_pooling
from course_lib.torch_models.pooling import AdditiveAttention


def student_pooling(h, mask, W, b, v, *, masking="-inf scores", softmax_dim=1):
    """A student's answer (the course's reference is refused), with the catalogue's mistakes."""
    scores = torch.tanh(h @ W + b) @ v  # (N, T)
    if masking == "-inf scores":
        scores = scores.masked_fill(~mask, float("-inf"))
    elif masking == "zero scores":
        scores = scores * mask
    weights = torch.softmax(scores, dim=softmax_dim)
    if masking == "weights after softmax":
        weights = weights * mask
    return (weights.unsqueeze(2) * h).sum(dim=1), weights


def test_a_correct_answer_passes_and_the_reference_agrees_with_the_course_module(capsys):
    assert check_attention_pooling(student_pooling)
    assert check_attention_pooling(student_pooling, seed=37, dims=(4, 9, 3, 2),
                                   lengths=(2, 9, 1, 5))
    assert "PASS" in capsys.readouterr().out
    torch.manual_seed(0)
    layer = AdditiveAttention(4, 5).double()
    h = torch.randn(2, 3, 4, dtype=torch.float64)
    mask = torch.tensor([[True, True, False], [True, True, True]])
    pooled, weights = layer(h, mask)
    ours = reference_attention_pooling(h, mask, layer.proj.weight.T, layer.proj.bias,
                                       layer.v.weight[0])
    assert torch.allclose(pooled, ours[0]) and torch.allclose(weights, ours[1])


def test_each_mistake_gets_its_hint(capsys):
    for mistake in ATTENTION_MISTAKES:
        name, hint = mistake.name, mistake.hint
        assert not check_attention_pooling(partial(student_pooling, **mistake.options))
        out = capsys.readouterr().out
        assert name in out and hint[:30] in out, name


def test_other_failures_are_explained(capsys):
    def not_done(*args):
        raise NotImplementedError()

    def wrong_shape(h, mask, W, b, v):
        pooled, weights = student_pooling(h, mask, W, b, v)
        return pooled.T, weights

    def in_place(h, mask, W, b, v):
        h.masked_fill_(~mask.unsqueeze(2), 0.0)
        return student_pooling(h, mask, W, b, v)

    def mean_instead(h, mask, W, b, v):
        weights = mask / mask.sum(1, keepdim=True)
        return (weights.unsqueeze(2) * h).sum(1), weights

    for fn, words in [(not_done, "not implemented"), (wrong_shape, "expected (3, 4)"),
                      (in_place, "changed in place"), (mean_instead, "differ from the reference")]:
        assert not check_attention_pooling(fn)
        assert words in capsys.readouterr().out, words


def test_an_exception_on_the_second_batch_says_so(capsys):
    calls = []

    def fails_second_time(*args):
        calls.append(1)
        if len(calls) > 1:
            raise IndexError("index 6 is out of bounds")
        return student_pooling(*args)

    assert not check_attention_pooling(fails_second_time)
    out = capsys.readouterr().out
    assert "calling it raised IndexError" in out and "on a second batch" in out
