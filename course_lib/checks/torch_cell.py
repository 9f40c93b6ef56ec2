"""Checkers for practice notebook 05: the LSTM step in torch, and one training step.

Each ``check_<name>(fn)`` runs your function on fixed inputs, compares it with the course's
reference, prints ``PASS`` or the most specific diagnosis it can, and returns True or False.
Forward-pass mistakes are recognised with the NumPy catalogue of classic mistakes
(:mod:`course_lib.checks.mistakes`); training-step mistakes with variants of the step below
(:func:`reference_train_step`, whose defaults are correct), declared in
``mistakes.TRAIN_STEP_MISTAKES``.

Dimension letters: N = 3 sequences, D = 6 inputs, H = 4 hidden units, T = 5 steps, C = 3 classes
by default; ``dims`` gives other sizes (the hidden tests of the graded cells use them).
"""

from __future__ import annotations

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
