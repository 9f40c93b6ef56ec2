"""Checker for practice notebook 01: the norms of the gradient flowing back through a tanh RNN.

``check_rnn_gradient_norms(fn)`` runs ``fn`` on a fixed RNN run, compares its norms with the
reference (:func:`course_lib.checks.mistakes.rnn_gradient_norms_variant`, whose defaults are
correct), prints ``PASS`` or a diagnosis with the hint of each classic mistake the norms match,
and returns True or False.

Dimension letters: N = 3 sequences, T = 5 steps, D = 6 inputs, H = 4 hidden units by default;
``dims`` gives other sizes (the hidden tests of the graded cells use them).
"""

from __future__ import annotations

import numpy as np

from course_lib.checks import mistakes as m
from course_lib.checks._arrays import TOL, D, H, N, T, check_arrays, compare, named_outputs
from course_lib.checks.report import Report, diagnose
from course_lib.numpy_core.rnn import rnn_forward


def check_rnn_gradient_norms(fn, shapes_only=False, seed=7, dims=(N, T, D, H)):
    """Check ``fn(h, Wh, dh_last) -> norms``: norms[k] = ||dL/dh_(T-1-k)||, shape (T,).

    ``shapes_only``: stop after the shape and dtype (partial credit). The RNN run is drawn
    with ``seed``, of sizes ``dims`` = (N, T, D, H)."""
    report = Report("rnn_gradient_norms")
    report.forbid(fn, m.rnn_gradient_norms_variant)
    n, t, d, k = dims
    rng = np.random.default_rng(seed)
    x, h0 = rng.standard_normal((n, t, d)), rng.standard_normal((n, k))
    Wx, Wh, b = rng.standard_normal((d, k)), 0.8 * rng.standard_normal((k, k)), np.zeros(k)
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    dh_last = rng.standard_normal((n, k))
    outputs = named_outputs(report, fn, (h, Wh, dh_last), ["norms"])
    if outputs is None:
        return report.done("")
    outputs["norms"] = np.asarray(outputs["norms"], dtype=np.float64)
    if not check_arrays(report, outputs, {"norms": ((t,), "(T,)")}, np.float64) or shapes_only:
        return report.done("norms has shape (T,), float64")
    reference = {"norms": m.rnn_gradient_norms_variant(h, Wh, dh_last)}
    errors = compare(report, outputs, reference)
    if errors["norms"] > TOL:
        diagnose(report, outputs, reference, m.GRADIENT_NORM_MISTAKES,
                 lambda **options: {"norms": m.rnn_gradient_norms_variant(h, Wh, dh_last,
                                                                          **options)})
        return report.done("")
    return report.done(f"norms match the reference, relative error {errors['norms']:.1e}")
