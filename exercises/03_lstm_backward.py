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
# > **Exercise notebook.** Generated from `solutions/03_lstm_backward.py` by `lstm-course exercises build`: do not edit it by hand.
# > Fill in every cell that raises `NotImplementedError`, then run the check below it.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_00_markdown"}
# # Practice 03 · The LSTM backward pass and gradient clipping
#
# In this notebook, we write the backward half of the course's NumPy LSTM ourselves:
#
# 1. `lstm_step_backward`, the gradients of one step;
# 2. `lstm_backward`, backpropagation through time over a whole sequence;
# 3. `clip_by_global_norm`, the guard against exploding gradients;
# 4. a debugging job: a backward pass with a planted bug, found with the gradient checker.
#
# The forward passes come from the course (you wrote the same ones in practice 02). After
# each exercise a check compares your gradients with the course's implementation and with
# numerical gradients, and prints PASS or what is wrong, with a hint when it recognises a
# classic mistake. Notebook 03 derives every equation used here.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_01_code"}
import course_lib  # noqa: F401, I001  (first: fast float settings before NumPy starts threads)

import numpy as np

from course_lib.numpy_core import check_layer_gradients, lstm_forward, lstm_step_forward
from course_lib.checks.report import graded
from course_lib.checks.lstm_backward import (
    check_clip_by_global_norm,
    check_lstm_backward,
    check_lstm_step_backward,
)
from course_lib.checks.debug_backward import (
    check_planted_bug_name,
    check_repaired_step_backward,
    check_wrong_gradient_finder,
    planted_bug_backward,
)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_02_markdown"}
# ## Exercise 1: one step back
#
# `lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)` returns `(next_h, next_c, cache)` with
#
# ```
# cache = (x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c)   # tanh_c = np.tanh(next_c)
# ```
#
# Given `dnext_h` and `dnext_c`, both $(N, H)$, return the gradients with respect to every
# input of the step, in the order of the forward's arguments. Derive it as lecture 03 did,
# by walking the step's graph backwards; the checker names the classic mistakes. Open the
# hints one at a time.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_03_markdown"}
# <details><summary>Hint 1</summary>
#
# The new cell state reaches the loss twice: directly, through `dnext_c`, and through
# `next_h = o * tanh(next_c)`. Add both paths into one `dc` before anything else.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `dc = dnext_c + dnext_h * o * (1 - tanh_c**2)`, and `dprev_c = dc * f`.
#
# </details>
#
# <details><summary>Hint 3</summary>
#
# The gates: `dnext_h * tanh_c` for o, `dc * prev_c` for f, `dc * g` for i, `dc * i` for g,
# each times its activation's derivative: `s * (1 - s)` for a sigmoid gate, `1 - g**2` for g.
#
# </details>
#
# <details><summary>Hint 4</summary>
#
# Stack them as `da`, shape $(N, 4H)$, in the order i, f, g, o; then `dx = da @ Wx.T`,
# `dprev_h = da @ Wh.T`, `dWx = x.T @ da`, `dWh = prev_h.T @ da`, `db = da.sum(axis=0)`.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "lstm_step_backward"}
# NBVAL_CHECK_OUTPUT
def lstm_step_backward(dnext_h, dnext_c, cache):
    """Backward pass of one LSTM step.

    Inputs:
    - dnext_h, dnext_c: (N, H) gradients of the loss with respect to next_h and next_c
    - cache: from lstm_step_forward

    Returns (dx, dprev_h, dprev_c, dWx, dWh, db) with the shapes of x, prev_h, prev_c, Wx,
    Wh, b.
    """
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c = cache
    # YOUR CODE HERE
    raise NotImplementedError()


# Try it: N = 2, D = 3, H = 4.
rng = np.random.default_rng(0)
_, _, cache = lstm_step_forward(rng.standard_normal((2, 3)), rng.standard_normal((2, 4)),
                                rng.standard_normal((2, 4)), rng.standard_normal((3, 16)),
                                rng.standard_normal((4, 16)), np.zeros(16))
