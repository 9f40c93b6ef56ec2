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
# # Practice 12 · The GRU, forward and backward
#
# In this notebook, we write one step of the gated recurrent unit (GRU) of lecture 12 in NumPy,
# in PyTorch's formulation, and then its backward pass:
#
# 1. `gru_step_forward`, the step;
# 2. `gru_step_backward`, its gradients, which **you derive**: work them out on paper first,
#    the way notebook 03 derived the LSTM's, then write them down and let the checks tell you
#    which gradient is off.
#
# After each exercise a check compares your function with the course's implementation (and,
# for the gradients, with numerical gradients) and prints PASS or what is wrong, with a hint
# when it recognises a classic mistake of the derivation. The course's own GRU
# (`course_lib.numpy_core.variants`) is the reference: handing it in is refused.
#
# Dimension letters: N batch size, D input size, H hidden size.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_01_code"}
import course_lib  # noqa: F401, I001  (first: fast float settings before NumPy starts threads)

import numpy as np

from course_lib.numpy_core import check_layer_gradients
from course_lib.numpy_core import sigmoid  # noqa: F401  (for your gru_step_forward)
from course_lib.checks.report import graded
from course_lib.checks.lstm_variants import check_gru_step_backward, check_gru_step_forward

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_02_markdown"}
# ## Exercise 1: one GRU step
#
# Write the step from what the GRU *does* (lecture 12, section 1), before you look anything up:
#
# - two affine maps, one of the input (`Wx` $(D, 3H)$, `bx` $(3H,)$) and one of the previous
#   state (`Wh` $(H, 3H)$, `bh` $(3H,)$); each result has three blocks of $H$ columns, in
#   PyTorch's order **r, z, n**: reset gate, update gate, candidate;
# - each gate is a sigmoid of the sum of its two blocks;
# - the candidate is a tanh of the input's n block plus the recurrent n block, and the
#   **reset gate scales that recurrent block, its bias included** (this is where PyTorch's GRU
#   differs from Cho et al.'s original);
# - the update gate is the share of the **old** state that the new state keeps; the rest of
#   the new state is the candidate.
#
# Return `(next_h, cache)` with `next_h` $(N, H)$ and the course's cache layout, which exercise 2
# reads:
#
# ```
# cache = (x, prev_h, Wx, Wh, r, z, n, ah_n)   # ah_n: the recurrent n block, before r scales it
# ```

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_03_markdown"}
# <details><summary>Hint 1</summary>
#
# Two products, not one: `ax = x @ Wx + bx` and `ah = prev_h @ Wh + bh`, each $(N, 3H)$;
# slice each into its r, z and n blocks (`a[:, :H]`, `a[:, H:2*H]`, `a[:, 2*H:]`). Only the
# n blocks are treated differently.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# $r = \sigma(a^x_r + a^h_r)$ and $z = \sigma(a^x_z + a^h_z)$. The candidate adds the two n
# blocks after the recurrent one has been multiplied by $r$, elementwise.
#
# </details>
#
# <details><summary>Hint 3</summary>
#
# $z$ weighs `prev_h`, $1 - z$ weighs the candidate $n$.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "gru_step_forward"}
# NBVAL_CHECK_OUTPUT
def gru_step_forward(x, prev_h, Wx, Wh, bx, bh):
    """One GRU step, PyTorch's formulation (gate blocks r, z, n).

    Inputs:
    - x: (N, D) inputs at this step
    - prev_h: (N, H) hidden state from the previous step
    - Wx: (D, 3H), bx: (3H,) the input's weights and bias
    - Wh: (H, 3H), bh: (3H,) the recurrent weights and bias

    Returns (next_h, cache): next_h is (N, H); cache = (x, prev_h, Wx, Wh, r, z, n, ah_n).
    """
    ### BEGIN SOLUTION
    H = prev_h.shape[1]
    ax = x @ Wx + bx  # (N, 3H)
    ah = prev_h @ Wh + bh  # (N, 3H)
    r = sigmoid(ax[:, :H] + ah[:, :H])
    z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    ah_n = ah[:, 2 * H:]
    n = np.tanh(ax[:, 2 * H:] + r * ah_n)
    next_h = (1 - z) * n + z * prev_h
    return next_h, (x, prev_h, Wx, Wh, r, z, n, ah_n)
    ### END SOLUTION


