# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,nbgrader,-all
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# > **Exercise notebook.** Generated from `solutions/06_mnist_rows.py` by `lstm-course exercises build`: do not edit it by hand.
# > Fill in every cell that raises `NotImplementedError`, then run the check below it.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_00_markdown"}
# # 06 · Practice: evaluating a classifier
#
# Notebook 06 evaluated its models after every epoch and drew a confusion matrix. Both look
# easy, and both hide classic mistakes: dropout left on while measuring, a graph built for
# nothing, a last batch that counts as much as a full one, a matrix with rows and columns
# swapped.
#
# In this notebook, we:
#
# 1. write `evaluate`, the loop that measures a PyTorch classifier on a whole data set, batch
#    by batch, and check it;
# 2. use it after every epoch of a short training run on MNIST rows;
# 3. write `confusion_matrix` and check it, then read the model's mistakes from it;
# 4. predict, then measure, which rows of a digit the trained model needs.
#
# Each exercise cell is followed by a check that runs your function on fixed inputs, compares
# it with the course's reference and says what is wrong.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_01_code"}
import numpy as np
import torch
from torch import nn

from course_lib import active_profile, pick
from course_lib.checks.mnist_rows import (
    ROW_BANDS,
    check_accuracy_without_rows,
    check_confusion_matrix,
    check_evaluate,
    check_row_conclusion,
    check_row_study,
)
from course_lib.checks.report import graded
from course_lib.data import load_mnist

torch.manual_seed(0)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_02_markdown"}
# ## 1. The evaluation loop
#
# `evaluate(model, inputs, targets, batch_size)` returns the **mean cross-entropy per
# sequence** and the **accuracy** (a fraction) over all N sequences of `inputs` (N, T, D), feeding
# the model at most `batch_size` sequences at a time. Four things make it right:
#
# - `model.eval()` first: dropout must be off while measuring, and put the model back into the
#   mode it was in (`model.training`) at the end;
# - `torch.no_grad()`: no graph is needed, so none should be built;
# - the last batch may be smaller: **sum** the losses and the correct answers over sequences and
#   divide by N at the end (the mean of per-batch means weighs it wrongly);
# - return Python floats (`.item()`), not tensors.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_03_markdown"}
# <details><summary>Hint 1</summary>
#
# remember model.training, call model.eval(), loop under torch.no_grad()
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "evaluate"}
def evaluate(model, inputs, targets, batch_size=1000):
    """Mean cross-entropy and accuracy of ``model`` on inputs (N, T, D), targets (N,).

    Returns (loss, accuracy): floats, the loss averaged over the N sequences.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "test_check_evaluate"}
graded(check_evaluate, evaluate)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_06_markdown"}
# ## 2. Evaluate after every epoch
#
# A small LSTM on MNIST rows (a slice of the data, so that it trains in seconds), with your
# `evaluate` after every epoch on held-out test images. One run gives the whole curve.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_07_code"}
from course_lib.torch_models import SequenceClassifier

images, labels = load_mnist("train")
test_images, test_labels = load_mnist("test")
n_train, n_test = pick(smoke=512, laptop=10_000), pick(smoke=256, laptop=10_000)
x_train, y_train = torch.from_numpy(images[:n_train]), torch.from_numpy(labels[:n_train])
x_test, y_test = torch.from_numpy(test_images[:n_test]), torch.from_numpy(test_labels[:n_test])

model = SequenceClassifier(10, input_size=28, hidden_size=pick(smoke=16, laptop=64),
                           dropout=0.1, pooling="last")
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(pick(smoke=1, laptop=3)):
    model.train()
    for batch in torch.randperm(n_train).split(64):
        loss = nn.functional.cross_entropy(model(x_train[batch]), y_train[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    test_loss, test_accuracy = evaluate(model, x_test, y_test, batch_size=1000)
    print(f"epoch {epoch + 1}: test loss {test_loss:.3f}, test accuracy {100 * test_accuracy:.1f} %")

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_08_markdown"}
# ## 3. The confusion matrix
#
# `confusion_matrix(predicted, labels, num_classes)` counts, for every pair (true class r,
# predicted class c), how many examples have label r and prediction c: a (C, C) array of
# integers with **rows = true class**, columns = prediction. Its diagonal holds the correct
# answers. Make it `num_classes` wide even when a class never occurs, and mind repeated pairs:
# `matrix[labels, predicted] += 1` adds one only once per distinct pair.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_09_markdown"}
# <details><summary>Hint 1</summary>
#
# Start from a (C, C) array of integer zeros. Each example adds one to a single cell: the row
# of its true class, the column of its prediction. A Python loop over the examples is correct
# (and fast enough for a test set); Hint 2 is the NumPy way without a loop.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# With an index array that repeats, `a[idx] += 1` reads `a[idx]` once, adds one, and writes
# back: a repeated index gets one write, the last one. `np.add.at(a, idx, 1)` adds one for every
# entry of `idx`, repeated or not. Try both in a scratch cell:
#
# ```python
# votes = np.zeros(4, dtype=int)
# ballots = np.array([2, 0, 2, 2])
# votes[ballots] += 1
# print(votes)  # which entry counted fewer ballots than it got?
# votes = np.zeros(4, dtype=int)
# np.add.at(votes, ballots, 1)
# print(votes)
# ```
#
# For a 2-D array, the index is a tuple of two arrays, one per axis: entry k of the first gives
# the row, entry k of the second the column. Which of your two arrays gives the row?
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "confusion_matrix"}
def confusion_matrix(predicted, labels, num_classes):
    """(C, C) integer counts; predicted and labels are (N,) integer arrays."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 1, "grade_id": "test_check_confusion_matrix"}
