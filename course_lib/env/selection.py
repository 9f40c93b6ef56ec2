"""The one rule that chooses a model: on the validation (dev) split, never on the test split.

Early stopping, the best epoch, the checkpoint kept (``best.pt``), an ensemble's members and a
sweep's best point are all chosen with these functions. Metrics are named ``<split>_<metric>``
(``val_accuracy``, ``train_loss``, ``test_perplexity``); a name with a ``test`` part is refused,
so no choice can read the test curve, even by mistake. Test is scored once, for the chosen model.

>>> direction("val_accuracy"), direction("val_perplexity")
('max', 'min')
>>> best_index([0.9, 0.7, 0.8], "val_loss")  # epoch 2 (index 1) has the lowest loss
1

It lives in ``env/`` because the NumPy core (which must not import torch) and the torch Trainer
both use it, and ``env/`` imports nothing heavy. Taught in notebook 11 ("choose on dev, report
test once").
"""

from __future__ import annotations

import math

MAXIMISED = ("accuracy", "acc", "f1")  # metric words that are better when larger


def check_selectable(metric: str) -> str:
    """Return ``metric`` if a model may be chosen by it, else raise a ValueError.

    A metric computed on the test split (``test_accuracy``, ``ensemble_test_loss``) is refused.
    """
    if "test" in metric.split("_"):
        dev = metric.replace("test", "val", 1)
        raise ValueError(
            f"{metric!r} is measured on the test split, and models are chosen on the validation "
            f"split only (e.g. {dev!r}); the test split is scored once, for the chosen model")
    return metric


def direction(metric: str) -> str:
    """``"max"`` for accuracies and F1 scores, ``"min"`` for everything else (losses,
    perplexities, bits per character, errors)."""
    return "max" if any(word in MAXIMISED for word in metric.split("_")) else "min"


def default_monitor(has_val: bool) -> str:
    """The metric that chooses when none is named: the validation loss, else the training loss."""
    return "val_loss" if has_val else "train_loss"


def is_better(value: float, best: float | None, metric: str) -> bool:
    """Whether ``value`` of ``metric`` beats ``best`` (None: nothing yet). NaN never wins."""
    check_selectable(metric)
    if value is None or math.isnan(value):
        return False
    if best is None:
        return True
    return value > best if direction(metric) == "max" else value < best


def best_index(values, metric: str) -> int | None:
    """The index of the best of ``values`` (one per epoch) for ``metric``; the first on ties;
    None when there is no number."""
    best = None
    for i, value in enumerate(values):
        if is_better(value, None if best is None else values[best], metric):
            best = i
    return best
