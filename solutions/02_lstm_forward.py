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

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_00_markdown"}
# # Practice 02 · The LSTM forward pass
#
# In this notebook, we write the two forward functions of the course's NumPy LSTM ourselves:
#
# 1. `lstm_step_forward`, one time step;
# 2. `lstm_forward`, a whole sequence, by looping over the step.
#
# After each exercise a check calls your function on fixed inputs, compares it with the
# course's implementation and prints PASS, or what is wrong (a shape, a dtype, which output
# is off and by how much) with a hint when it recognises a classic mistake.
#
# Dimension letters: N batch size, T time steps, D input size, H hidden size. The gates are
# stacked in the order **i, f, g, o** (input, forget, candidate, output), as in PyTorch.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_01_code"}
import course_lib  # noqa: F401, I001  (first: fast float settings before NumPy starts threads)

import time

import numpy as np

from course_lib.numpy_core import lstm_forward as course_lstm_forward
from course_lib.numpy_core import sigmoid  # noqa: F401  (for your lstm_step_forward)
from course_lib.checks.report import graded
from course_lib.checks.lstm_forward import check_lstm_forward, check_lstm_step_forward

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_02_markdown"}
# ## Exercise 1: one step
#
# Write the step that lecture 02 derived, from memory first: one affine map of $x_t$ and
# $h_{t-1}$ for all four gates at once, the gates' nonlinearities, then the new cell state
# and the new hidden state. Open the hints only when you are stuck, one at a time. Use
# `sigmoid` from the course (imported above) or write your own.
#
# Return `(next_h, next_c, cache)`. The cache is for the backward pass; store
# `(x, prev_h, prev_c, Wx, Wh, i, f, g, o, np.tanh(next_c))` (the course's layout, used in
# practice 03).

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_03_markdown"}
# <details><summary>Hint 1</summary>
#
# One product for all four gates: `a = x @ Wx + prev_h @ Wh + b`, shape $(N, 4H)$, then
# slice it into four blocks of $H$ columns, in the order i, f, g, o.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# $i = \sigma(a_i),\; f = \sigma(a_f),\; g = \tanh(a_g),\; o = \sigma(a_o)$, then
# $c_t = f \odot c_{t-1} + i \odot g$ and $h_t = o \odot \tanh(c_t)$.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "lstm_step_forward"}
# NBVAL_CHECK_OUTPUT
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One LSTM step.

    Inputs:
    - x: (N, D) inputs at this step
    - prev_h, prev_c: (N, H) hidden and cell state from the previous step
    - Wx: (D, 4H), Wh: (H, 4H), b: (4H,) weights, gate blocks i, f, g, o

    Returns (next_h, next_c, cache): next_h and next_c are (N, H).
    """
    ### BEGIN SOLUTION
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b  # (N, 4H)
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H:2 * H])
    g = np.tanh(a[:, 2 * H:3 * H])
    o = sigmoid(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    tanh_c = np.tanh(next_c)
    next_h = o * tanh_c
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c)
    return next_h, next_c, cache
    ### END SOLUTION


# Try it on a small example: N = 2, D = 3, H = 4.
rng = np.random.default_rng(0)
next_h, next_c, _ = lstm_step_forward(rng.standard_normal((2, 3)), np.zeros((2, 4)),
                                      np.zeros((2, 4)), rng.standard_normal((3, 16)),
                                      rng.standard_normal((4, 16)), np.zeros(16))
print("next_h", next_h.shape, "next_c", next_c.shape)

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "test_check_lstm_step_forward"}
graded(check_lstm_step_forward, lstm_step_forward)
### BEGIN HIDDEN TESTS
graded(check_lstm_step_forward, lstm_step_forward, seed=10)
graded(check_lstm_step_forward, lstm_step_forward, seed=12, dims=(2, 7, 5))  # N, D, H
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_06_markdown"}
# ## Exercise 2: a whole sequence
#
# Apply your step to every time step of $x$ $(N, T, D)$, in order, feeding each step's
# `(next_h, next_c)` into the next one as `(prev_h, prev_c)`. Collect the hidden states into
# `h` of shape $(N, T, H)$: `h[:, t]` is the `next_h` of step $t$. The cell state starts from
# `c0`, or from zeros when `c0` is None.
#
# Return `(h, cache)`; a list of the step caches is a good cache.
#
# Make sure float32 inputs give a float32 `h`: `np.zeros(shape)` is float64 unless you pass
# `dtype=x.dtype`.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_07_markdown"}
# <details><summary>Hint 1</summary>
#
# step t reads x[:, t, :]; loop over t, calling lstm_step_forward
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "lstm_forward"}
# NBVAL_CHECK_OUTPUT
def lstm_forward(x, h0, Wx, Wh, b, c0=None):
    """LSTM over a whole sequence.

    Inputs:
    - x: (N, T, D) input sequence
    - h0: (N, H) initial hidden state
    - Wx: (D, 4H), Wh: (H, 4H), b: (4H,) weights, gate blocks i, f, g, o
    - c0: (N, H) initial cell state, zeros when None

    Returns (h, cache): h is (N, T, H), the hidden state after every step.
    """
    ### BEGIN SOLUTION
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H), dtype=x.dtype)
    prev_h = h0
    prev_c = np.zeros((N, H), dtype=x.dtype) if c0 is None else c0
    cache = []
    for t in range(T):
        prev_h, prev_c, step_cache = lstm_step_forward(x[:, t, :], prev_h, prev_c, Wx, Wh, b)
        h[:, t, :] = prev_h
        cache.append(step_cache)
    return h, cache
    ### END SOLUTION


# Try it: N = 2, T = 5, D = 3, H = 4.
h, _ = lstm_forward(rng.standard_normal((2, 5, 3)), np.zeros((2, 4)),
                    rng.standard_normal((3, 16)), rng.standard_normal((4, 16)), np.zeros(16))
print("h", h.shape)

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "test_check_lstm_forward"}
graded(check_lstm_forward, lstm_forward)
### BEGIN HIDDEN TESTS
graded(check_lstm_forward, lstm_forward, seed=11)
graded(check_lstm_forward, lstm_forward, seed=13, dims=(5, 9, 2, 3))  # N, T, D, H
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_10_markdown"}
# ## How fast is your loop?
#
# Your `lstm_forward` and the course's give the same numbers. The course's version is
# arranged for speed: the products $x_t W_x$ of all steps are computed before the loop in
# one big matrix product, and its arrays are allocated once. Let us time both on the shape
# of the MNIST experiment (64 images read as 28 rows of 28 pixels, 128 hidden units), in
# float32.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_11_code"}
N, T, D, H = 64, 28, 28, 128
x = rng.standard_normal((N, T, D)).astype(np.float32)
h0 = np.zeros((N, H), np.float32)
Wx = (0.1 * rng.standard_normal((D, 4 * H))).astype(np.float32)
Wh = (0.1 * rng.standard_normal((H, 4 * H))).astype(np.float32)
b = np.zeros(4 * H, np.float32)


def median_ms(forward, repeats=7):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        forward(x, h0, Wx, Wh, b)
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


yours, course = median_ms(lstm_forward), median_ms(course_lstm_forward)
print(f"your lstm_forward: {yours:.2f} ms, the course's: {course:.2f} ms "
      f"(median of 7 runs, float32)")
assert np.allclose(lstm_forward(x, h0, Wx, Wh, b)[0], course_lstm_forward(x, h0, Wx, Wh, b)[0],
                   atol=1e-5)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_12_markdown"}
# ## Recap
#
# - One step: one product for the four gates, sigmoid on i, f, o, tanh on g, then
#   `next_c = f * prev_c + i * g` and `next_h = o * tanh(next_c)`.
# - A sequence: the same step and the same weights at every time step, the state carried
#   from one step to the next.
# - Keep the inputs' dtype: allocate with `dtype=x.dtype`.
