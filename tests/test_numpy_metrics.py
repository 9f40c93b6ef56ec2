"""The confusion matrix: one run or several over the same examples, every class a row."""

import numpy as np

from course_lib.numpy_core.metrics import confusion_matrix


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    labels = np.array([0, 1, 1, 2, 2, 2])
    matrix = confusion_matrix([0, 1, 2, 2, 2, 0], labels, 4)  # class 3 never occurs
    assert matrix.shape == (4, 4) and matrix.dtype == np.int64
    assert matrix.tolist() == [[1, 0, 0, 0], [0, 1, 1, 0], [1, 0, 2, 0], [0, 0, 0, 0]]
    assert np.trace(matrix) == 4 and matrix.sum() == len(labels)


def test_several_runs_over_the_same_examples_are_summed():
    labels = [0, 1, 1]
    runs = [[0, 1, 0], [1, 1, 1]]  # (S, N)
    summed = confusion_matrix(runs, labels, 2)
    assert summed.tolist() == (confusion_matrix(runs[0], labels, 2)
                               + confusion_matrix(runs[1], labels, 2)).tolist()
    assert summed.tolist() == [[1, 1], [1, 3]]
