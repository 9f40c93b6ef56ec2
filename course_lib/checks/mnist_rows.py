"""Checkers for practice notebook 06: an evaluation loop, and a confusion matrix.

Each ``check_<name>(fn)`` runs your function on fixed inputs, compares it with the reference
below, prints ``PASS`` or the most specific diagnosis it can (with a hint for the classic
mistakes), and returns True or False.

Dimension letters: N = 10 sequences, T = 5 steps, D = 6 inputs, C = 3 classes; batches of
B = 4, so the last batch holds only 2 sequences.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from course_lib.checks.numpy_lstm import Report

N, T, D, C, B = 10, 5, 6, 3, 4
TOL = 1e-5


def reference_evaluate(model, inputs, targets, batch_size):
    """Mean cross-entropy per sequence and accuracy over all of ``inputs``, in batches."""
    was_training = model.training
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(targets), batch_size):
            logits = model(inputs[start:start + batch_size])  # (B, C)
            y = targets[start:start + batch_size]
            loss_sum += nn.functional.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
    model.train(was_training)
    return loss_sum / len(targets), correct / len(targets)


def _model_and_data():
    """A small classifier with dropout (so train and eval mode differ) and fixed data."""
    from course_lib.torch_models import SequenceClassifier

    torch.manual_seed(0)
    model = SequenceClassifier(C, input_size=D, hidden_size=8, dropout=0.5, pooling="mean")
    inputs = torch.randn(N, T, D, generator=torch.Generator().manual_seed(1))
    targets = torch.tensor([0, 1, 2, 0, 1, 2, 0, 0, 2, 1])
    return model.train(), inputs, targets


class _Watch:
    """Forward hook recording the batch sizes the model sees and whether gradients were on."""

    def __init__(self, model):
        self.sizes, self.grad_enabled, self.training = [], [], []
        self.handle = model.register_forward_hook(self)

    def __call__(self, module, args, output):
        self.sizes.append(len(args[0]))
        self.grad_enabled.append(torch.is_grad_enabled())
        self.training.append(module.training)


def _unbatched_means(model, inputs, targets, batch_size):
    """The classic mistake: the mean of the per-batch means (wrong for an uneven last batch)."""
    model.eval()
    losses, accuracies = [], []
    with torch.no_grad():
        for start in range(0, len(targets), batch_size):
            logits, y = model(inputs[start:start + batch_size]), targets[start:start + batch_size]
            losses.append(nn.functional.cross_entropy(logits, y).item())
            accuracies.append((logits.argmax(1) == y).float().mean().item())
    model.train()
    return float(np.mean(losses)), float(np.mean(accuracies))


def check_evaluate(fn):
    """Check ``fn(model, inputs, targets, batch_size) -> (mean loss, accuracy)`` as floats."""
    report = Report("evaluate")
    model, inputs, targets = _model_and_data()
    expected = reference_evaluate(model, inputs, targets, B)
    watch = _Watch(model)
    ok, result = report.call(fn, model, inputs, targets, B)
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
    if sum(watch.sizes) != N:
        report.problem(f"the model saw {sum(watch.sizes)} sequences, expected all {N}",
                       "loop over every batch, including the last, smaller one "
                       "(range(0, N, batch_size))")
    if watch.sizes and max(watch.sizes) > B:
        report.problem(f"the model was called on {max(watch.sizes)} sequences at once; "
                       f"batch_size is {B}", "feed at most batch_size sequences per call: a "
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
    mean_of_means = _unbatched_means(model, inputs, targets, B)
    for name, got, want, wrong in (("loss", loss, expected[0], mean_of_means[0]),
                                   ("accuracy", accuracy, expected[1], mean_of_means[1])):
        if abs(got - want) <= TOL * max(1.0, abs(want)):
            continue
        if abs(got - wrong) <= TOL * max(1.0, abs(wrong)):
            report.problem(f"{name} is {got:.6g}, expected {want:.6g}",
                           "that is the mean of the per-batch means: the last batch has only "
                           f"{N % B} sequences and must count less; sum over sequences, "
                           "divide by N at the end")
        elif abs(got - N * want) <= TOL * N * max(1.0, abs(want)):
            report.problem(f"{name} is {got:.6g}, expected {want:.6g} (N = {N} times too big)",
                           "divide the total by the number of sequences")
        else:
            report.problem(f"{name} is {got:.6g}, expected {want:.6g}",
                           "loss: cross-entropy per sequence (reduction='sum', then / N); "
                           "accuracy: the fraction of argmax predictions equal to the target")
    return report.done(f"loss {loss:.4f} and accuracy {accuracy:.2f} match, in eval mode, "
                       "without gradients, batch by batch")


def reference_confusion_matrix(predicted, labels, num_classes):
    """(C, C) counts: row = true class, column = predicted class."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def check_confusion_matrix(fn):
    """Check ``fn(predicted, labels, num_classes) -> (C, C) integer array`` (rows: true)."""
    report = Report("confusion_matrix")
    labels = np.array([0, 0, 1, 1, 1, 2, 2, 0, 1, 2, 2, 2])
    predicted = np.array([0, 1, 1, 1, 2, 2, 2, 0, 2, 2, 1, 2])
    num_classes = 4  # class 3 never occurs: the matrix must still be 4 x 4
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
    elif np.array_equal(got, expected.T):
        report.problem("rows and columns are swapped",
                       "row = the true label, column = the prediction: matrix[label, predicted]")
    else:
        report.problem(f"counts differ from the expected matrix:\n{expected}\ngot\n{got}",
                       "add one to matrix[label, predicted] for every example (np.add.at "
                       "counts repeated pairs; matrix[labels, predicted] += 1 does not)")
    return report.done("every count in place, rows = true class")