graded(check_confusion_matrix, confusion_matrix)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_12_markdown"}
# Now read the trained model's mistakes: the largest off-diagonal entries are the digits it
# confuses most.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_13_code"}
model.eval()
with torch.no_grad():
    predicted = torch.cat([model(batch).argmax(1) for batch in x_test.split(1000)]).numpy()
matrix = confusion_matrix(predicted, y_test.numpy(), 10)
mistakes = matrix - np.diag(np.diag(matrix))
true, guess = np.unravel_index(mistakes.argmax(), mistakes.shape)
print(matrix)
print(f"most frequent mistake: {true} read as {guess} ({mistakes[true, guess]} times); "
      f"accuracy from the matrix {np.trace(matrix) / matrix.sum():.3f}")

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "rows_markdown_intro"}
# ## 4. Which rows does the model need? Predict, then measure
#
# The LSTM above reads a digit one row at a time, from the top, and answers after the last
# row (`pooling="last"`). Which part of the image does its answer depend on most? Cut the 28
# rows into four bands of seven (`ROW_BANDS`, printed below), blank one band at a time (its
# pixels set to 0, the background, as if that part of the digit had never been written), and
# measure the test accuracy that is left.
#
# **Before you run anything**, predict: which band, blanked, costs the model the most
# accuracy? Think of what lecture 06 showed: how the LSTM reads (its gates over the blank rows
# at the top, what it keeps once written) and where the strokes of a digit lie. Put the band's
# name in `predicted_most_harmful`. It is not graded: the comparison with your measurement is
# the point.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "rows_prediction"}
for band, rows in ROW_BANDS.items():
    print(f"{band:>12s}: rows {rows.start} to {rows.stop - 1}")