grads = lstm_step_backward(np.ones((2, 4)), np.zeros((2, 4)), cache)
print([g.shape for g in grads])

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "test_check_lstm_step_backward"}
graded(check_lstm_step_backward, lstm_step_backward)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_06_markdown"}
# ## Exercise 2: backpropagation through time
#
# The course's `lstm_forward(x, h0, Wx, Wh, b)` returns `(h, cache)`. It is written for
# speed, so its cache is a dict of time-major arrays (time first):
#
# | key | shape | holds |
# |---|---|---|
# | `"xs"` | $(T, N, D)$ | `xs[t]` is the input of step $t$ |
# | `"hs"` | $(T+1, N, H)$ | `hs[t]` is the hidden state *before* step $t$ (`hs[0]` = h0) |
# | `"cs"` | $(T+1, N, H)$ | `cs[t]` is the cell state *before* step $t$ |
# | `"tanh_cs"` | $(T, N, H)$ | `tanh_cs[t]` is `np.tanh` of the cell state *after* step $t$ |
# | `"gates"` | $(T, N, 4H)$ | `gates[t]` holds step $t$'s i, f, g, o side by side |
# | `"Wx"`, `"Wh"` | | the weights |
#
# So step $t$'s cache, in the layout of exercise 1, is
# `(xs[t], hs[t], cs[t], Wx, Wh, i, f, g, o, tanh_cs[t])` with
# `i, f, g, o = np.split(gates[t], 4, axis=1)`.
#
# Walk backwards in time. At step $t$ the hidden state receives the gradient from the loss,
# `dh[:, t]`, **plus** the `dprev_h` returned by step $t+1$; the cell receives the `dprev_c`
# of step $t+1$. The weights are shared by all steps: **sum** their gradients. `dh0` is the
# `dprev_h` of step 0.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_07_markdown"}
# <details><summary>Hint 1</summary>
#
# for t in reversed(range(T)): call lstm_step_backward(dh[:, t] + dprev_h, dprev_c, step_cache)
# and add up the weight gradients
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "lstm_backward"}
# NBVAL_CHECK_OUTPUT
def lstm_backward(dh, cache):
    """Backward pass of lstm_forward (backpropagation through time).

    Inputs:
    - dh: (N, T, H) gradient of the loss with respect to every hidden state
    - cache: from the course's lstm_forward (see the table above)

    Returns (dx, dh0, dWx, dWh, db) with the shapes of x, h0, Wx, Wh, b.
    """
    xs, hs, cs, tanh_cs, gates = (cache[k] for k in ("xs", "hs", "cs", "tanh_cs", "gates"))
    Wx, Wh = cache["Wx"], cache["Wh"]
    N, T, H = dh.shape
    # YOUR CODE HERE
    raise NotImplementedError()


# Try it: N = 2, T = 5, D = 3, H = 4.
h, cache = lstm_forward(rng.standard_normal((2, 5, 3)), np.zeros((2, 4)),
                        rng.standard_normal((3, 16)), rng.standard_normal((4, 16)), np.zeros(16))
grads = lstm_backward(np.ones_like(h), cache)
print([g.shape for g in grads])

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 4, "grade_id": "test_check_lstm_backward"}
graded(check_lstm_backward, lstm_backward)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_10_markdown"}
# Your backward pass also survives the course's gradient checker, on a shape of its own:

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_11_code"}
N, T, D, H = 2, 8, 3, 4
inputs = dict(x=rng.standard_normal((N, T, D)), h0=rng.standard_normal((N, H)),
              Wx=0.5 * rng.standard_normal((D, 4 * H)), Wh=0.5 * rng.standard_normal((H, 4 * H)),
              b=rng.standard_normal(4 * H))
