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
#    and compare the measured rate with the bound from notebook 01;
# 4. predict, then measure, what the strength of the inputs does to a gradient that the
#    spectral radius lets grow.
#
# Fill in each cell marked `YOUR CODE HERE`, run it, then run the check below it.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_01_code"}
import course_lib  # noqa: F401, I001  (first: fast float settings before NumPy starts threads)

import numpy as np

from course_lib import pick
from course_lib.numpy_core import rnn_forward
from course_lib.checks.report import graded
from course_lib.checks.rnn_gradient_norms import (
    SATURATION_SCALES,
    check_measure_saturation,
    check_rnn_gradient_norms,
    check_saturation_conclusion,
)
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

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "saturation_markdown_intro"}
# ## Exercise 2: does a spectral radius above 1 make the gradient explode? Predict, then measure
#
# With $\rho = 2$ your gradient grew on its way back. Keep that recurrent matrix,
# $W_h = 2Q$, and change one thing only: the strength of the inputs. The input weights become
# $s\,W_x$ for each scale $s$ of `SATURATION_SCALES` (printed below; $s = 1$ is the run you
# just measured). Everything else stays: the same inputs `x`, $h_0 = 0$, $b = 0$, the same
# `dh_last`.
#
# **Before you run anything**, predict for every scale: is the gradient's norm at the first
# state (lag $T - 1$) larger than at the last one (lag 0), as at $s = 1$, or smaller? Write
# your predictions in `predicted_grows`, a dict scale -> `True` (it grows) or `False` (it
# shrinks). They are not graded: the comparison with your measurement is the point.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "saturation_prediction"}
print("scales s:", SATURATION_SCALES)
# predicted_grows: scale -> True (the norm grows over the T - 1 steps back) or False
### BEGIN SOLUTION
predicted_grows = {s: True for s in SATURATION_SCALES}  # rho = 2 > 1 at every scale
### END SOLUTION

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "saturation_markdown_measure"}
# Now measure. Write `measure_saturation(x, Wx, Wh, dh_last, scales)`: for every scale $s$,
# run the RNN with input weights $s\,W_x$ (and $W_h$, $h_0 = 0$, $b = 0$), follow the
# gradient back from `dh_last` with **your** `rnn_gradient_norms`, and record
#
# - `rates[s]`: the rate per step, the factor that applied at each of the $T - 1$ steps
#   back turns `norms[0]` into `norms[T - 1]`;
# - `mean_derivative[s]`: the mean of $1 - h_t^2$ over every hidden state of that run (all
#   sequences, steps and units).
#
# Return the two dicts `(rates, mean_derivative)`, each scale -> float. Do not change the
# arrays you are given.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "saturation_markdown_hints"}
# <details><summary>Hint 1</summary>
#
# The cell that plotted the four values of $\rho$ above does the same with $W_h$: one
# `rnn_forward` per value, then your `rnn_gradient_norms` on its states.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# If the norm is multiplied by $r$ at each of $T - 1$ steps, `norms[T - 1] = r ** (T - 1) *
# norms[0]`. Solve for $r$. The cell that printed the table above computed the same rate.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "measure_saturation"}
def measure_saturation(x, Wx, Wh, dh_last, scales):
    """Rate per step of the gradient's norm, and mean tanh derivative, at each input scale.

    Inputs:
    - x: (N, T, D) inputs; Wx: (D, H) input weights, scaled by each s; Wh: (H, H)
    - dh_last: (N, H) gradient of the loss with respect to the last hidden state
    - scales: the input scales s

    Returns (rates, mean_derivative): two dicts s -> float.
    """
    rates, mean_derivative = {}, {}
    ### BEGIN SOLUTION
    N, T, _ = x.shape
    H = Wh.shape[0]
    for s in scales:
        h, _ = rnn_forward(x, np.zeros((N, H)), s * Wx, Wh, np.zeros(H))
        norms = rnn_gradient_norms(h, Wh, dh_last)
        rates[s] = float((norms[-1] / norms[0]) ** (1 / (T - 1)))
        mean_derivative[s] = float(np.mean(1 - h**2))
    ### END SOLUTION
    return rates, mean_derivative


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_measure_saturation"}
graded(check_measure_saturation, measure_saturation)
### BEGIN HIDDEN TESTS
graded(check_measure_saturation, measure_saturation, seed=20, dims=(3, 17, 5, 6), rho=1.5)
graded(check_measure_saturation, measure_saturation, seed=21, dims=(2, 4, 2, 9), rho=0.8,
       scales=(0.5, 2.0))
### END HIDDEN TESTS

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "saturation_measure_code"}
rho_fixed = 2.0
rates, mean_derivative = measure_saturation(x, Wx, rho_fixed * Q, dh_last, SATURATION_SCALES)
print(f"rho = {rho_fixed}, T = {T}")
print(f"{'input scale s':>13s} {'rate per step':>14s} {'mean of 1 - h^2':>16s} {'you predicted':>14s}")
for s in SATURATION_SCALES:
    guess = {True: "grows", False: "shrinks"}.get(predicted_grows.get(s), "-")
    print(f"{s:13g} {rates[s]:14.3f} {mean_derivative[s]:16.3f} {guess:>14s}")

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "saturation_markdown_conclusion"}
# Conclude from your measurement, not from your prediction: set `grows`, a dict scale ->
# `True` when the gradient's norm grows over the $T - 1$ steps back at that scale, `False`
# when it shrinks. The check compares it with the measured truth and tells you how your
# prediction fared.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "saturation_conclusion"}
# grows: scale -> True or False, read from your measurement
### BEGIN SOLUTION
grows = {s: rates[s] > 1 for s in SATURATION_SCALES}
### END SOLUTION
print("grows:", grows)

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 1, "grade_id": "test_check_saturation_conclusion"}
graded(check_saturation_conclusion, grows, x, Wx, rho_fixed * Q, dh_last,
       predicted=predicted_grows)
### BEGIN HIDDEN TESTS
assert all(bool(grows[s]) == (rates[s] > 1) for s in SATURATION_SCALES), "grows must say what rates measured"
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "saturation_markdown_discussion"}
# The spectral radius bounds the rate; it is not the rate. Each step back multiplies by
# $\operatorname{diag}(1 - h_t^2)$ as well as by $W_h^\top$, and the first factor depends on
# the inputs: strong inputs push the pre-activations far from 0, where the tanh is flat, and
# the same recurrent matrix that made the gradient explode now lets it vanish. The columns of
# the table fall together as $s$ grows: the mean derivative, and with it the rate.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "saturation_claims"}
scales = list(SATURATION_SCALES)
assert rates[1.0] > 1 and rates[scales[-1]] < 1  # s = 1 grows, the strongest inputs vanish
assert all(rates[a] > rates[b] for a, b in zip(scales, scales[1:]))  # the rate falls with s
assert all(mean_derivative[a] > mean_derivative[b] for a, b in zip(scales, scales[1:]))
assert all(rates[s] <= rho_fixed for s in scales)  # below the bound at every scale

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_recap"}
# ## Recap
#
# - One step back through a tanh RNN multiplies the gradient by $\operatorname{diag}(1 - h_t^2)$
#   and by $W_h^\top$.
# - Over $k$ steps the norm changes roughly geometrically: it vanishes when $\rho < 1$ and
#   can explode when $\rho > 1$; the tanh's derivative only ever shrinks it.
# - A spectral radius above 1 only allows growth: strong inputs saturate the tanh, and the
#   same $W_h$ then lets the gradient vanish. Measure before you trust a bound.
