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
# 3. write `confusion_matrix` and check it, then read the model's mistakes from it.
#
# Each exercise cell is followed by a check that runs your function on fixed inputs, compares
# it with the course's reference and says what is wrong.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_01_code"}
import numpy as np
import torch
from torch import nn

from course_lib import pick
from course_lib.checks.mnist_rows import check_confusion_matrix, check_evaluate
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

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_14_markdown"}
# ## Recap
#
# - Evaluation runs in eval mode (no dropout), without gradients, batch by batch, and puts the
#   model back the way it found it.
# - Averages over a data set sum over examples and divide once: batch means mislead when the
#   last batch is smaller.
# - A confusion matrix is `matrix[true, predicted]` counts; its diagonal is the accuracy, its
#   largest off-diagonal entries are the mistakes worth looking at.
