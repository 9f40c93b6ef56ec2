"""Checkers for practice notebook 05: the LSTM step in torch, and one training step.

Each ``check_<name>(fn)`` runs your function on fixed inputs, compares it with the course's
reference, prints ``PASS`` or the most specific diagnosis it can, and returns True or False.
Forward-pass mistakes are recognised with the NumPy catalogue of classic mistakes
(:mod:`course_lib.checks.mistakes`); training-step mistakes with variants of the step below
(:func:`reference_train_step`, whose defaults are correct), declared in
``mistakes.TRAIN_STEP_MISTAKES``.

The debugging exercise: :func:`planted_bug_step` turns a student's seed into a training step
with one of its moves wrong (:data:`STEP_BUGS`); :func:`check_planted_step_bug` checks the
name the student gives it, and :func:`check_find_bug` runs the student's ``find_bug`` on every
planted bug and on a correct step (the problems of :func:`debug_problem`).

Dimension letters: N = 3 sequences, D = 6 inputs, H = 4 hidden units, T = 5 steps, C = 3 classes
by default; ``dims`` gives other sizes (the hidden tests of the graded cells use them).
"""

from __future__ import annotations

import hashlib

import numpy as np
import torch
from torch import nn

from course_lib.checks import mistakes as m
from course_lib.checks._arrays import compare, lstm_inputs
from course_lib.checks.report import Report, diagnose
from course_lib.numpy_core.gradcheck import rel_error
from course_lib.torch_models.lstm import lstm_step

N, D, H, T, C = 3, 6, 4, 5, 3
TOL = 1e-10  # float64 torch agrees with the reference to ~1e-16


def check_torch_lstm_step(fn, seed=0, dims=(N, D, H)):
    """Check ``fn(x, prev_h, prev_c, Wx, Wh, b) -> (next_h, next_c)`` on torch tensors (inputs
    drawn with ``seed``, of sizes ``dims`` = (N, D, H))."""
    report = Report("torch lstm_step")
    report.forbid(fn, lstm_step)
    arrays = lstm_inputs(seed, dims=dims)
    n, _, h = dims
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    ok, out = report.call(fn, *tensors)
    if not ok:
        return report.done("")
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        report.problem(f"it should return 2 tensors (next_h, next_c), got {type(out).__name__}"
                       + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""))
        return report.done("")
    names = ("next_h", "next_c")
    for name, value in zip(names, out):
        if not isinstance(value, torch.Tensor):
            report.problem(f"{name} should be a torch.Tensor, got {type(value).__name__}",
                           "use torch operations (@, torch.sigmoid, torch.tanh) on the tensors; "
                           "going through NumPy loses autograd")
        elif tuple(value.shape) != (n, h):
            report.problem(f"{name} has shape {tuple(value.shape)}, expected (N, H) = ({n}, {h})",
                           "gates = x @ Wx + prev_h @ Wh + b is (N, 4H); split it into four "
                           "(N, H) blocks with gates.chunk(4, dim=1)")
    if report.problems:
        return report.done("")
    outputs = {k: v.detach().numpy() for k, v in zip(names, out)}
    reference = {k: v.detach().numpy() for k, v in zip(names, lstm_step(*tensors))}
    errors = compare(report, outputs, reference, tol=TOL)
    if max(errors.values()) > TOL:
        diagnose(report, outputs, reference, m.STEP_FORWARD_MISTAKES,
                 lambda **options: m.step_forward_outputs(arrays, **options))
        return report.done("")
    if not all(v.requires_grad for v in out):
        report.problem("the outputs are cut from the autograd graph",
                       "do not call .detach(), .numpy() or torch.tensor(...) on intermediate "
                       "values; plain tensor operations keep the graph")
        return report.done("")
    weights = tensors[3:]
    grads = torch.autograd.grad(out[0].sum() + out[1].sum(), weights)
    ref_grads = torch.autograd.grad(sum(v.sum() for v in lstm_step(*tensors)), weights)
    worst = max(rel_error(g.numpy(), r.numpy()) for g, r in zip(grads, ref_grads))
    if worst > TOL:
        report.problem(f"gradients differ from the reference (relative error {worst:.1e})")
    small = [torch.tensor(a, dtype=torch.float32) for a in arrays]
    ok, out32 = report.call(fn, *small)
    if ok and any(v.dtype != torch.float32 for v in out32):
        report.problem("float32 inputs gave a different dtype",
                       "avoid creating tensors with a fixed dtype; use the inputs' own")
    return report.done(f"next_h, next_c and their gradients match the reference "
                       f"(relative error {max(errors.values()):.1e}); float32 stays float32")


