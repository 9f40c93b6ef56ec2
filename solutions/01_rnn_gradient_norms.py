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
# # Practice 01 · Gradient norms in a vanilla RNN
#
# Notebook 01 measured how the gradient of a vanilla RNN shrinks or explodes with the time
# lag, using the course's backward pass. Here you write the mechanism yourself: the backward
# recurrence through the hidden states, one Jacobian per step.
#
# In this notebook, we:
#
# 1. write `rnn_gradient_norms`, which follows the gradient of the loss back from the last
#    hidden state, step by step, and records its norm;
# 2. check it (the cell after the exercise prints PASS or tells you what is wrong);
# 3. use it to see how the spectral radius of $W_h$ decides between vanishing and exploding,
#    and compare the measured rate with the bound from notebook 01.
#
# Fill in the cell marked `YOUR CODE HERE`, run it, then run the check below it.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_01_code"}
import course_lib  # noqa: F401, I001  (first: fast float settings before NumPy starts threads)

import numpy as np

from course_lib import pick
from course_lib.numpy_core import rnn_forward
from course_lib.checks.report import graded
from course_lib.checks.rnn_gradient_norms import check_rnn_gradient_norms
from course_lib.numpy_core.init import orthogonal
from course_lib.plots.lstm import plot_gradient_norms

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_02_markdown"}
# ## The backward recurrence
#
# The RNN computes $h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$ for $t = 0, \dots, T-1$; the
# course's `rnn_forward` returns all hidden states as `h`, of shape $(N, T, H)$, with
# `h[:, t]` $= h_t$.
#
# Suppose the loss reads only the last state, and its gradient there is `dh_last`
# $= \partial L / \partial h_{T-1}$, of shape $(N, H)$. Going back one step, from $h_t$ to
# $h_{t-1}$, passes through the $\tanh$ (derivative $1 - h_t^2$, since $h_t$ *is* the tanh)
# and through the product with $W_h$ (in row-vector form: multiply by $W_h^\top$ on the
# right):
#
# $$\frac{\partial L}{\partial h_{t-1}} = \left(\frac{\partial L}{\partial h_t} \odot
#   (1 - h_t^2)\right) W_h^\top .$$
#
# **Exercise.** Write `rnn_gradient_norms(h, Wh, dh_last)` returning an array `norms` of
# shape $(T,)$ with `norms[k]` $= \|\partial L / \partial h_{T-1-k}\|$, the gradient's norm
# at **time lag** $k$: `norms[0]` is the norm of `dh_last` itself. Use one norm over the
# whole $(N, H)$ array (`np.linalg.norm(grad)`).

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_03_markdown"}
# <details><summary>Hint 1</summary>
#
# start with grad = dh_last (lag 0); one step back, from h_t to h_(t-1), is grad = (grad * (1 -
# h[:, t] ** 2)) @ Wh.T
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "rnn_gradient_norms"}
def rnn_gradient_norms(h, Wh, dh_last):
    """Norm of the loss gradient at every hidden state, going back from the last one.

    Inputs:
    - h: (N, T, H) hidden states from rnn_forward
    - Wh: (H, H) recurrent weights
    - dh_last: (N, H) gradient of the loss with respect to the last hidden state

    Returns norms: (T,), norms[k] = ||dL/dh_(T-1-k)|| for the time lag k = 0, ..., T-1.
    """
    T = h.shape[1]
    norms = np.zeros(T)
    ### BEGIN SOLUTION
    grad = dh_last
    norms[0] = np.linalg.norm(grad)
    for k in range(1, T):
        t = T - k  # from h_t back to h_(t-1) = h_(T-1-k)
        grad = (grad * (1 - h[:, t] ** 2)) @ Wh.T
        norms[k] = np.linalg.norm(grad)
    ### END SOLUTION
    return norms


# Try it on a small example.
rng = np.random.default_rng(0)
N, T, D, H = 2, 6, 3, 4
h, _ = rnn_forward(rng.standard_normal((N, T, D)), np.zeros((N, H)),
                   rng.standard_normal((D, H)), rng.standard_normal((H, H)), np.zeros(H))