# Try it on a small example: N = 2, D = 3, H = 4.
rng = np.random.default_rng(0)
next_h, cache = gru_step_forward(rng.standard_normal((2, 3)), np.zeros((2, 4)),
                                 rng.standard_normal((3, 12)), rng.standard_normal((4, 12)),
                                 np.zeros(12), np.zeros(12))
print("next_h", next_h.shape, "cache entries", len(cache))

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "test_check_gru_step_forward"}
graded(check_gru_step_forward, gru_step_forward)
### BEGIN HIDDEN TESTS
graded(check_gru_step_forward, gru_step_forward, seed=10, shape=(2, 5, 3))
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_06_markdown"}
# ## Exercise 2: derive the step's backward pass
#
# Given `dnext_h` $(N, H)$, the gradient of the loss with respect to `next_h`, and the cache
# of exercise 1, return the gradients with respect to every input of the step, in the order of
# the forward's arguments: `(dx, dprev_h, dWx, dWh, dbx, dbh)`.
#
# Nothing in the course prints this derivation for you. Derive it as notebook 03 did for the
# LSTM: draw the step as a graph, from the inputs to `next_h`, and walk it backwards, one
# operation at a time, writing each node's gradient from the gradients of the nodes it feeds.
# Two things make the GRU different from the LSTM: the reset gate acts *inside* the candidate,
# on one of its two inputs only; and `prev_h` reaches `next_h` by more than one road.
#
# Work it out on paper first. Then check yourself with the course's gradient checker (the cell
# after your answer prints the relative error of every gradient against centred differences),
# and open the hints below only when you are stuck.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_07_markdown"}
# <details><summary>Hint 1</summary>
#
# Start at the end. `next_h` depends on three arrays of the cache: $n$, $z$ and `prev_h`.
# Write the partial derivative of `next_h` with respect to each of them, elementwise, and
# multiply each by `dnext_h`. Keep the one for `prev_h` aside: it is the first of several
# terms of `dprev_h`.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# The activations: for $s = \sigma(a)$, $ds/da = s(1 - s)$; for $n = \tanh(a)$,
# $dn/da = 1 - n^2$. Both are computed from the cached outputs, no pre-activation needed.
#
# </details>
#
# <details><summary>Hint 3</summary>
#
# Name $s = a^x_n + r \odot a^h_n$ the pre-activation of $n$, and $ds$ its gradient. Three
# arrays receive something from $ds$: $a^x_n$, $a^h_n$ and $r$. Ask of each what it is
# multiplied by in $s$. Only one of the two n blocks gets a factor $r$.
#
# </details>
#
# <details><summary>Hint 4</summary>
#
# Stack the pre-activation gradients in two $(N, 3H)$ arrays, one for each affine map, blocks
# r, z, n; they agree in the r and z blocks and differ in the n block. Every affine map
# `y = u @ W + b` gives `du = dy @ W.T`, `dW = u.T @ dy`, `db = dy.sum(axis=0)`.
#
# </details>
#
# <details><summary>Hint 5</summary>
#
# `dprev_h` collects every road from `prev_h` to `next_h`: the direct one of hint 1, and the
# recurrent map's, through all three of its blocks.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "gru_step_backward"}
# NBVAL_CHECK_OUTPUT
def gru_step_backward(dnext_h, cache):
    """Backward pass of one GRU step.

    Inputs:
    - dnext_h: (N, H) gradient of the loss with respect to next_h
    - cache: (x, prev_h, Wx, Wh, r, z, n, ah_n) from gru_step_forward

    Returns (dx, dprev_h, dWx, dWh, dbx, dbh) with the shapes of x, prev_h, Wx, Wh, bx, bh.
    """
    x, prev_h, Wx, Wh, r, z, n, ah_n = cache
    ### BEGIN SOLUTION
    dn = dnext_h * (1 - z)  # next_h = (1 - z) * n + z * prev_h
    dz = dnext_h * (prev_h - n)
    dn_pre = dn * (1 - n**2)  # n = tanh(ax_n + r * ah_n)
    dr = dn_pre * ah_n
    dr_pre = dr * r * (1 - r)
    dz_pre = dz * z * (1 - z)
    dax = np.concatenate([dr_pre, dz_pre, dn_pre], axis=1)  # (N, 3H)
    dah = np.concatenate([dr_pre, dz_pre, r * dn_pre], axis=1)  # (N, 3H)
    dx = dax @ Wx.T
    dprev_h = dnext_h * z + dah @ Wh.T
    dWx = x.T @ dax
    dWh = prev_h.T @ dah
    dbx = dax.sum(axis=0)
    dbh = dah.sum(axis=0)
    return dx, dprev_h, dWx, dWh, dbx, dbh
    ### END SOLUTION


