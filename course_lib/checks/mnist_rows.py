"""Checkers for practice notebook 06: an evaluation loop, and a confusion matrix.

Each ``check_<name>(fn)`` runs your function on fixed inputs, compares it with the reference
below, prints ``PASS`` or the most specific diagnosis it can, and returns True or False. What
it sees while your function runs (batch sizes, eval mode, gradients) is reported directly; the
classic mistakes in the numbers are declared in ``mistakes.EVALUATE_MISTAKES`` and
``mistakes.CONFUSION_MISTAKES``.

Dimension letters: N = 10 sequences, T = 5 steps, D = 6 inputs, C = 3 classes; batches of
B = 4, so the last batch holds only 2 sequences. ``dims`` (and ``size`` for the confusion
matrix) give other sizes, drawn with ``seed`` (the hidden tests of the graded cells use them).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from course_lib.checks import mistakes as m
from course_lib.checks.report import Report, diagnose
from course_lib.numpy_core.metrics import confusion_matrix

N, T, D, C, B = 10, 5, 6, 3, 4
TOL = 1e-5


def reference_evaluate(model, inputs, targets, batch_size, *, average="over sequences"):
    """Mean cross-entropy per sequence and accuracy over all of ``inputs``, in batches.

    ``average`` computes the mistakes of ``mistakes.EVALUATE_MISTAKES``: "of batch means" (the
    mean of the per-batch means), None (the totals); the default is correct.
    """
    was_training = model.training
    model.eval()
    losses, corrects, sizes = [], [], []  # one entry per batch
    with torch.no_grad():
        for start in range(0, len(targets), batch_size):
            logits = model(inputs[start:start + batch_size])  # (B, C)
            y = targets[start:start + batch_size]
            losses.append(nn.functional.cross_entropy(logits, y, reduction="sum").item())
            corrects.append((logits.argmax(1) == y).sum().item())
            sizes.append(len(y))
    model.train(was_training)
    if average == "of batch means":
        return (float(np.mean(np.divide(losses, sizes))),
                float(np.mean(np.divide(corrects, sizes))))
    count = len(targets) if average == "over sequences" else 1
    return sum(losses) / count, sum(corrects) / count


def _model_and_data(seed=0, dims=(N, T, D, C, B)):
    """A small classifier with dropout (so train and eval mode differ) and fixed data."""
    from course_lib.torch_models import SequenceClassifier

    n, t, d, c, _ = dims
    with torch.random.fork_rng(devices=[]):  # the notebook's own random stream is left alone
        torch.manual_seed(seed)
        model = SequenceClassifier(c, input_size=d, hidden_size=8, dropout=0.5, pooling="mean")
    g = torch.Generator().manual_seed(seed + 1)
    inputs = torch.randn(n, t, d, generator=g)
    if dims == (N, T, D, C, B):
        targets = torch.tensor([0, 1, 2, 0, 1, 2, 0, 0, 2, 1])
    else:
        targets = torch.randint(0, c, (n,), generator=g)
    return model.train(), inputs, targets


def _close(got, want):
    return abs(got - want) <= TOL * max(1.0, abs(want))


class _Watch:
    """Forward hook recording the batch sizes the model sees and whether gradients were on."""

    def __init__(self, model):
        self.sizes, self.grad_enabled, self.training = [], [], []
        self.handle = model.register_forward_hook(self)

    def __call__(self, module, args, output):
        self.sizes.append(len(args[0]))
        self.grad_enabled.append(torch.is_grad_enabled())
        self.training.append(module.training)


def check_evaluate(fn, seed=0, dims=(N, T, D, C, B)):
    """Check ``fn(model, inputs, targets, batch_size) -> (mean loss, accuracy)`` as floats.

    ``dims`` = (N, T, D, C, B): choose N not a multiple of B, so that the last batch is smaller."""
    report = Report("evaluate")
    report.forbid(fn, reference_evaluate)
    model, inputs, targets = _model_and_data(seed, dims)
    n, batch = dims[0], dims[4]
    expected = reference_evaluate(model, inputs, targets, batch)
    watch = _Watch(model)
    ok, result = report.call(fn, model, inputs, targets, batch)
    watch.handle.remove()
    if not ok:
        return report.done("")
    if not isinstance(result, tuple) or len(result) != 2:
        report.problem(f"it should return a tuple (loss, accuracy), got {type(result).__name__}")
        return report.done("")
    if any(isinstance(v, torch.Tensor) for v in result):
        report.problem("it returned tensors", "return Python floats (.item()): numbers the "
                       "caller can print, store in a history and compare")
        result = tuple(float(v) for v in result)
    loss, accuracy = result
    if sum(watch.sizes) != n:
        report.problem(f"the model saw {sum(watch.sizes)} sequences, expected all {n}",
                       "loop over every batch, including the last, smaller one "
                       "(range(0, N, batch_size))")
    if watch.sizes and max(watch.sizes) > batch:
        report.problem(f"the model was called on {max(watch.sizes)} sequences at once; "
                       f"batch_size is {batch}", "feed at most batch_size sequences per call: a "
                       "whole test set at once may not fit in memory")
    if any(watch.training):
        report.problem("the model was in training mode while evaluated",
                       "call model.eval() first: dropout must be off when measuring")
    if any(watch.grad_enabled):
        report.problem("gradients were tracked during evaluation",
                       "wrap the loop in `with torch.no_grad():` (no graph: less memory, faster)")
    if not model.training:
        report.problem("the model was left in eval mode",
                       "remember model.training first and restore it at the end "
                       "(model.train(was_training)): the next training epoch needs dropout")
    outputs = {"loss": loss, "accuracy": accuracy}
    reference = dict(zip(outputs, expected))
    wrong = [k for k in outputs if not _close(outputs[k], reference[k])]
    for k in wrong:
        report.problem(f"{k} is {outputs[k]:.6g}, expected {reference[k]:.6g}")

    def run(**options):
        return dict(zip(outputs, reference_evaluate(model, inputs, targets, batch, **options)))
    if wrong and not diagnose(report, outputs, reference, m.EVALUATE_MISTAKES, run, tol=TOL):
        report.hint("loss: cross-entropy per sequence (reduction='sum', then / N); "
                    "accuracy: the fraction of argmax predictions equal to the target")
    return report.done(f"loss {loss:.4f} and accuracy {accuracy:.2f} match, in eval mode, "
                       "without gradients, batch by batch")


def reference_confusion_matrix(predicted, labels, num_classes, *, rows="labels",
                               count="np.add.at"):
    """(C, C) counts: row = true class, column = predicted class.

    ``rows="predicted"`` and ``count="fancy index"`` make the classic mistakes of
    ``mistakes.CONFUSION_MISTAKES``; the defaults are correct.
    """
    if rows == "labels" and count == "np.add.at":
        return confusion_matrix(predicted, labels, num_classes)  # the course's one count
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    where = (labels, predicted) if rows == "labels" else (predicted, labels)
    if count == "np.add.at":
        np.add.at(matrix, where, 1)
    else:
        matrix[where] += 1  # a repeated (row, column) pair is counted once
    return matrix


def check_confusion_matrix(fn, seed=None, size=(40, 6)):
    """Check ``fn(predicted, labels, num_classes) -> (C, C) integer array`` (rows: true).

    With a ``seed``: size = (N examples, C classes) drawn at random instead of the fixed twelve
    examples (the last class still never occurs, and pairs repeat)."""
    report = Report("confusion_matrix")
    report.forbid(fn, confusion_matrix, reference_confusion_matrix)
    labels = np.array([0, 0, 1, 1, 1, 2, 2, 0, 1, 2, 2, 2])
    predicted = np.array([0, 1, 1, 1, 2, 2, 2, 0, 2, 2, 1, 2])
    num_classes = 4  # class 3 never occurs: the matrix must still be 4 x 4
    if seed is not None:
        rng = np.random.default_rng(seed)
        count, num_classes = size
        labels = rng.integers(0, num_classes - 1, count)  # the last class never occurs
        predicted = np.where(rng.random(count) < 0.6, labels,
                             rng.integers(0, num_classes - 1, count))
    expected = reference_confusion_matrix(predicted, labels, num_classes)
    ok, got = report.call(fn, predicted, labels, num_classes)
    if not ok:
        return report.done("")
    got = np.asarray(got)
    if got.shape != expected.shape:
        report.problem(f"shape {got.shape}, expected {expected.shape}",
                       "use num_classes for the size, not the largest label seen: a class may "
                       "never occur in a small set")
    elif np.array_equal(got, expected):
        if not np.issubdtype(got.dtype, np.integer):
            report.problem(f"dtype {got.dtype}: counts should be integers")
    else:
        report.problem(f"counts differ from the expected matrix:\n{expected}\ngot\n{got}")

        def run(**options):
            return {"matrix": reference_confusion_matrix(predicted, labels, num_classes,
                                                         **options)}
        if not diagnose(report, {"matrix": got}, {"matrix": expected}, m.CONFUSION_MISTAKES, run):
            report.hint("add one to matrix[label, predicted] for every example (np.add.at "
                        "counts repeated pairs; matrix[labels, predicted] += 1 does not)")
    return report.done("every count in place, rows = true class")