result = check_layer_gradients(lstm_forward, lstm_backward, inputs)
print(result)
assert result.passed(1e-7)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_12_markdown"}
# ## Exercise 3: clipping by global norm
#
# `grads` is a dict name → array. Compute the **global norm** of all gradients together,
# $\|g\| = \sqrt{\sum_{\text{arrays}} \sum_{\text{entries}} g^2}$. If it exceeds `max_norm`,
# scale **every** array by the same factor `max_norm / norm`, in place (`g *= scale`), so
# that the direction of the update is kept. Leave the gradients alone otherwise. Return the
# norm measured **before** clipping (as `torch.nn.utils.clip_grad_norm_` does): it is the
# number to watch for explosions. The course's version is `clip_grad_norm` in
# `course_lib.numpy_core.optim`.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_13_markdown"}
# <details><summary>Hint 1</summary>
#
# one norm for all arrays together, then one scale for all of them
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "clip_by_global_norm"}
def clip_by_global_norm(grads, max_norm):
    """Scale all gradients in place so that their global norm is at most max_norm.

    Inputs:
    - grads: dict name -> array, modified in place
    - max_norm: the largest global norm allowed

    Returns the global norm before clipping (a float).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# Try it: a gradient of norm 13 clipped to 5.
grads = {"W": np.array([[3.0, 4.0]]), "b": np.array([12.0])}
print("norm before:", clip_by_global_norm(grads, 5.0), "after:", grads)

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_clip_by_global_norm"}
graded(check_clip_by_global_norm, clip_by_global_norm)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "debug_markdown_intro"}
# ## Exercise 4: find the planted bug
#
# A colleague's `lstm_step_backward` gives wrong gradients, and its source is too long to
# read line by line. You get it as a **callable only**, not as code: find what is wrong by
# measuring, as one does with a real backward pass. Every student's copy has its bug in a
# different place, chosen by the seed you set below (your student number, or your name as a
# string). It returns the six gradients with the right shapes; exactly one of them is wrong.
#
# 1. Set `STUDENT_SEED` (an int, or your name as a string) in the cell below.
# 2. Measure: write `find_wrong_gradient(backward, inputs)`, which runs the course's gradient
#    checker, `check_layer_gradients(lstm_step_forward, backward, inputs)`, and returns the
#    name of the gradient it flags, as the step returns it (`"dx"`, `"dprev_h"`, `"dprev_c"`,
#    `"dWx"`, `"dWh"` or `"db"`). The name it gives for your `broken_step_backward` is
#    graded, and so is the function itself, on other students' broken backwards: the name
#    must come out of the measurement, not be typed in.
# 3. Repair: write `repaired_step_backward`, which calls `broken_step_backward`, keeps the
#    five right gradients and computes the wrong one itself.
#
# Reading the checker's source to learn which bug you got spoils the exercise: the point is
# the measurement.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "debug_markdown_hints"}
# <details><summary>Hint 1</summary>
#
# `check_layer_gradients(forward, backward, inputs)` takes a dict of the forward's inputs by
# name (`x`, `prev_h`, `prev_c`, `Wx`, `Wh`, `b`, float64) and prints one line per input,
# worst first. A right gradient agrees with the numerical one to about 1e-10; the planted
# bug gives 1e-3 or more.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# What it returns, a `GradCheckResult`, prints as that table; its `.errors` maps each input's
# name to its relative error, and its `.worst` is the (name, error) pair of the largest.
#
# </details>
#
# <details><summary>Hint 3</summary>
#
# The cell below gives you such inputs: random, a batch of three, sizes that differ. Keep it
# that way if you make your own: some bugs hide in a batch of one, or in inputs of zeros.
#
# </details>
#
# <details><summary>Hint 4</summary>
#
# The checker names the *input* (`Wh`); the gradient is `d` + that name (`dWh`). To repair
# it you need what exercise 1 computed: `dc`, and the gates' gradients stacked as `da`.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "debug_seed"}
# Your seed: your student number (an int) or your name (a string).
# YOUR CODE HERE
raise NotImplementedError()
broken_step_backward = planted_bug_backward(STUDENT_SEED)
print(broken_step_backward)

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "debug_inputs"}
# Inputs for the checker: random, float64, a batch of N = 3, sizes that differ.
N, D, H = 3, 4, 5
draw = np.random.default_rng(3).standard_normal
step_inputs = dict(x=draw((N, D)), prev_h=draw((N, H)), prev_c=draw((N, H)),
                   Wx=0.5 * draw((D, 4 * H)), Wh=0.5 * draw((H, 4 * H)), b=draw(4 * H))

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "debug_measure"}
def find_wrong_gradient(backward, inputs):
    """The one wrong gradient of ``backward`` (a step backward), measured on ``inputs`` (a dict
    of the step's float64 inputs by name): "dx", "dprev_h", "dprev_c", "dWx", "dWh" or "db"."""
    # YOUR CODE HERE
    raise NotImplementedError()


wrong_gradient = find_wrong_gradient(broken_step_backward, step_inputs)
print("the wrong gradient:", wrong_gradient)

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_planted_bug_name"}
graded(check_planted_bug_name, wrong_gradient, STUDENT_SEED)

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "repaired_step_backward"}
def repaired_step_backward(dnext_h, dnext_c, cache):
    """lstm_step_backward repaired: broken_step_backward's gradients, the wrong one replaced.

    Inputs and returns as lstm_step_backward: (dx, dprev_h, dprev_c, dWx, dWh, db).
    """
    dx, dprev_h, dprev_c, dWx, dWh, db = broken_step_backward(dnext_h, dnext_c, cache)
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c = cache
    # YOUR CODE HERE
    raise NotImplementedError()
    return dx, dprev_h, dprev_c, dWx, dWh, db


print(check_layer_gradients(lstm_step_forward, repaired_step_backward, step_inputs))

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_repaired_step_backward"}
graded(check_repaired_step_backward, repaired_step_backward, broken_step_backward)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_16_markdown"}
# ## Recap
#
# - One step back: `dc = dnext_c + dnext_h * o * (1 - tanh(c)**2)`, the gates' gradients
#   through their activations, stacked i, f, g, o into `da`, then `dx = da @ Wx.T`,
#   `dWx = x.T @ da`, `dprev_c = dc * f`.
# - Through time: add the next step's `dprev_h` to `dh[:, t]`, carry `dprev_c`, sum the
#   weight gradients, walk from $t = T-1$ down to 0.
# - Clipping: one global norm, one scale for every array, only when the norm is too large.
# - Debugging a backward pass: measure before reading. The gradient checker names the one
#   gradient that is wrong, with random inputs and a batch of more than one; repair that one.
