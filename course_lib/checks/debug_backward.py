"""The debugging exercise of practice notebook 03: a broken ``lstm_step_backward`` per student.

:func:`planted_bug_backward` turns a student's seed (their student number, or their name) into
an ``lstm_step_backward`` with one planted bug, in one of the six gradients. The student gets it
as a callable, not as source: the point is to find the bug by measurement, with the course's
gradient checker (:func:`course_lib.numpy_core.gradcheck.check_layer_gradients`), as one does
with a real backward pass that is too long to read. Then two checks:

- :func:`check_planted_bug_name` (the student names the wrong gradient, e.g. ``"dWh"``);
- :func:`check_wrong_gradient_finder` (the hidden test of that name: the student's measuring
  function, run on other students' broken backwards, one for each of the six planted bugs,
  names each one; a name typed by hand, or read off the student's own seed, fails);
- :func:`check_repaired_step_backward` (the student's repair, which calls the broken function
  and replaces the wrong gradient, passes a gradient check; the five right gradients are kept).

Taught in notebook 03 (gradient checks); the exercise is the last one of practice 03.
Dimension letters: N batch size, D input size, H hidden size.
"""

from __future__ import annotations

import hashlib

import numpy as np

from course_lib.checks._arrays import TOL, D, H, N, array_outputs, lstm_inputs, numerical_gradients
from course_lib.checks.report import Report, distance, one_seed_each, uses
from course_lib.numpy_core.gradcheck import check_layer_gradients, rel_error
from course_lib.numpy_core.lstm import lstm_step_backward, lstm_step_forward

GRADIENTS = ("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db")  # in the order the step returns
SHAPES = {"dx": ((N, D), "(N, D)"), "dprev_h": ((N, H), "(N, H)"),
          "dprev_c": ((N, H), "(N, H)"), "dWx": ((D, 4 * H), "(D, 4H)"),
          "dWh": ((H, 4 * H), "(H, 4H)"), "db": ((4 * H,), "(4H,)")}

# What each planted bug does, shown once the student has named it right. Every bug keeps the
# shapes and breaks one gradient only (the db one needs a batch of two or more to show).
STORIES = {
    "dx": "dx was multiplied by (1 - x**2), the tanh derivative of notebook 01's RNN: "
          "but x is an input, not the output of a tanh",
    "dprev_h": "dprev_h added dnext_h, as if next_h were prev_h plus something (a residual "
               "connection the LSTM does not have); adding dh[:, t] belongs in the time loop",
    "dprev_c": "dprev_c was dc, without the forget gate: dprev_c = dc * f",
    "dWx": "dWx was built from the gates' gradients before their activations' derivatives "
           "(dc * g for i, say, instead of dc * g * i * (1 - i)): a mix-up of two arrays",
    "dWh": "dWh read prev_c where it needed prev_h (two (N, H) arrays side by side in the "
           "cache): dWh = prev_h.T @ da",
    "db": "db was the mean of da over the batch, where the loss sums the batch's gradients: "
          "db = da.sum(axis=0)",
}


def planted_gradient(seed) -> str:
    """The gradient that the broken backward of ``seed`` (an int or a string) gets wrong."""
    digest = hashlib.sha256(f"lstm-course-03/{seed}".encode()).digest()
    return GRADIENTS[int.from_bytes(digest[:4], "big") % len(GRADIENTS)]


def _backward(dnext_h, dnext_c, cache, bug):
    """The step backward with the planted ``bug`` (one of GRADIENTS, or None: correct)."""
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c = cache
    dc = dnext_c + dnext_h * o * (1 - tanh_c**2)
    before = [dc * g, dc * prev_c, dc * i, dnext_h * tanh_c]  # gradients of i, f, g, o
    derivs = [i * (1 - i), f * (1 - f), 1 - g**2, o * (1 - o)]
    da = np.concatenate([u * d for u, d in zip(before, derivs)], axis=1)  # (N, 4H)
    grads = {"dx": da @ Wx.T, "dprev_h": da @ Wh.T, "dprev_c": dc * f,
             "dWx": x.T @ da, "dWh": prev_h.T @ da, "db": da.sum(axis=0)}
    planted = {
        "dx": lambda: grads["dx"] * (1 - x**2),
        "dprev_h": lambda: grads["dprev_h"] + dnext_h,
        "dprev_c": lambda: dc,
        "dWx": lambda: x.T @ np.concatenate(before, axis=1),
        "dWh": lambda: prev_c.T @ da,
        "db": lambda: da.mean(axis=0),
    }
    if bug is not None:
        grads[bug] = planted[bug]()
    return tuple(grads[name].astype(dnext_h.dtype, copy=False) for name in GRADIENTS)