norms = rnn_gradient_norms(h, rng.standard_normal((H, H)), rng.standard_normal((N, H)))
print("norms:", norms.shape, np.round(norms, 3))

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 1, "grade_id": "test_rnn_gradient_norms_shape"}
# First the shapes (one point), then the values (the next cell).
graded(check_rnn_gradient_norms, rnn_gradient_norms, shapes_only=True)
### BEGIN HIDDEN TESTS
graded(check_rnn_gradient_norms, rnn_gradient_norms, shapes_only=True, seed=17,
       dims=(2, 9, 3, 5))  # N, T, D, H
### END HIDDEN TESTS

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_rnn_gradient_norms"}
graded(check_rnn_gradient_norms, rnn_gradient_norms)
### BEGIN HIDDEN TESTS
graded(check_rnn_gradient_norms, rnn_gradient_norms, seed=18, dims=(4, 11, 2, 6))  # N, T, D, H
graded(check_rnn_gradient_norms, rnn_gradient_norms, seed=19, dims=(1, 2, 5, 3))
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_06_markdown"}
# ## Vanishing or exploding: the spectral radius decides
#
# Now use your function. We build recurrent matrices $W_h = \rho\, Q$ from one orthogonal
# matrix $Q$, so that every singular value of $W_h$ equals $\rho$, run the RNN on random
# inputs, and follow the gradient back from the last step.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_07_code"}
N, D, H = 16, 8, 32
T = pick(smoke=30, laptop=100, full=100)
x = rng.standard_normal((N, T, D))
Wx = 0.3 * rng.standard_normal((D, H)) / np.sqrt(D)
Q = orthogonal(H, np.random.default_rng(1))
dh_last = rng.standard_normal((N, H))

curves, states = {}, {}
for rho in (0.5, 1.0, 2.0, 4.0):
    Wh = rho * Q
    states[rho], _ = rnn_forward(x, np.zeros((N, H)), Wx, Wh, np.zeros(H))
    curves[f"rho = {rho}"] = rnn_gradient_norms(states[rho], Wh, dh_last)
fig = plot_gradient_norms(np.arange(T), curves, title="Gradient norm at the hidden state k "
                          "steps back (your rnn_gradient_norms)")

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_08_markdown"}
# Notebook 01 bounded the growth by $\sigma_{\max}(W_h) = \rho$ per step. The $\tanh$ makes
# the real rate smaller: each step also multiplies by $1 - h_t^2 \le 1$. Let us compare the
# average rate per step with $\rho$, and look at the average of $1 - h_t^2$.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_09_code"}
print(f"{'rho':>4s} {'measured rate per step':>23s} {'mean of 1 - h^2':>16s}")
for label, norms in curves.items():
    rho = float(label.split("= ")[1])
    rate = (norms[-1] / norms[0]) ** (1 / (T - 1))
    print(f"{rho:4.1f} {rate:23.3f} {np.mean(1 - states[rho] ** 2):16.3f}")
    assert rate <= rho + 1e-9, "the measured rate never exceeds the bound rho"

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_10_markdown"}
# The measured rate stays below $\rho$, as the bound says. With $\rho = 0.5$ the gradient
# loses at least half of its norm at every step, so after 50 steps it is more than
# $10^{15}$ times smaller: the first inputs of the sequence receive no learning signal at
# all. A larger $\rho$ makes the gradient explode, but it also drives the hidden state into
# the flat parts of the $\tanh$ ($|h_t| \to 1$, so $1 - h_t^2 \to 0$: see the last column),
# which holds the rate back well below $\rho$. Between vanishing and exploding there is no
# setting that carries the gradient unchanged over a long lag: that is what the LSTM's cell
# is for (notebook 01, section 3).
#
# ## Recap
#
# - One step back through a tanh RNN multiplies the gradient by $\operatorname{diag}(1 - h_t^2)$
#   and by $W_h^\top$.
# - Over $k$ steps the norm changes roughly geometrically: it vanishes when $\rho < 1$ and
#   can explode when $\rho > 1$; the tanh's derivative only ever shrinks it.
