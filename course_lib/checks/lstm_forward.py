"""Checkers for practice notebook 02: ``lstm_step_forward`` and ``lstm_forward``.

Each ``check_<name>(fn)`` calls ``fn`` on fixed float64 inputs and compares every output with
the course's :mod:`course_lib.numpy_core.lstm`. It prints ``PASS`` or the most specific
diagnosis it can find, and returns True or False:

- an exception, a missing output, or an output of the wrong shape (named, expected, got);
- an output of the wrong dtype (float64 in must give float64 out; float32 must stay float32);
- an input array changed in place (the caller's array would be corrupted);
- which output is off, and by how much (norm-wise relative error, as in ``rel_error``);
- a hint when the output matches a classic mistake of :mod:`course_lib.checks.mistakes`.

Dimension letters: N = 3 sequences, T = 5 steps, D = 6 inputs, H = 4 hidden units by default;
``dims`` gives other sizes (the hidden tests of the graded cells use them).
"""

from __future__ import annotations

import numpy as np

from course_lib.checks import mistakes as m
from course_lib.checks._arrays import TOL, D, H, N, T, array_outputs, compare, lstm_inputs
from course_lib.checks.report import Report, diagnose
from course_lib.numpy_core.gradcheck import rel_error
from course_lib.numpy_core.lstm import lstm_forward, lstm_step_forward

STEP_NAMES = ["next_h", "next_c", "cache"]


def check_lstm_step_forward(fn, seed=0, dims=(N, D, H)):
    """Check ``fn(x, prev_h, prev_c, Wx, Wh, b) -> (next_h, next_c, cache)`` (inputs drawn
    with ``seed``, of sizes ``dims`` = (N, D, H))."""
    report = Report("lstm_step_forward")
    report.forbid(fn, lstm_step_forward)
    inputs = lstm_inputs(seed, dims=dims)
    n, _, h = dims
    shapes = {"next_h": ((n, h), "(N, H)"), "next_c": ((n, h), "(N, H)")}
    outputs = array_outputs(report, fn, inputs, STEP_NAMES, shapes)
    if outputs is None:
        return report.done("")
    next_h, next_c, _ = lstm_step_forward(*inputs)
    reference = {"next_h": next_h, "next_c": next_c}
    errors = compare(report, outputs, reference)
    if max(errors.values()) > TOL:
        def run(swap=False, **options):
            if swap:
                return {"next_h": next_c, "next_c": next_h}
            return m.step_forward_outputs(inputs, **options)
        diagnose(report, outputs, reference, [m.OUTPUTS_SWAPPED] + m.STEP_FORWARD_MISTAKES, run)
        return report.done("")
    array_outputs(report, fn, [a.astype(np.float32) for a in inputs], STEP_NAMES, shapes,
                  np.float32)
    return report.done(f"next_h and next_c match the reference, relative error "
                       f"{max(errors.values()):.1e}; float32 stays float32")


def check_lstm_forward(fn, seed=1, dims=(N, T, D, H)):
    """Check ``fn(x, h0, Wx, Wh, b, c0=None) -> (h, cache)`` (inputs drawn with ``seed``, of
    sizes ``dims`` = (N, T, D, H))."""
    report = Report("lstm_forward")
    report.forbid(fn, lstm_forward)
    n, t, d, h = dims
    x, h0, c0, Wx, Wh, b = lstm_inputs(seed=seed, T_steps=t, dims=(n, d, h))
    args, names, shapes = (x, h0, Wx, Wh, b), ["h", "cache"], {"h": ((n, t, h), "(N, T, H)")}
    outputs = array_outputs(report, fn, args, names, shapes)
    if outputs is None:
        return report.done("")
    reference = {"h": lstm_forward(*args)[0]}
    errors = compare(report, outputs, reference)
    if errors["h"] > TOL:
        diagnose(report, outputs, reference,
                 m.SEQUENCE_FORWARD_MISTAKES + m.STEP_FORWARD_MISTAKES,
                 lambda **options: {"h": m.lstm_forward_variant(*args, **options)})
        return report.done("")
    with_c0 = array_outputs(report, fn, args, names, shapes, c0=c0)  # a given initial cell state
    if with_c0 is not None:
        reference_c0 = {"h": lstm_forward(*args, c0=c0)[0]}
        error = rel_error(with_c0["h"], reference_c0["h"])
        if error > TOL:
            report.problem(f"with c0 given, h is off: relative error {error:.1e}")
            diagnose(report, with_c0, reference_c0, [m.C0_IGNORED],
                     lambda c0=c0: {"h": m.lstm_forward_variant(*args, c0=c0)})
    array_outputs(report, fn, [a.astype(np.float32) for a in args], names, shapes, np.float32)
    return report.done(f"h matches the reference, relative error {errors['h']:.1e}, also "
                       "with c0 given; float32 stays float32")
