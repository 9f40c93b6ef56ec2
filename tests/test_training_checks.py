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


# ---------------------------------------------------------------- which rows matter
def my_accuracy_without_rows(model, inputs, targets, rows, batch_size=1000):
    blanked = inputs.clone()
    blanked[:, list(rows)] = 0.0
    return my_evaluate(model, blanked, targets, batch_size)[1]


def rows_blanked_in_place(model, inputs, targets, rows, batch_size=1000):
    inputs[:, rows] = 0  # the caller's images lose the band: the next band is measured on less
    return my_evaluate(model, inputs, targets, batch_size)[1]


def rows_as_columns(model, inputs, targets, rows, batch_size=1000):
    blanked = inputs.clone()
    blanked[:, :, rows] = 0
    return my_evaluate(model, blanked, targets, batch_size)[1]


def only_these_rows(model, inputs, targets, rows, batch_size=1000):
    kept = torch.zeros_like(inputs)
    kept[:, rows] = inputs[:, rows]
    return my_evaluate(model, kept, targets, batch_size)[1]


def accuracy_lost(model, inputs, targets, rows, batch_size=1000):
    return (my_evaluate(model, inputs, targets, batch_size)[1]
            - my_accuracy_without_rows(model, inputs, targets, rows, batch_size))


def rows_in_training_mode(model, inputs, targets, rows, batch_size=1000):
    blanked = inputs.clone()
    blanked[:, rows] = 0
    with torch.no_grad():
        return (model.train()(blanked).argmax(1) == targets).float().mean().item()


def both_numbers(model, inputs, targets, rows, batch_size=1000):
    blanked = inputs.clone()
    blanked[:, rows] = 0
    return my_evaluate(model, blanked, targets, batch_size)


ROW_SET_UPS = [{}, {"seed": 27, "dims": (257, 6, 7, 3), "rows": range(0, 2)},
               {"seed": 28, "dims": (120, 10, 4, 5), "rows": range(7, 10)}]


@pytest.mark.parametrize("set_up", ROW_SET_UPS, ids=["visible", "hidden 1", "hidden 2"])
def test_a_correct_accuracy_without_rows_passes_and_every_mistake_changes_the_number(set_up):
    """On the visible and hidden set-ups, each mistake's accuracy differs from the right one
    (else a mistake would pass unseen)."""
    from course_lib.checks.mnist_rows import (
        ACCURACY_WITHOUT_MISTAKES,
        _rows_model_and_data,
        check_accuracy_without_rows,
        reference_accuracy_without_rows,
    )

    assert check_accuracy_without_rows(my_accuracy_without_rows, **set_up)
    args = _rows_model_and_data(set_up.get("seed", 0), set_up.get("dims", (300, 8, 8, 4)))
    rows = set_up.get("rows", range(2, 5))
    right = reference_accuracy_without_rows(*args, rows)
    for mistake in ACCURACY_WITHOUT_MISTAKES:
        wrong = reference_accuracy_without_rows(*args, rows, **mistake.options)
        assert abs(wrong - right) > 1e-3, mistake.name


@pytest.mark.parametrize("broken, hint", [
    (rows_blanked_in_place, "blank a copy (inputs.clone())"),
    (rows_as_columns, "you blanked columns"),
    (only_these_rows, "you kept the given rows and blanked all the others"),
    (accuracy_lost, "that is the accuracy lost"),
    (rows_in_training_mode, "measure in eval mode"),
    (both_numbers, "return the accuracy alone"),
])
def test_check_accuracy_without_rows_names_each_mistake(broken, hint, capsys):
    from course_lib.checks.mnist_rows import check_accuracy_without_rows

    assert not check_accuracy_without_rows(broken)
    out = capsys.readouterr().out
    assert "FAIL" in out and hint in out, out


