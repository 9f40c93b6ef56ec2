"""Checker for practice notebook 10: additive attention pooling over a padded batch, with a mask.

``check_attention_pooling(fn)`` calls ``fn(h, mask, W, b, v)`` on fixed float64 inputs, compares
it with the reference below, prints ``PASS`` or the most specific diagnosis it can (the hint of
each mistake of ``mistakes.ATTENTION_MISTAKES`` that the output matches), and returns a bool.

Dimension letters: N = 3 sequences, T = 6 steps, H = 4 features, A = 5 attention units. The
sequences have lengths 6, 3 and 1 (the last one is a single real step), and the padded steps hold
large values, so that padding which leaks into the result cannot hide. ``seed``, ``dims`` and
``lengths`` give other inputs (the hidden tests of the graded cells use them).
"""

from __future__ import annotations

import torch

from course_lib.checks import mistakes as m
from course_lib.checks.report import Report, diagnose
from course_lib.torch_models.pooling import AdditiveAttention, masked_softmax

N, T, H, A = 3, 6, 4, 5
LENGTHS = (6, 3, 1)
TOL = 1e-10


def reference_attention_pooling(h, mask, W, b, v, *, masking="-inf scores", softmax_dim=1):
    """score_t = v . tanh(h_t W + b); weights = softmax over the real steps; pooled = sum_t w_t h_t.

    h (N, T, H), mask (N, T) bool (True at real steps), W (H, A), b (A,), v (A,).
    Returns (pooled (N, H), weights (N, T)), weights exactly 0 on padded steps.
    The keyword options compute the mistakes of ``mistakes.ATTENTION_MISTAKES`` (the defaults
    are correct).
    """
    scores = torch.tanh(h @ W + b) @ v  # (N, T)
    if masking == "-inf scores":
        scores = scores.masked_fill(~mask, float("-inf"))
    elif masking == "zero scores":
        scores = scores * mask
    weights = torch.softmax(scores, dim=softmax_dim)  # (N, T)
    if masking == "weights after softmax":
        weights = weights * mask
    return (weights.unsqueeze(2) * h).sum(dim=1), weights  # (N, H), (N, T)


def _inputs(seed=0, pad_value=50.0, dims=(N, T, H, A), lengths=LENGTHS):
    """(h (N, T, H), mask (N, T), W (H, A), b (A,), v (A,)); sequence n has lengths[n] steps."""
    n, t, k, a = dims
    g = torch.Generator().manual_seed(seed)
    h = torch.randn(n, t, k, generator=g, dtype=torch.float64)
    mask = torch.arange(t)[None, :] < torch.tensor(lengths)[:, None]  # (N, T)
    h = torch.where(mask.unsqueeze(2), h, torch.full_like(h, pad_value))  # loud padding
    W = 0.7 * torch.randn(k, a, generator=g, dtype=torch.float64)
    b = 0.3 * torch.randn(a, generator=g, dtype=torch.float64)
    v = torch.randn(a, generator=g, dtype=torch.float64)
    return h, mask, W, b, v


def _close(x, y):
    return x.shape == y.shape and torch.allclose(x, y, atol=TOL, rtol=0)


def check_attention_pooling(fn, shapes_only=False, seed=0, dims=(N, T, H, A),
                            lengths=LENGTHS) -> bool:
    """Check ``fn(h, mask, W, b, v) -> (pooled (N, H), weights (N, T))``; prints a diagnosis.

    ``shapes_only``: stop after the output types and shapes (partial credit). The inputs are
    drawn with ``seed``, of sizes ``dims`` = (N, T, H, A), sequence n of ``lengths[n]`` steps
    (one of them T, so that T is the longest)."""
    report = Report("attention_pooling")
    report.forbid(fn, reference_attention_pooling, AdditiveAttention, masked_softmax)
    N, T, H, _ = dims
    args = _inputs(seed, dims=dims, lengths=lengths)
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
    if report.problems or shapes_only:
        return report.done("pooled (N, H) and weights (N, T) have the right shapes")
    if any(not torch.equal(a, c) for a, c in zip(args, copies)):
        report.problem("an input was changed in place", "use out-of-place operations "
                       "(masked_fill, not masked_fill_) on the caller's tensors")
    expected_pooled, expected_weights = reference_attention_pooling(*copies)
    if not (_close(pooled, expected_pooled) and _close(weights, expected_weights)):
        outputs = {"pooled": pooled, "weights": weights}
        reference = {"pooled": expected_pooled, "weights": expected_weights}

        def run(**options):
            return dict(zip(outputs, reference_attention_pooling(*copies, **options)))
        matched = diagnose(report, outputs, reference, m.ATTENTION_MISTAKES, run)
        if matched:
            report.problem(f"your output matches the mistake '{matched[0].name}'")
        else:
            error = float((weights - expected_weights).abs().max())
            report.problem(f"weights differ from the reference by up to {error:.3g}")
            sums = weights.sum(dim=1)
            if not torch.allclose(sums, torch.ones_like(sums), atol=1e-9):
                report.problem(f"the weights of each sequence sum to {sums.tolist()}, not 1",
                               "softmax over dim=1 of the masked scores")
            if float(weights.masked_select(~args[1]).abs().max()) > 0:
                report.problem("padded steps have non-zero weight", m.NO_MASK.hint)
            report.hint("score_t = tanh(h_t W + b) . v, then the masked softmax, then the "
                        "weighted sum of h over t")
        return report.done("")
    # Padding must not matter at all: other values on the padded steps, the same answer.
    ok, second = report.call(fn, *_inputs(seed, pad_value=-7.0, dims=dims, lengths=lengths))
    if not ok:
        report.problem("that was on a second batch (the same sequences, other values on the "
                       "padded steps); the first one gave the right answer")
        return report.done("")
    if not _close(second[0], expected_pooled):
        report.problem("the result changes when only the padded steps change",
                       m.NO_MASK.hint)
    return report.done(f"matches the reference to {TOL:g}; padding has no effect; "
                       f"a length-1 sequence puts all its weight on its one step")