# ---------------------------------------------------------------- one training step
def reference_train_step(model, optimizer, inputs, targets, clip_norm, *, zero_grad=True,
                         clip="norm", step=True, item=True):
    """The correct step (defaults) and its classic variants, for the checker's diagnosis."""
    if zero_grad:
        optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(inputs), targets)
    loss.backward()
    if clip == "norm":
        nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    elif clip == "value":
        nn.utils.clip_grad_value_(model.parameters(), clip_norm)
    if step:
        optimizer.step()
    return loss.item() if item else loss


def _setup(seed=0, dims=(N, T, D, H, C)):
    """A small classifier and a batch: inputs (N, T, D), targets (N,) in 0..C-1."""
    from course_lib.torch_models.classifier import SequenceClassifier

    n, t, d, h, c = dims
    with torch.random.fork_rng(devices=[]):  # the notebook's own random stream is left alone
        torch.manual_seed(seed)
        model = SequenceClassifier(c, input_size=d, hidden_size=h).double()
    g = torch.Generator().manual_seed(seed + 1)
    inputs = 3 * torch.randn(n, t, d, generator=g, dtype=torch.float64)
    targets = torch.arange(n) * 2 % c  # (N,): 0, 2, 1 for N = C = 3
    return model, inputs, targets


def _after(fn, options=None, clip_norm=0.05, lr=0.5, seed=0, dims=(N, T, D, H, C)):
    """Parameters after one step of fn (or of a reference variant) on stale gradients."""
    model, inputs, targets = _setup(seed, dims)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for p in model.parameters():  # what an earlier step would have left behind
        p.grad = torch.full_like(p, 0.1)
    if fn is None:
        value = reference_train_step(model, optimizer, inputs, targets, clip_norm, **(options or {}))
    else:
        value = fn(model, optimizer, inputs, targets, clip_norm)
    return {"params": np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])}, value


def check_train_step(fn, seed=0, dims=(N, T, D, H, C)):
    """Check ``fn(model, optimizer, inputs, targets, clip_norm) -> loss as a float`` (a model
    and batch drawn with ``seed``, of sizes ``dims`` = (N, T, D, H, C))."""
    report = Report("train_step")
    report.forbid(fn, reference_train_step)
    ok, after = report.call(_after, fn, seed=seed, dims=dims)  # an exception in fn is reported
    if not ok:
        return report.done("")
    outputs, value = after
    reference, ref_value = _after(None, seed=seed, dims=dims)
    error = rel_error(outputs["params"], reference["params"])
    if error > TOL:
        report.problem(f"the parameters after the step are off: relative error {error:.1e}")
        diagnose(report, outputs, reference, m.TRAIN_STEP_MISTAKES,
                 lambda **options: _after(None, options, seed=seed, dims=dims)[0])
    if isinstance(value, torch.Tensor):
        report.problem("it returned a tensor", "return loss.item(): a Python float, so the "
                       "caller does not keep the whole graph alive")
    elif not isinstance(value, float):
        report.problem(f"it should return the loss as a float, got {type(value).__name__}")
    elif abs(value - ref_value) > 1e-9 * max(1.0, abs(ref_value)):
        report.problem(f"it returned {value:.6g}, expected the batch loss {ref_value:.6g}",
                       "return the loss computed before the update (cross-entropy, mean over "
                       "the batch)")
    return report.done(f"parameters match the reference step (relative error {error:.1e}); "
                       "the loss is returned as a float")