class BrokenStepBackward:
    """``lstm_step_backward(dnext_h, dnext_c, cache)`` with one planted bug, chosen by a seed.

    Call it like the course's step backward: it returns (dx, dprev_h, dprev_c, dWx, dWh, db),
    every one with the right shape, one of them wrong.
    """

    __name__ = "broken_step_backward"

    def __init__(self, seed):
        self.seed = seed

    def __call__(self, dnext_h, dnext_c, cache):
        return _backward(dnext_h, dnext_c, cache, planted_gradient(self.seed))

    def __repr__(self):
        return f"<lstm_step_backward with a planted bug, seed {self.seed!r}>"


def planted_bug_backward(seed) -> BrokenStepBackward:
    """The broken ``lstm_step_backward`` of a student: ``seed`` is their student number or name."""
    if not isinstance(seed, (int, str)) or isinstance(seed, bool) or seed == "":
        raise TypeError(f"the seed is your student number (an int) or your name (a string), "
                        f"got {seed!r}")
    return BrokenStepBackward(seed)


def _normalise(name):
    """'dWh', 'Wh', ' dwh ' -> 'dWh' (None when it names no gradient)."""
    key = name.strip().replace(" ", "").lower()
    for gradient in GRADIENTS:
        if key in (gradient.lower(), gradient[1:].lower()):
            return gradient
    return None


def check_planted_bug_name(name, seed):
    """Check that ``name`` (e.g. ``"dWh"``) is the gradient the broken backward of ``seed`` gets
    wrong."""
    report = Report("planted bug")
    if not isinstance(name, str):
        report.problem(f"name the wrong gradient as a string, such as 'dWh'; got "
                       f"{type(name).__name__} {name!r}")
        return report.done("")
    gradient = _normalise(name)
    if gradient is None:
        report.problem(f"{name!r} is none of the step's gradients: {', '.join(GRADIENTS)}")
        return report.done("")
    if gradient != planted_gradient(seed):
        report.problem(f"{gradient} is not the gradient that your broken backward (seed "
                       f"{seed!r}) gets wrong",
                       "measure, don't guess: run check_layer_gradients(lstm_step_forward, "
                       "broken_step_backward, inputs) on random float64 inputs with a batch of "
                       "two or more; a right gradient has a relative error near 1e-10, the "
                       "wrong one 1e-3 or more")
        return report.done("")
    return report.done(f"{gradient} is the wrong one: {STORIES[gradient]}")


def other_students_seeds(first=1000):
    """One seed per planted gradient, the smallest from ``first`` on: {gradient: seed}."""
    return one_seed_each(planted_gradient, GRADIENTS, first)


def step_inputs(seed=7, dims=(2, 3, 4)):
    """Random float64 inputs of the step, by name (x, prev_h, prev_c, Wx, Wh, b), of sizes
    ``dims`` = (N, D, H)."""
    N, D, H = dims
    draw = np.random.default_rng(seed).standard_normal
    return dict(x=draw((N, D)), prev_h=draw((N, H)), prev_c=draw((N, H)),
                Wx=0.5 * draw((D, 4 * H)), Wh=0.5 * draw((H, 4 * H)), b=draw(4 * H))


