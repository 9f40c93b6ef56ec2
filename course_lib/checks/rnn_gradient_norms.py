"""Checker for practice notebook 01: the norms of the gradient flowing back through a tanh RNN.

``check_rnn_gradient_norms(fn)`` runs ``fn`` on a fixed RNN run, compares its norms with the
reference (:func:`course_lib.checks.mistakes.rnn_gradient_norms_variant`, whose defaults are
correct), prints ``PASS`` or a diagnosis with the hint of each classic mistake the norms match,
and returns True or False.

Dimension letters: N = 3 sequences, T = 5 steps, D = 6 inputs, H = 4 hidden units.
"""

from __future__ import annotations

import numpy as np

from course_lib.checks import mistakes as m
from course_lib.checks._arrays import TOL, D, H, N, T, check_arrays, compare, named_outputs
from course_lib.checks.report import Report, diagnose
from course_lib.numpy_core.rnn import rnn_forward


def check_rnn_gradient_norms(fn, shapes_only=False):
    """Check ``fn(h, Wh, dh_last) -> norms``: norms[k] = ||dL/dh_(T-1-k)||, shape (T,).

    ``shapes_only``: stop after the shape and dtype (partial credit)."""
    report = Report("rnn_gradient_norms")
    rng = np.random.default_rng(7)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    Wx, Wh, b = rng.standard_normal((D, H)), 0.8 * rng.standard_normal((H, H)), np.zeros(H)
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    dh_last = rng.standard_normal((N, H))
    outputs = named_outputs(report, fn, (h, Wh, dh_last), ["norms"])
    if outputs is None:
        return report.done("")
    outputs["norms"] = np.asarray(outputs["norms"], dtype=np.float64)
    if not check_arrays(report, outputs, {"norms": ((T,), "(T,)")}, np.float64) or shapes_only:
        return report.done("norms has shape (T,), float64")
    reference = {"norms": m.rnn_gradient_norms_variant(h, Wh, dh_last)}
    errors = compare(report, outputs, reference)
    if errors["norms"] > TOL:
        diagnose(report, outputs, reference, m.GRADIENT_NORM_MISTAKES,
                 lambda **options: {"norms": m.rnn_gradient_norms_variant(h, Wh, dh_last,
                                                                          **options)})
        return report.done("")
    return report.done(f"norms match the reference, relative error {errors['norms']:.1e}")