# ---------------------------------------------------------------- debug: a planted bug in a step
# A colleague's training step with one of the five moves wrong, chosen by the student's seed.
# The student gets it as a callable and finds the bug by measuring what it leaves behind (the
# parameters, their .grad, the returned loss), then writes find_bug, which names the bug of any
# such step: check_find_bug runs it on every planted bug and on a correct step.
STEP_BUGS = ("zero_grad", "loss", "clip", "step")  # the move that is wrong

STEP_STORIES = {
    "zero_grad": "optimizer.zero_grad() was missing: every call added its gradient to the one "
                 "the call before left in .grad, so each update after the first used the sum "
                 "of all the gradients so far",
    "loss": "the loss was summed over the batch (reduction='sum'): the returned loss and its "
            "gradient were N times the mean's; an active clip hides the gradient's size, the "
            "returned number does not",
    "clip": "clip_grad_norm_ ran before loss.backward(): it clipped the empty gradients that "
            "zero_grad had left, and optimizer.step() used the new gradient unclipped",
    "step": "optimizer.step() ran before loss.backward(), just after zero_grad: it found no "
            "gradient and moved nothing, so the model never learned",
}

MISSED_HINTS = {
    "zero_grad": "a missing zero_grad cannot show on a fresh model's first call (its .grad is "
                 "empty): call the step twice on the same batch, with SGD(lr=0.0) so that the "
                 "parameters stay put and clip_norm huge so that the clip does not rescale, and "
                 "compare the two calls' .grad",
    "loss": "compare the returned loss with the batch's mean cross-entropy computed on a fresh "
            "copy of the model, before any update (the step changes the model you give it)",
    "clip": "a clip only acts when the gradient's norm exceeds clip_norm: give a tiny clip_norm "
            "(1e-3), then measure the global norm of the .grad the step leaves behind",
    "step": "compare the parameters before and after one call, with SGD at lr > 0 and the clip "
            "out of the way",
}

FALSE_ALARM_HINTS = {
    "zero_grad": "a correct step leaves the same .grad after two calls on the same batch only "
                 "when the parameters did not move in between (SGD with lr=0.0) and nothing "
                 "random changed (no dropout in these models)",
    "loss": "a correct step returns the loss *before* the update: compute yours on a fresh "
            "model from make_problem(), not on the model the step has just updated",
    "clip": "after clipping, the global norm is clip_norm up to rounding: allow a relative "
            "1e-6, and use the norm over all parameters together",
    "step": "compare each parameter with a copy taken before the call "
            "(p.detach().clone()); a reference to p itself changes with it",
}


def planted_step_bug(seed) -> str:
    """The move that the broken training step of ``seed`` (an int or a string) gets wrong."""
    digest = hashlib.sha256(f"lstm-course-05/{seed}".encode()).digest()
    return STEP_BUGS[int.from_bytes(digest[:4], "big") % len(STEP_BUGS)]


def _buggy_step(model, optimizer, inputs, targets, clip_norm, bug):
    """The training step with the planted ``bug`` (one of STEP_BUGS, or None: correct)."""
    if bug != "zero_grad":
        optimizer.zero_grad()
    if bug == "step":
        optimizer.step()
    loss = nn.functional.cross_entropy(model(inputs), targets,
                                       reduction="sum" if bug == "loss" else "mean")
    if bug == "clip":
        nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    loss.backward()
    if bug != "clip":
        nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    if bug != "step":
        optimizer.step()
    return loss.item()


