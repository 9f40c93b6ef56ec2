"""Checker for practice notebook 10: additive attention pooling over a padded batch, with a mask.

``check_attention_pooling(fn)`` calls ``fn(h, mask, W, b, v)`` on fixed float64 inputs, compares
it with the reference below, prints ``PASS`` or the most specific diagnosis it can (a hint for
each classic mistake), and returns True or False.

Dimension letters: N = 3 sequences, T = 6 steps, H = 4 features, A = 5 attention units. The
sequences have lengths 6, 3 and 1 (the last one is a single real step), and the padded steps hold
large values, so that padding which leaks into the result cannot hide.
"""

from __future__ import annotations

import torch

from course_lib.checks.numpy_lstm import Report

N, T, H, A = 3, 6, 4, 5
LENGTHS = (6, 3, 1)
TOL = 1e-10


def reference_attention_pooling(h, mask, W, b, v):
    """score_t = v . tanh(h_t W + b); weights = softmax over the real steps; pooled = sum_t w_t h_t.

    h (N, T, H), mask (N, T) bool (True at real steps), W (H, A), b (A,), v (A,).
    Returns (pooled (N, H), weights (N, T)), weights exactly 0 on padded steps.
    """
    scores = torch.tanh(h @ W + b) @ v  # (N, T)
    scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=1)  # (N, T)
    return (weights.unsqueeze(2) * h).sum(dim=1), weights  # (N, H), (N, T)


def _scores(h, W, b, v):
    return torch.tanh(h @ W + b) @ v  # (N, T)


# Classic mistakes, each with the hint it earns: name -> (function, hint).
def _no_mask(h, mask, W, b, v):
    weights = torch.softmax(_scores(h, W, b, v), dim=1)
    return (weights.unsqueeze(2) * h).sum(1), weights


def _mask_after_softmax(h, mask, W, b, v):
    weights = torch.softmax(_scores(h, W, b, v), dim=1) * mask
    return (weights.unsqueeze(2) * h).sum(1), weights


def _zero_scores(h, mask, W, b, v):
    weights = torch.softmax(_scores(h, W, b, v) * mask, dim=1)
    return (weights.unsqueeze(2) * h).sum(1), weights


def _softmax_over_batch(h, mask, W, b, v):
    weights = torch.softmax(_scores(h, W, b, v).masked_fill(~mask, float("-inf")), dim=0)
    return (weights.unsqueeze(2) * h).sum(1), weights


MISTAKES = {
    "no_mask": (_no_mask, "the padded steps get weight: set their scores to -inf before the "
                          "softmax (scores.masked_fill(~mask, float('-inf')))"),
    "mask_after_softmax": (_mask_after_softmax, "zeroing the weights after the softmax leaves "
                           "them summing to less than 1: mask the scores before the softmax"),
    "zero_scores": (_zero_scores, "a score of 0 is not 'no weight' (exp(0) = 1): padded scores "
                                  "must be -inf, not 0"),
    "softmax_over_batch": (_softmax_over_batch, "the softmax runs over the batch: use dim=1, "
                                                "the time steps of each sequence"),
}


def _inputs(seed=0, pad_value=50.0):
    g = torch.Generator().manual_seed(seed)
    h = torch.randn(N, T, H, generator=g, dtype=torch.float64)
    mask = torch.arange(T)[None, :] < torch.tensor(LENGTHS)[:, None]  # (N, T)
    h = torch.where(mask.unsqueeze(2), h, torch.full_like(h, pad_value))  # loud padding
    W = 0.7 * torch.randn(H, A, generator=g, dtype=torch.float64)
    b = 0.3 * torch.randn(A, generator=g, dtype=torch.float64)
    v = torch.randn(A, generator=g, dtype=torch.float64)
    return h, mask, W, b, v


def _close(x, y):
    return x.shape == y.shape and torch.allclose(x, y, atol=TOL, rtol=0)


def check_attention_pooling(fn) -> bool:
    """Check ``fn(h, mask, W, b, v) -> (pooled (N, H), weights (N, T))``; prints a diagnosis."""
    report = Report("attention_pooling")
    args = _inputs()
    copies = [a.clone() for a in args]
    ok, out = report.call(fn, *args)
    if not ok:
        return report.done("")
    if not isinstance(out, tuple) or len(out) != 2:
        report.problem("return a tuple (pooled, weights)")
        return report.done("")
    pooled, weights = out
    for name, value, shape in (("pooled", pooled, (N, H)), ("weights", weights, (N, T))):
        if not isinstance(value, torch.Tensor) or tuple(value.shape) != shape:
            got = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
            report.problem(f"{name} has shape {got}, expected {shape} (N={N}, T={T}, H={H})",
                           "pooled sums over time (dim=1); weights has one number per step")
    if report.problems:
        return report.done("")
    if any(not torch.equal(a, c) for a, c in zip(args, copies)):
        report.problem("an input was changed in place", "use out-of-place operations "
                       "(masked_fill, not masked_fill_) on the caller's tensors")
    expected_pooled, expected_weights = reference_attention_pooling(*copies)
    if not (_close(pooled, expected_pooled) and _close(weights, expected_weights)):
        for name, (mistake, hint) in MISTAKES.items():
            p, w = mistake(*copies)
            if _close(pooled, p) and _close(weights, w):
                report.problem(f"your output matches the mistake '{name}'", hint)
                break
        else:
            error = float((weights - expected_weights).abs().max())
            report.problem(f"weights differ from the reference by up to {error:.3g}")
            sums = weights.sum(dim=1)
            if not torch.allclose(sums, torch.ones_like(sums), atol=1e-9):
                report.problem(f"the weights of each sequence sum to {sums.tolist()}, not 1",
                               "softmax over dim=1 of the masked scores")
            if float(weights.masked_select(~args[1]).abs().max()) > 0:
                report.problem("padded steps have non-zero weight", MISTAKES["no_mask"][1])
            report.hints.append("score_t = tanh(h_t W + b) . v, then the masked softmax, then "
                                "the weighted sum of h over t")
        return report.done("")
    # Padding must not matter at all: other values on the padded steps, the same answer.
    ok, second = report.call(fn, *_inputs(pad_value=-7.0))
    if not ok:
        report.problem("that was on a second batch (the same sequences, other values on the "
                       "padded steps); the first one gave the right answer")
        return report.done("")
    if not _close(second[0], expected_pooled):
        report.problem("the result changes when only the padded steps change",
                       MISTAKES["no_mask"][1])
    return report.done(f"matches the reference to {TOL:g}; padding has no effect; "
                       f"a length-1 sequence puts all its weight on its one step")
