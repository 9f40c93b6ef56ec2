"""Checkers of practice notebook 06 against a correct answer and one broken version per hint."""

import numpy as np
import pytest
import torch
from torch import nn

from course_lib.checks.mnist_rows import (
    check_confusion_matrix,
    check_evaluate,
    reference_confusion_matrix,
    reference_evaluate,
)


def evaluate_no_eval_mode(model, inputs, targets, batch_size):
    model.train()
    total, correct = 0.0, 0
    with torch.no_grad():
        for s in range(0, len(targets), batch_size):
            logits, y = model(inputs[s:s + batch_size]), targets[s:s + batch_size]
            total += nn.functional.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
    return total / len(targets), correct / len(targets)


def evaluate_mean_of_means(model, inputs, targets, batch_size):
    model.eval()
    losses, accs = [], []
    with torch.no_grad():
        for s in range(0, len(targets), batch_size):
            logits, y = model(inputs[s:s + batch_size]), targets[s:s + batch_size]
            losses.append(nn.functional.cross_entropy(logits, y).item())
            accs.append((logits.argmax(1) == y).float().mean().item())
    model.train()
    return float(np.mean(losses)), float(np.mean(accs))


def evaluate_with_grad(model, inputs, targets, batch_size):
    model.eval()
    total, correct = 0.0, 0
    for s in range(0, len(targets), batch_size):
        logits, y = model(inputs[s:s + batch_size]), targets[s:s + batch_size]
        total += nn.functional.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(1) == y).sum().item()
    model.train()
    return total / len(targets), correct / len(targets)


def evaluate_left_in_eval(model, inputs, targets, batch_size):
    result = reference_evaluate(model, inputs, targets, batch_size)
    model.eval()
    return result


def evaluate_all_at_once(model, inputs, targets, batch_size):
    return reference_evaluate(model, inputs, targets, len(targets))


def evaluate_drops_last_batch(model, inputs, targets, batch_size):
    n = len(targets) // batch_size * batch_size
    return reference_evaluate(model, inputs[:n], targets[:n], batch_size)


def evaluate_returns_tensors(model, inputs, targets, batch_size):
    return tuple(torch.tensor(v) for v in reference_evaluate(model, inputs, targets, batch_size))


def evaluate_not_implemented(model, inputs, targets, batch_size):
    raise NotImplementedError()


def my_evaluate(model, inputs, targets, batch_size):  # a student's answer
    was_training = model.training
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for s in range(0, len(targets), batch_size):
            logits, y = model(inputs[s:s + batch_size]), targets[s:s + batch_size]
            total += nn.functional.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
    model.train(was_training)
    return total / len(targets), correct / len(targets)


def my_confusion_matrix(predicted, labels, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    for row, column in zip(labels, predicted):
        matrix[row, column] += 1
    return matrix


def test_a_correct_evaluate_passes_on_the_visible_and_hidden_sizes(capsys):
    assert check_evaluate(my_evaluate)
    assert check_evaluate(my_evaluate, seed=23, dims=(13, 3, 4, 5, 5))
    assert "PASS" in capsys.readouterr().out


@pytest.mark.parametrize("broken, hint", [
    (evaluate_no_eval_mode, "model.eval()"),
    (evaluate_mean_of_means, "mean of the per-batch means"),
    (evaluate_with_grad, "torch.no_grad()"),
    (evaluate_left_in_eval, "restore it"),
    (evaluate_all_at_once, "at most batch_size"),
    (evaluate_drops_last_batch, "including the last"),
    (evaluate_returns_tensors, "Python floats"),
    (evaluate_not_implemented, "not implemented yet"),
])
def test_check_evaluate_names_each_mistake(broken, hint, capsys):
    assert not check_evaluate(broken)
    out = capsys.readouterr().out
    assert "FAIL" in out and hint in out, out


def confusion_transposed(predicted, labels, num_classes):
    return reference_confusion_matrix(labels, predicted, num_classes)


def confusion_sized_by_labels(predicted, labels, num_classes):
    return reference_confusion_matrix(predicted, labels, int(max(labels.max(), predicted.max())) + 1)


def confusion_fancy_index(predicted, labels, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    matrix[labels, predicted] += 1
    return matrix


def test_check_confusion_matrix(capsys):
    assert check_confusion_matrix(my_confusion_matrix)
    assert check_confusion_matrix(my_confusion_matrix, seed=25, size=(40, 6))
    assert not check_confusion_matrix(  # sized by the visible check's 4 classes
        lambda p, y, c: my_confusion_matrix(p, y, 4), seed=25, size=(40, 6))
    for broken, hint in ((confusion_transposed, "swapped"), (confusion_sized_by_labels,
                         "num_classes"), (confusion_fancy_index, "np.add.at")):
        assert not check_confusion_matrix(broken)
        out = capsys.readouterr().out
        assert hint in out, out