class BrokenTrainStep:
    """``train_step(model, optimizer, inputs, targets, clip_norm) -> loss`` with one planted bug,
    chosen by a seed; it returns a float like the right one."""

    __name__ = "broken_train_step"

    def __init__(self, seed):
        self.seed = seed

    def __call__(self, model, optimizer, inputs, targets, clip_norm):
        return _buggy_step(model, optimizer, inputs, targets, clip_norm, planted_step_bug(self.seed))

    def __repr__(self):
        return f"<train_step with a planted bug, seed {self.seed!r}>"


def planted_bug_step(seed) -> BrokenTrainStep:
    """The broken training step of a student: ``seed`` is their student number or name."""
    if not isinstance(seed, (int, str)) or isinstance(seed, bool) or seed == "":
        raise TypeError(f"the seed is your student number (an int) or your name (a string), "
                        f"got {seed!r}")
    return BrokenTrainStep(seed)


def debug_problem(seed=0, dims=(N, T, D, H, C)):
    """A fresh problem to measure a step on: (model, inputs, targets), a small float64
    classifier without dropout, inputs (N, T, D), targets (N,); the same every call."""
    return _setup(seed, dims)


def check_planted_step_bug(name, seed):
    """Check that ``name`` (one of STEP_BUGS) is the move the broken step of ``seed`` gets wrong."""
    report = Report("planted bug")
    if not isinstance(name, str) or name.strip() not in STEP_BUGS:
        report.problem(f"name the wrong move as one of {', '.join(map(repr, STEP_BUGS))}; got "
                       f"{name!r}")
        return report.done("")
    bug = planted_step_bug(seed)
    if name.strip() != bug:
        report.problem(f"{name.strip()!r} is not the move that your broken step (seed {seed!r}) "
                       "gets wrong", "measure, don't guess: each bug leaves a trace in the "
                       "parameters, their .grad or the returned loss, sometimes only with the "
                       "right clip_norm or on a second call")
        return report.done("")
    return report.done(f"{bug!r} is the wrong move: {STEP_STORIES[bug]}")


class _PlantedStep:
    """One of the steps find_bug is tried on: named like the broken one, its bug not shown."""

    __name__ = "broken_train_step"

    def __init__(self, bug):
        self._bug = bug

    def __call__(self, model, optimizer, inputs, targets, clip_norm):
        return _buggy_step(model, optimizer, inputs, targets, clip_norm, self._bug)

    def __repr__(self):
        return "<train_step, perhaps with a planted bug>"


def check_find_bug(fn, seed=0, dims=(N, T, D, H, C)):
    """Check ``fn(step_fn, make_problem) -> one of STEP_BUGS, or None for a correct step`` on
    every planted bug and on a correct step; ``make_problem()`` gives the problem of
    :func:`debug_problem` (``seed``, ``dims``)."""
    report = Report("find_bug")
    report.forbid(fn, planted_step_bug, planted_bug_step, _buggy_step, reference_train_step)

    def make_problem():
        return debug_problem(seed, dims)
    answers = {}
    for bug in (*STEP_BUGS, None):
        with torch.random.fork_rng(devices=[]):  # the notebook's own random stream is left alone
            ok, answer = report.call(fn, _PlantedStep(bug), make_problem)
        if not ok:
            return report.done("")
        if answer is not None and (not isinstance(answer, str) or answer not in STEP_BUGS):
            report.problem(f"it returned {answer!r}; return one of "
                           f"{', '.join(map(repr, STEP_BUGS))}, or None for a correct step")
            return report.done("")
        answers[bug] = answer
    if answers[None] is not None:
        report.problem(f"a false alarm: on a correct step it says {answers[None]!r}",
                       FALSE_ALARM_HINTS[answers[None]])
    for bug in STEP_BUGS:
        if answers[bug] != bug:
            said = "None (no bug)" if answers[bug] is None else repr(answers[bug])
            report.problem(f"on the step whose bug is in {bug!r} it says {said}",
                           MISSED_HINTS[bug])
    return report.done(f"it names each of the {len(STEP_BUGS)} planted bugs and passes the "
                       "correct step")
