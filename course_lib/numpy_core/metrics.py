"""Counting a classifier's answers: the confusion matrix (notebook 06, section "The confusion
matrix", and practice 06).

Dimension letters: N examples, C classes, S runs (e.g. seeds) scored on the same examples.
"""

from __future__ import annotations

import numpy as np


def confusion_matrix(predicted, labels, num_classes):
    """(C, C) int64 counts: ``matrix[true class, predicted class]``.

    - predicted: (N,) predicted classes, or (S, N) for S runs over the same examples (their
      counts are summed)
    - labels: (N,) true classes; num_classes: C (a class that never occurs still gets its row)
    """
    predicted = np.asarray(predicted)
    labels = np.broadcast_to(np.asarray(labels), predicted.shape)
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)  # counts repeated pairs; matrix[...] += 1 would not
    return matrix