# Try it: N = 2, D = 3, H = 4, on the cache of exercise 1's example.
grads = gru_step_backward(np.ones((2, 4)), cache)
print([g.shape for g in grads])

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_09_markdown"}
# Check yourself: the course's gradient checker perturbs every entry of every input of **your**
# forward step and compares the change of the loss with **your** gradients. The largest
# relative error tells you which gradient to look at; a correct pair gives less than $10^{-7}$.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_10_code"}
N, D, H = 3, 4, 5
inputs = dict(x=rng.standard_normal((N, D)), prev_h=rng.standard_normal((N, H)),
              Wx=0.5 * rng.standard_normal((D, 3 * H)), Wh=0.5 * rng.standard_normal((H, 3 * H)),
              bx=0.5 * rng.standard_normal(3 * H), bh=0.5 * rng.standard_normal(3 * H))
result = check_layer_gradients(gru_step_forward, gru_step_backward, inputs)
print(result)
assert result.passed(1e-7), f"{result.worst[0]} is off: start looking there"

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 5, "grade_id": "test_check_gru_step_backward"}
graded(check_gru_step_backward, gru_step_backward)
### BEGIN HIDDEN TESTS
graded(check_gru_step_backward, gru_step_backward, seed=12, shape=(2, 5, 3))
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_12_markdown"}
# ## What your gradients say: the update gate as a conveyor belt
#
# Your `dprev_h` has a term that goes straight from `dnext_h` to `prev_h`, scaled by $z$, and
# terms through the recurrent weights. When the update gate is nearly shut to new content
# ($z \approx 1$), the state is copied forward, and the gradient should pass back almost
# unchanged: the GRU's version of the LSTM's cell path. Let us measure it with your functions,
# pushing $z$ towards 1 through the bias of its block.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_13_code"}
dnext_h = rng.standard_normal((N, H))
changes = []
for z_bias in (0.0, 2.0, 4.0, 6.0):
    bx = inputs["bx"].copy()
    bx[H:2 * H] = z_bias  # the z block
    _, step_cache = gru_step_forward(inputs["x"], inputs["prev_h"], inputs["Wx"], inputs["Wh"],
                                     bx, inputs["bh"])
    dprev_h = gru_step_backward(dnext_h, step_cache)[1]
    changes.append(np.linalg.norm(dprev_h - dnext_h) / np.linalg.norm(dnext_h))
    print(f"z bias {z_bias:+.0f}: mean z {step_cache[5].mean():.3f}, "
          f"|dprev_h - dnext_h| / |dnext_h| = {changes[-1]:.3f}")
assert all(a > b for a, b in zip(changes, changes[1:])) and changes[-1] < 0.05

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_14_markdown"}
# The further $z$ is pushed towards 1, the less one step changes the gradient on its way back
# (asserted: the change shrinks at every bias, and is under 5% at bias +6). A GRU that learns to
# hold $z$ near 1 on a unit carries that unit's gradient across many steps, as the LSTM's
# forget gate does for its cell.
#
# ## Recap
#
# - The GRU step: two affine maps, blocks r, z, n; sigmoid gates; the candidate sees the
#   recurrent n block scaled by the reset gate, bias included; the update gate keeps a share
#   $z$ of the old state.
# - Its backward pass, derived by walking the graph: the blend gives three local derivatives;
#   the activations' derivatives come from the cached outputs; the reset gate scales the n
#   block on the recurrent side only, so the two affine maps get different n-block gradients;
#   `prev_h` collects the direct road and the recurrent map's three blocks.
# - When a derivation is wrong, the gradient checker says *which* gradient is off; that is
#   where to look.