def trained_rows_model():
    """A small classifier trained on stripes: class k when rows 4k..4k+3 are lit (N, 12, 12),
    so that each band of four rows matters by a different amount."""
    from course_lib.torch_models import SequenceClassifier

    g = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 3, (240,), generator=g)
    images = 0.1 * torch.rand(240, 12, 12, generator=g)
    for k in range(3):
        images[labels == k, 4 * k:4 * k + 4] += 0.5 + (0.3 * k)
    torch.manual_seed(0)
    model = SequenceClassifier(3, input_size=12, hidden_size=8, pooling="last")
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    for _ in range(60):
        loss = nn.functional.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    bands = {"first": range(0, 4), "second": range(4, 8), "third": range(8, 12)}
    return model.eval(), images, labels, bands


def test_the_row_study_and_its_conclusion_are_graded_against_the_measurement(capsys):
    from course_lib.checks.mnist_rows import check_row_conclusion, check_row_study

    model, images, labels, bands = trained_rows_model()
    accuracy = {b: my_accuracy_without_rows(model, images, labels, r) for b, r in bands.items()}
    ink = {b: (images[:, r].sum() / images.sum()).item() for b, r in bands.items()}
    assert my_evaluate(model, images, labels, 1000)[1] > 0.9  # it learned the stripes
    assert len(set(accuracy.values())) == 3  # three different costs: a real test
    assert check_row_study(accuracy, ink, model, images, labels, bands)

    worst = min(accuracy, key=accuracy.get)
    by_ink = sorted(bands, key=ink.get)
    explains = all(accuracy[a] >= accuracy[b] for a, b in zip(by_ink, by_ink[1:]))
    assert check_row_conclusion(worst, explains, model, images, labels, bands, predicted=worst)
    assert "(right)" in capsys.readouterr().out

    # the planted wrong answers: the least harmful band, the prediction kept, ink_explains flipped
    best = max(accuracy, key=accuracy.get)
    assert not check_row_conclusion(best, explains, model, images, labels, bands)
    assert "that band costs the *least*" in capsys.readouterr().out
    middle = next(b for b in bands if b not in (worst, best))
    assert not check_row_conclusion(middle, explains, model, images, labels, bands,
                                    predicted=middle)
    assert "that is your prediction" in capsys.readouterr().out
    assert not check_row_conclusion(worst, not explains, model, images, labels, bands)
    assert "ink_explains is" in capsys.readouterr().out
    assert not check_row_conclusion("middle", explains, model, images, labels, bands)
    assert "most_harmful should be one of" in capsys.readouterr().out


def test_the_row_study_names_wrong_measurements(capsys):
    from course_lib.checks.mnist_rows import check_row_study

    model, images, labels, bands = trained_rows_model()
    accuracy = {b: my_accuracy_without_rows(model, images, labels, r) for b, r in bands.items()}
    ink = {b: (images[:, r].sum() / images.sum()).item() for b, r in bands.items()}

    per_image = {b: (images[:, r].sum(dim=(1, 2)) / images.sum(dim=(1, 2))).mean().item()
                 for b, r in bands.items()}
    assert not check_row_study(accuracy, per_image, model, images, labels, bands)
    assert "the mean of each image's share" in capsys.readouterr().out

    lit = {b: ((images[:, r] > 0).sum() / (images > 0).sum()).item() for b, r in bands.items()}
    assert lit != ink
    assert not check_row_study(accuracy, lit, model, images, labels, bands)
    assert "ink is the pixels' values summed" in capsys.readouterr().out

    columns = {b: rows_as_columns(model, images, labels, r) for b, r in bands.items()}
    assert not check_row_study(columns, ink, model, images, labels, bands)
    assert "you blanked columns" in capsys.readouterr().out

    assert not check_row_study({"first": 0.5}, ink, model, images, labels, bands)
    assert "one number per band" in capsys.readouterr().out

    blanked = images.clone()
    for r in bands.values():  # what a study with an in-place accuracy_without_rows leaves
        rows_blanked_in_place(model, blanked, labels, r)
    assert not check_row_study(accuracy, ink, model, blanked, labels, bands)
    assert "blanked in place" in capsys.readouterr().out