# predicted_most_harmful: the name of one band, e.g. "top"
# YOUR CODE HERE
raise NotImplementedError()

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "rows_markdown_function"}
# Write `accuracy_without_rows(model, inputs, targets, rows, batch_size=1000)`: the accuracy
# (a float) of `model` on `inputs` with the rows `rows` (a `range` of row indices, such as
# `range(7, 14)`) set to 0, measured with your `evaluate`. Leave `inputs` as it is: the next
# band must be measured on intact images.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "rows_markdown_hints"}
# <details><summary>Hint 1</summary>
#
# A row of the image is a time step: `inputs` is (N, T, D) = (N, 28, 28), and `rows` indexes
# its second axis. A `range` indexes a tensor like a list of indices.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Writing zeros into `inputs[:, rows]` changes the caller's tensor. `inputs.clone()` makes a
# copy you may write into.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "accuracy_without_rows"}
def accuracy_without_rows(model, inputs, targets, rows, batch_size=1000):
    """Accuracy (float) of ``model`` on inputs (N, T, D), targets (N,), with the rows (time
    steps) ``rows`` set to 0; ``inputs`` is left unchanged."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_accuracy_without_rows"}
graded(check_accuracy_without_rows, accuracy_without_rows)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "rows_markdown_measure"}
# Measure, on the test images `x_test`, `y_test`:
#
# - `accuracy_without`: band -> the accuracy with that band blanked;
# - `ink_share`: band -> the band's share of all the ink of the test images (its pixels
#   summed over every image, divided by the sum of all the pixels), a candidate explanation.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "measure_rows"}
# accuracy_without and ink_share: dicts band -> float, for every band of ROW_BANDS
# YOUR CODE HERE
raise NotImplementedError()

full_accuracy = evaluate(model, x_test, y_test)[1]
print(f"all rows: test accuracy {full_accuracy:.1%}")
print(f"{'band blanked':>14s} {'accuracy left':>14s} {'cost (points)':>14s} {'share of the ink':>17s}")
for band in ROW_BANDS:
    print(f"{band:>14s} {accuracy_without[band]:14.1%} "
          f"{100 * (full_accuracy - accuracy_without[band]):14.1f} {ink_share[band]:17.1%}")
print(f"you predicted that {predicted_most_harmful!r} costs the most")

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_row_study"}
graded(check_row_study, accuracy_without, ink_share, model, x_test, y_test)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "rows_markdown_conclusion"}
# Conclude from your measurement, not from your prediction:
#
# - `most_harmful`: the band whose blanking costs the most accuracy;
# - `ink_explains`: `True` when ink explains the costs, that is when the bands, ranked from
#   the least ink to the most, each cost at least as much accuracy as the one before (more ink
#   never costs less); `False` otherwise.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "rows_conclusion"}
# most_harmful: a band's name; ink_explains: True or False
# YOUR CODE HERE
raise NotImplementedError()
print(f"most harmful: {most_harmful!r}; ink explains the costs: {ink_explains}")

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 1, "grade_id": "test_check_row_conclusion"}
graded(check_row_conclusion, most_harmful, ink_explains, model, x_test, y_test,
       predicted=predicted_most_harmful)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "rows_markdown_discussion"}
# Compare with your prediction. With a model that has learned (the laptop profile; the smoke
# profile's model has barely started), the two middle bands, which hold most of the ink, cost
# far more than the top and the bottom band (the cell below checks it): the model answers after
# the last row, but not from the rows it read last. An LSTM can keep to the end what it wrote
# while the strokes arrived (lecture 06 showed its forget gates staying near 1), so what
# matters is where the digit is, not when it was read. Whether the ink explains every band's
# cost, the top's and the bottom's too, is what your `ink_explains` says for this model.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "rows_claims"}
if active_profile() != "smoke":
    middle = max(accuracy_without["upper middle"], accuracy_without["lower middle"])
    assert middle < min(accuracy_without["top"], accuracy_without["bottom"])
    assert (min(ink_share["upper middle"], ink_share["lower middle"])
            > max(ink_share["top"], ink_share["bottom"]))

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_14_markdown"}
# ## Recap
#
# - Evaluation runs in eval mode (no dropout), without gradients, batch by batch, and puts the
#   model back the way it found it.
# - Averages over a data set sum over examples and divide once: batch means mislead when the
#   last batch is smaller.
# - A confusion matrix is `matrix[true, predicted]` counts; its diagonal is the accuracy, its
#   largest off-diagonal entries are the mistakes worth looking at.
# - Blank part of the input and measure what is lost: that tells what a model uses, which
#   need not be what it read last. Predict first, then measure.