def check_wrong_gradient_finder(fn, first_seed=1000, input_seed=7, dims=(2, 3, 4)):
    """Check ``fn(backward, inputs) -> name``: run on six other broken backwards (one per planted
    gradient, seeds from ``first_seed`` on) with the step's ``inputs`` (a dict, sizes ``dims`` =
    (N, D, H), N >= 2), it must name the wrong gradient of each. Nothing printed names a bug."""
    report = Report("find_wrong_gradient")
    report.forbid(fn, planted_gradient, _backward)
    names = {}
    for gradient, seed in other_students_seeds(first_seed).items():
        broken = planted_bug_backward(seed)
        ok, name = report.call(fn, broken, step_inputs(input_seed, dims))
        if not ok:
            report.problem(f"that was on another student's broken backward (seed {seed})")
            return report.done("")
        if not isinstance(name, str) or _normalise(name) is None:
            report.problem(f"it should return the name of a gradient ({', '.join(GRADIENTS)}), "
                           f"got {name!r}")
            return report.done("")
        names[seed] = (_normalise(name), gradient)
    wrong = {seed: got for seed, (got, gradient) in names.items() if got != gradient}
    if not wrong:
        return report.done(f"it names the wrong gradient of {len(names)} other broken "
                           f"backwards, one per planted bug (inputs N, D, H = {dims})")
    if len({got for got, _ in names.values()}) == 1:
        only = next(iter(names.values()))[0]
        report.problem(f"it names {only} for every broken backward, whatever its bug",
                       "the name must come out of the measurement, not be typed in: return "
                       "'d' + the name of the input the gradient checker finds worst")
        return report.done("")
    best = 0
    for seed, got in wrong.items():
        measured = check_layer_gradients(lstm_step_forward, planted_bug_backward(seed),
                                         step_inputs(input_seed, dims))
        error = measured.errors[got[1:]]
        report.problem(f"on the broken backward of seed {seed}, it names {got}, which the "
                       f"gradient checker finds right there (relative error {error:.0e})")
        best += error == min(measured.errors.values())
    if best == len(wrong) > 1:
        report.hint("that is the *best* gradient each time: the wrong one has the largest "
                    "relative error (GradCheckResult.worst)")
    else:
        report.hint("use the inputs you are given (a batch of two or more): some bugs hide in "
                    "a batch of one, or in inputs of zeros")
    return report.done("")


def _calls(fn, obj):
    """True when ``fn`` names ``obj`` as a global (see :func:`uses`) or in its closure."""
    cells = getattr(fn, "__closure__", None) or ()
    return uses(fn, obj) or any(cell.cell_contents is obj for cell in cells)


def check_repaired_step_backward(fn, broken, seed=2):
    """Check ``fn(dnext_h, dnext_c, cache)``: the repair of ``broken`` (a
    :class:`BrokenStepBackward`), all six gradients right, the five right ones kept from it."""
    report = Report("repaired_step_backward")
    report.forbid(fn, lstm_step_backward)
    if not isinstance(broken, BrokenStepBackward):
        report.problem("pass the broken function you were given, "
                       "planted_bug_backward(STUDENT_SEED), as the second argument")
        return report.done("")
    if not _calls(fn, broken):
        report.problem("your function does not call broken_step_backward: the exercise is to "
                       "repair it, keeping its five right gradients and replacing the wrong one")
    planted = planted_gradient(broken.seed)
    inputs = lstm_inputs(seed=seed)
    rng = np.random.default_rng(seed + 1)
    dnext_h, dnext_c = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    cache = lstm_step_forward(*inputs)[2]
    outputs = array_outputs(report, fn, (dnext_h, dnext_c, cache), list(GRADIENTS), SHAPES)
    if outputs is None:
        return report.done("")

    def objective():
        next_h, next_c, _ = lstm_step_forward(*inputs)
        return np.sum(next_h * dnext_h) + np.sum(next_c * dnext_c)
    numeric = numerical_gradients(objective, dict(zip(GRADIENTS, inputs)))
    buggy = dict(zip(GRADIENTS, _backward(dnext_h, dnext_c, cache, planted)))
    errors = {k: rel_error(outputs[k], numeric[k]) for k in GRADIENTS}
    for k in GRADIENTS:
        if errors[k] < 1e-6:
            continue
        if k == planted and distance(outputs[k], buggy[k]) < TOL:
            report.problem(f"{k} is still the broken one's (relative error {errors[k]:.1e} "
                           "against numerical gradients)",
                           f"compute {k} yourself in place of the one broken_step_backward "
                           "returns")
        elif k == planted:
            report.problem(f"{k} is repaired differently, but still off: relative error "
                           f"{errors[k]:.1e} against numerical gradients",
                           "recompute it from the cache as notebook 03 derives it (exercise "
                           "1's hints walk through it)")
        else:
            report.problem(f"{k} was right in broken_step_backward, and yours is off: relative "
                           f"error {errors[k]:.1e} against numerical gradients",
                           f"keep {k} as broken_step_backward returns it; only one gradient "
                           "is wrong")
    return report.done(f"all six gradients match numerical gradients, worst relative error "
                       f"{max(errors.values()):.1e}; {planted} repaired")
