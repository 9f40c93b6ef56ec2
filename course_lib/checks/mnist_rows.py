"""Checkers for practice notebook 06: an evaluation loop, and a confusion matrix.

Each ``check_<name>(fn)`` runs your function on fixed inputs, compares it with the reference
below, prints ``PASS`` or the most specific diagnosis it can, and returns True or False. What
it sees while your function runs (batch sizes, eval mode, gradients) is reported directly; the
classic mistakes in the numbers are declared in ``mistakes.EVALUATE_MISTAKES`` and
``mistakes.CONFUSION_MISTAKES``.

The predict-then-measure exercise (which rows of a digit does the trained model need?):
``check_accuracy_without_rows(fn)`` checks the student's accuracy with some rows blanked;
``check_row_study`` their measurement for the four bands of :data:`ROW_BANDS` (and each band's
share of the ink); ``check_row_conclusion`` their verdict against the measured truth.

Dimension letters: N = 10 sequences, T = 5 steps, D = 6 inputs, C = 3 classes; batches of
B = 4, so the last batch holds only 2 sequences. ``dims`` (and ``size`` for the confusion
matrix) give other sizes, drawn with ``seed`` (the hidden tests of the graded cells use them).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from course_lib.checks import mistakes as m
from course_lib.checks.report import Mistake, Report, diagnose
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


# ---------------------------------------------------------------- which rows matter: predict, measure
ROW_BANDS = {"top": range(0, 7), "upper middle": range(7, 14), "lower middle": range(14, 21),
             "bottom": range(21, 28)}  # the image's rows in four bands of seven


def reference_accuracy_without_rows(model, inputs, targets, rows, batch_size=1000, *,
                                    axis="rows", keep="the others", returns="accuracy"):
    """Accuracy of ``model`` on ``inputs`` (N, T, D) with the rows (time steps) ``rows`` set to
    0, in eval mode, batch by batch; ``inputs`` is left as it was.

    The options compute the classic mistakes of ACCURACY_WITHOUT_MISTAKES: ``axis="columns"``
    blanks features instead of time steps, ``keep="only these"`` blanks every other row, and
    ``returns="drop"`` gives the accuracy lost; the defaults are correct."""
    blanked = inputs.clone()
    index = list(rows)
    if keep == "only these":
        index = [t for t in range(inputs.shape[1]) if t not in set(index)]
    if axis == "rows":
        blanked[:, index] = 0
    else:  # the same indices on the feature axis (a square image's columns)
        blanked[:, :, [i for i in index if i < inputs.shape[2]]] = 0
    accuracy = reference_evaluate(model, blanked, targets, batch_size)[1]
    if returns == "drop":
        return reference_evaluate(model, inputs, targets, batch_size)[1] - accuracy
    return accuracy


ACCURACY_WITHOUT_MISTAKES = [
    Mistake("columns blanked", "you blanked columns (inputs[:, :, rows], the pixels of every "
            "row); a row of the image is a time step, the second axis: inputs[:, rows]",
            {"axis": "columns"}),
    Mistake("only these rows kept", "you kept the given rows and blanked all the others; blank "
            "the given rows, keep the rest", {"keep": "only these"}),
    Mistake("drop returned", "that is the accuracy lost; return the accuracy itself, measured "
            "with the rows blanked", {"returns": "drop"}),
]


def _rows_model_and_data(seed=0, dims=(300, 8, 8, 4)):
    """A small classifier of (N, T, D) images (a linear layer on the pixels, with dropout, so
    that training and eval mode differ; every pixel counts) and random images, square when
    T = D as MNIST's. The targets are the model's own answers on the intact images: the
    accuracy left with rows blanked is the share of answers that blanking leaves unchanged."""
    n, t, d, c = dims
    with torch.random.fork_rng(devices=[]):  # the notebook's own random stream is left alone
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(t * d, c))
    g = torch.Generator().manual_seed(seed + 1)
    inputs = torch.rand(n, t, d, generator=g)  # pixels in [0, 1], like MNIST's
    with torch.no_grad():
        targets = model.eval()(inputs).argmax(dim=1)
    return model.train(), inputs, targets


def check_accuracy_without_rows(fn, seed=0, dims=(300, 8, 8, 4), rows=range(2, 5)):
    """Check ``fn(model, inputs, targets, rows) -> accuracy`` (a float) with ``rows`` blanked,
    on a small model and data drawn with ``seed``, of sizes ``dims`` = (N, T, D, C)."""
    report = Report("accuracy_without_rows")
    report.forbid(fn, reference_accuracy_without_rows)
    model, inputs, targets = _rows_model_and_data(seed, dims)
    given = inputs.clone()
    watch = _Watch(model)
    ok, result = report.call(fn, model, given, targets, rows)
    watch.handle.remove()
    if not ok:
        return report.done("")
    if not torch.equal(given, inputs):
        report.problem("it changed inputs in place: the caller's images now have rows blanked",
                       "blank a copy (inputs.clone()): the next band must be measured on the "
                       "intact images, not on images that already lost the previous band")
    if any(watch.training):
        report.problem("the model was in training mode while evaluated",
                       "measure in eval mode (your evaluate does it): dropout must be off")
    if isinstance(result, tuple):
        report.problem("it returned a tuple", "return the accuracy alone, a float (your "
                       "evaluate returns (loss, accuracy))")
        return report.done("")
    if isinstance(result, torch.Tensor):
        report.problem("it returned a tensor", "return a Python float (.item())")
        result = float(result)
    if not isinstance(result, (float, int)):
        report.problem(f"it should return the accuracy as a float, got {type(result).__name__}")
        return report.done("")
    want = reference_accuracy_without_rows(model, inputs, targets, rows)
    if not _close(result, want):
        report.problem(f"accuracy {result:.4f} with rows {rows.start}..{rows.stop - 1} blanked, "
                       f"expected {want:.4f}")

        def run(**options):
            return {"accuracy": reference_accuracy_without_rows(model, inputs, targets, rows,
                                                                **options)}
        if not diagnose(report, {"accuracy": result}, {"accuracy": want},
                        ACCURACY_WITHOUT_MISTAKES, run, tol=TOL):
            report.hint("set inputs[:, rows] to 0 on a copy, then take the accuracy of your "
                        "evaluate on it")
    return report.done(f"accuracy {want:.4f} with rows {rows.start}..{rows.stop - 1} blanked; "
                       "inputs untouched, in eval mode")


def reference_ink_share(inputs, rows, *, per="all ink", axis="rows"):
    """The share of all the ink (the pixels' sum) of ``inputs`` (N, T, D) that lies in ``rows``.

    ``per="image"`` (the mean of each image's share) and ``per="lit pixels"`` (the fraction of
    nonzero pixels) and ``axis="columns"`` compute the mistakes of INK_MISTAKES."""
    band = inputs[:, list(rows)] if axis == "rows" else inputs[:, :, list(rows)]
    if per == "image":
        return float((band.sum(dim=(1, 2)) / inputs.sum(dim=(1, 2))).mean())
    if per == "lit pixels":
        return float((band > 0).sum() / (inputs > 0).sum())
    return float(band.sum() / inputs.sum())


INK_MISTAKES = [
    Mistake("mean of per-image shares", "that is the mean of each image's share; the share of "
            "all the ink sums the band's pixels over every image, divided by all the pixels' "
            "sum", {"per": "image"}),
    Mistake("lit pixels counted", "you counted pixels that are not 0; ink is the pixels' "
            "values summed (a faint pixel is less ink than a black one)", {"per": "lit pixels"}),
    Mistake("columns", "a band is a set of rows, the second axis: inputs[:, rows]",
            {"axis": "columns"}),
]


def _row_truth(model, inputs, targets, bands):
    """The measured accuracies without each band (one pass per band)."""
    return {band: reference_accuracy_without_rows(model, inputs, targets, rows)
            for band, rows in bands.items()}


def check_row_study(accuracy_without, ink_share, model, inputs, targets, bands=ROW_BANDS):
    """Check the measured ``accuracy_without`` (band -> accuracy with that band blanked) and
    ``ink_share`` (band -> share of all the ink of ``inputs``) for every band of ``bands``."""
    report = Report("row study")
    for name, measured in (("accuracy_without", accuracy_without), ("ink_share", ink_share)):
        if not isinstance(measured, dict) or set(measured) != set(bands):
            report.problem(f"{name} should be a dict with one number per band {list(bands)}")
    if report.problems:
        return report.done("")
    try:
        accuracy_without = {band: float(value) for band, value in accuracy_without.items()}
        ink_share = {band: float(value) for band, value in ink_share.items()}
    except (TypeError, ValueError) as error:
        report.problem(f"every measurement should be a number: {error}")
        return report.done("")
    empty = [band for band, rows in bands.items() if not inputs[:, list(rows)].any()]
    if empty:
        report.problem(f"the test images hold no ink in {', '.join(map(repr, empty))}: they were "
                       "blanked in place", "make accuracy_without_rows blank a copy (its check "
                       "above says whether it changes its inputs), then rerun from the cell "
                       "that loads the test images")
        return report.done("")
    truth = _row_truth(model, inputs, targets, bands)
    for band, rows in bands.items():
        if not _close(accuracy_without[band], truth[band]):
            report.problem(f"{band}: accuracy without it {accuracy_without[band]:.4f}, "
                           f"expected {truth[band]:.4f}")
            if not diagnose(report, {"accuracy": accuracy_without[band]},
                            {"accuracy": truth[band]}, ACCURACY_WITHOUT_MISTAKES,
                            lambda rows=rows, **options: {"accuracy": (
                                reference_accuracy_without_rows(model, inputs, targets, rows,
                                                                **options))}, tol=TOL):
                report.hint(f"measure each band with your accuracy_without_rows on the test "
                            f"images, rows {rows.start} to {rows.stop - 1} for {band!r}")
            break
    for band, rows in bands.items():
        want = reference_ink_share(inputs, rows)
        if abs(ink_share[band] - want) > 1e-6:
            report.problem(f"{band}: ink share {ink_share[band]:.4f}, expected {want:.4f}")
            diagnose(report, {"ink": ink_share[band]}, {"ink": want}, INK_MISTAKES,
                     lambda rows=rows, **options: {"ink": reference_ink_share(inputs, rows,
                                                                              **options)})
            break
    return report.done(f"{len(bands)} bands: accuracy without each and its share of the ink")


def check_row_conclusion(most_harmful, ink_explains, model, inputs, targets, bands=ROW_BANDS,
                         predicted=None):
    """Check ``most_harmful`` (the band whose blanking costs the most accuracy; any of tied
    ones) and ``ink_explains`` (True when more ink never costs less accuracy: the bands ranked
    by ink share are ranked the same by what blanking them costs) against the measured truth.
    ``predicted`` (the student's predicted band) is compared in the verdict, not graded."""
    report = Report("row conclusion")
    truth = _row_truth(model, inputs, targets, bands)
    lowest = min(truth.values())
    worst = [band for band, accuracy in truth.items() if accuracy <= lowest + TOL]
    by_ink = sorted(bands, key=lambda band: reference_ink_share(inputs, bands[band]))
    explains = all(truth[a] >= truth[b] - TOL for a, b in zip(by_ink, by_ink[1:]))
    if most_harmful not in bands:
        report.problem(f"most_harmful should be one of {list(bands)}, got {most_harmful!r}")
    elif most_harmful not in worst:
        report.problem(f"blanking {most_harmful!r} leaves {truth[most_harmful]:.1%} accuracy; "
                       f"blanking {worst[0]!r} leaves {truth[worst[0]]:.1%}")
        highest = max(truth.values())
        if truth[most_harmful] >= highest - TOL:
            report.hint("that band costs the *least*: the most harmful band is the one whose "
                        "blanking leaves the lowest accuracy")
        elif most_harmful == predicted:
            report.hint("that is your prediction: the conclusion must say what you measured")
        else:
            report.hint("the most harmful band is the one with the lowest accuracy_without")
    if not isinstance(ink_explains, (bool, np.bool_)):
        report.problem(f"ink_explains should be True or False, got {ink_explains!r}")
    elif bool(ink_explains) != explains:
        ranks = ", ".join(f"{band} ({reference_ink_share(inputs, bands[band]):.1%} of the ink, "
                          f"{truth[band]:.1%} without it)" for band in by_ink)
        report.problem(f"ink_explains is {bool(ink_explains)}; by ink, least first: {ranks}",
                       "ink explains the costs when, going from less ink to more, the accuracy "
                       "without the band never rises: every band with more ink costs at least "
                       "as much")
    detail = (f"blanking {' or '.join(map(repr, worst))} costs the most; "
              f"more ink {'never costs less' if explains else 'sometimes costs less'}")
    if predicted is not None:
        detail += f"; you predicted {predicted!r}" + (" (right)" if predicted in worst else "")
    return report.done(detail)
