"""One row of a results table over several seeds: mean ± std, and the seeds' ensemble.

Dimension letters: N test examples, C classes.

A single seed's accuracy is one draw: the table reports the mean and the standard deviation
over seeds (``ddof=1``, the sample std), and as an extra row the accuracy of an ensemble that
averages the class probabilities of every network trained for the row.
"""

from __future__ import annotations

import numpy as np


def seeds_summary(accuracies, probabilities, labels) -> dict:
    """Mean ± std of per-seed test accuracies, and the accuracy of the ensemble.

    Inputs:
    - accuracies: one test accuracy per seed
    - probabilities: a list of (N, C) class probabilities on the test set, one per network
    - labels: (N,) the true classes

    Returns {"test_mean", "test_std" (0.0 for a single seed), "ensemble_test_accuracy"}.
    """
    ensemble = np.mean(probabilities, axis=0).argmax(1)  # (N,)
    return {"test_mean": float(np.mean(accuracies)),
            "test_std": float(np.std(accuracies, ddof=1)) if len(accuracies) > 1 else 0.0,
            "ensemble_test_accuracy": float((ensemble == np.asarray(labels)).mean())}
