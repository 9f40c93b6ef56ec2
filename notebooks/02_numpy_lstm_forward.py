# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · The LSTM forward pass in NumPy
#
# Notebook 01 derived the LSTM's equations. Here we turn them into array code.
#
# In this notebook, we:
#
# 1. compute **one LSTM step** line by line and follow the shape of every array;
# 2. see why the four gates come out of **one matrix product**, and how the gate order
#    i, f, g, o maps the weights onto PyTorch's `torch.nn.LSTM`;
# 3. run the step over a **whole sequence**, and check the course's fast `lstm_forward`
#    against a plain loop; carry the state from one batch to the next;
# 4. **look inside a trained LSTM**: its gates while it solves the adding problem.
#
# The practice notebook `exercises/02_lstm_forward` asks you to write `lstm_step_forward`
# and `lstm_forward` yourself.

# %%
import course_lib  # noqa: I001  (first: fast float settings before NumPy starts threads)

import numpy as np

from course_lib import pick
from course_lib.numpy_core import lstm_final_state, lstm_forward, lstm_step_forward, sigmoid
from course_lib.numpy_core.toy_tasks import AddingRegressor, adding_problem, train_adding
from course_lib.plots.lstm import plot_gates, plot_histories, record_gates

print("run profile:", course_lib.active_profile())

# %% [markdown]
# ## 1. One step, shape by shape
#
# We use four dimension letters throughout the course: **N** sequences in a batch, **T** time
# steps, **D** input features, **H** hidden units. Different sizes for each make mistakes
# visible: an array of the wrong shape cannot hide.

# %%
from course_lib.numpy_core import lstm_step_forward
from course_lib.plots import diagrams

demo = np.random.default_rng(7)
_, _, demo_cache = lstm_step_forward(demo.standard_normal((1, 3)), demo.standard_normal((1, 4)),
                                     demo.standard_normal((1, 4)),
                                     0.5 * demo.standard_normal((3, 16)),
                                     0.5 * demo.standard_normal((4, 16)), np.zeros(16))
diagrams.lstm_cell(cache=demo_cache, unit=0)

# %% [markdown]
# *Figure: One LSTM step as a picture, every arrow labelled with the value `lstm_step_forward` computed for unit 0 of a random step (D = 3, H = 4).*

# %%
# NBVAL_CHECK_OUTPUT
N, D, H = 2, 3, 5
rng = np.random.default_rng(0)
x = rng.standard_normal((N, D))  # the inputs at this step
prev_h = rng.standard_normal((N, H))  # hidden state from the previous step
prev_c = rng.standard_normal((N, H))  # cell state from the previous step
Wx = 0.5 * rng.standard_normal((D, 4 * H))  # input weights of all four gates
Wh = 0.5 * rng.standard_normal((H, 4 * H))  # recurrent weights of all four gates
b = np.zeros(4 * H)
for name, value in [("x", x), ("prev_h", prev_h), ("prev_c", prev_c), ("Wx", Wx), ("Wh", Wh),
                    ("b", b)]:
    print(f"{name:7s}{str(value.shape):9s}")

# %% [markdown]
# ### All four gates in one product
#
# Each gate has its own weights, $W_x^{i}, W_x^{f}, W_x^{g}, W_x^{o}$, each $(D, H)$. Instead of
# four small products we place them side by side in one $(D, 4H)$ matrix, and likewise for
# $W_h$ and $b$. One product then gives the **pre-activations** of all four gates at once:
#
# $$a = x W_x + h_{t-1} W_h + b, \qquad a \in \mathbb{R}^{N \times 4H}.$$
#
# One big product is much faster than four small ones (fewer calls, better use of the CPU's
# vector units), and it is how every library stores LSTM weights.

# %%
# NBVAL_CHECK_OUTPUT
a = x @ Wx + prev_h @ Wh + b
print("a:", a.shape, "= (N, 4H)")

# %% [markdown]
# The four blocks of $H$ columns are the gates, **in the order i, f, g, o**: input gate,
# forget gate, candidate, output gate. It is PyTorch's order, so our weights map one to one
# onto `torch.nn.LSTM` (notebook 03 uses this to check our gradients against PyTorch):
#
# | NumPy (this course) | `torch.nn.LSTM` |
# |---|---|
# | `Wx`, shape (D, 4H) | `weight_ih_l0.T` |
# | `Wh`, shape (H, 4H) | `weight_hh_l0.T` |
# | `b`, shape (4H,) | `bias_ih_l0 + bias_hh_l0` |
#
# Other code uses other orders (CS231n's assignment uses i, f, o, g; TensorFlow 1 used
# i, g, f, o): when you load weights from elsewhere, the order is the first thing to check.

# %%
# NBVAL_CHECK_OUTPUT
i = sigmoid(a[:, 0 * H:1 * H])  # input gate, in (0, 1)
f = sigmoid(a[:, 1 * H:2 * H])  # forget gate, in (0, 1)
g = np.tanh(a[:, 2 * H:3 * H])  # candidate, in (-1, 1)
o = sigmoid(a[:, 3 * H:4 * H])  # output gate, in (0, 1)
print("i, f, g, o:", i.shape, f.shape, g.shape, o.shape, "each (N, H)")

# %% [markdown]
# `sigmoid` is the course's logistic function; it computes $\sigma(z) = \tfrac12 +
# \tfrac12\tanh(z/2)$, which equals $1/(1+e^{-z})$ but never overflows for large $|z|$.
#
# Then the two state updates, entry by entry:
#
# $$c_t = f \odot c_{t-1} + i \odot g, \qquad h_t = o \odot \tanh(c_t).$$

# %%
# NBVAL_CHECK_OUTPUT
next_c = f * prev_c + i * g
next_h = o * np.tanh(next_c)
print("next_c:", next_c.shape, " next_h:", next_h.shape, "(N, H)")

# %% [markdown]
# That is the whole step. The course's `lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)` does
# exactly this, and also returns a `cache`: the values the backward pass will need
# (notebook 03). Let us check that we agree with it.

# %%
# NBVAL_CHECK_OUTPUT
ref_h, ref_c, cache = lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
assert np.allclose(next_h, ref_h) and np.allclose(next_c, ref_c)
print("our step equals lstm_step_forward; the cache holds", len(cache), "arrays")

# %% [markdown]
# A quick sanity check of the ranges: the gates stay in $(0, 1)$, the hidden state in
# $(-1, 1)$ (a gate times a tanh), while the cell state is unbounded: it is the memory, and
# it can add up over many steps.

# %%
print(f"gates in [{min(i.min(), f.min(), o.min()):.2f}, {max(i.max(), f.max(), o.max()):.2f}], "
      f"h in [{next_h.min():.2f}, {next_h.max():.2f}], c in [{next_c.min():.2f}, "
      f"{next_c.max():.2f}]")
assert np.all(np.abs(next_h) < 1)

# %% [markdown]
# ## 2. A whole sequence
#
# For a sequence $x$ of shape $(N, T, D)$ we apply the same step $T$ times, with the **same
# weights**, feeding each step's $(h, c)$ into the next. The hidden states of all steps form
# the output $h$, of shape $(N, T, H)$. The initial state $h_0$ is given (often zeros); $c_0$
# is zeros unless given.
#
# Written as a plain loop:

# %%
diagrams.unrolled(steps=4)

# %% [markdown]
# *Figure: The LSTM unrolled over four steps: one set of weights, used at every step; the state $(h, c)$ flows from each step to the next.*

# %%
# NBVAL_CHECK_OUTPUT
N, T, D, H = 4, 7, 3, 5
x_seq = rng.standard_normal((N, T, D))
h0 = np.zeros((N, H))
Wx = 0.5 * rng.standard_normal((D, 4 * H))
Wh = 0.5 * rng.standard_normal((H, 4 * H))
b = np.zeros(4 * H)

h_loop = np.zeros((N, T, H))
prev_h, prev_c = h0, np.zeros((N, H))
for t in range(T):
    prev_h, prev_c, _ = lstm_step_forward(x_seq[:, t, :], prev_h, prev_c, Wx, Wh, b)
    h_loop[:, t, :] = prev_h
print("x:", x_seq.shape, "(N, T, D) -> h:", h_loop.shape, "(N, T, H)")

# %% [markdown]
# The course's `lstm_forward(x, h0, Wx, Wh, b, c0=None)` computes the same thing, arranged for
# speed: the input part $x_t W_x$ of **all** $T$ steps is one big product before the loop
# (it does not depend on the recurrence), only $h_{t-1} W_h$ stays inside the loop, and
# arrays are allocated once. Same numbers:

# %%
h_fast, cache = lstm_forward(x_seq, h0, Wx, Wh, b)
print("largest difference:", np.abs(h_fast - h_loop).max())
assert np.allclose(h_fast, h_loop)

# %% [markdown]
# ### Carrying the state across batches
#
# A language model reads a long text in consecutive windows and passes the final $(h_T, c_T)$
# of one window to the next; how the gradient is then cut at the window's edge (truncated
# backpropagation through time) comes in notebook 08. Here only the forward half matters:
# `lstm_final_state(cache)` returns the state to pass on. Reading the
# sequence in two halves, with the state carried over, gives exactly the same hidden states
# as reading it in one go:

# %%
diagrams.truncated_bptt(window=5, windows=3)

# %% [markdown]
# *Figure: Truncated BPTT: the state is carried from window to window, but detached, so gradients flow back only inside a window (notebook 08).*

# %%
# NBVAL_CHECK_OUTPUT
half = T // 2
h_first, cache_first = lstm_forward(x_seq[:, :half], h0, Wx, Wh, b)
h_T, c_T = lstm_final_state(cache_first)
h_second, _ = lstm_forward(x_seq[:, half:], h_T, Wx, Wh, b, c0=c_T)
assert np.allclose(np.concatenate([h_first, h_second], axis=1), h_fast)
print(f"first {half} steps, then {T - half} steps with the carried state: identical to all "
      f"{T} at once")

# %% [markdown]
# ## 3. Inside a trained LSTM
#
# Random weights show shapes, not behaviour. Let us train a small LSTM on the adding problem
# of notebook 01 (add the two marked values of a sequence) and watch its gates at work. The
# model and its training loop come from `course_lib.numpy_core.toy_tasks`; training uses the
# backward pass of notebook 03.

# %%
T = pick(smoke=10, laptop=50, full=50)
hidden = 16
steps = pick(smoke=200, laptop=800, full=800)
model = AddingRegressor("lstm", hidden, seed=0)
history = train_adding(model, T, steps, lr=1e-2, seed=1)
fig = plot_histories({"LSTM": history}, baseline=1 / 6,
                     title=f"Adding problem, T = {T}: the LSTM we are about to open")

# %% [markdown]
# Now run it step by step on fresh sequences and record every gate and state with
# `record_gates` (it calls `lstm_step_forward` at each step and keeps $i, f, g, o, c, h$, each
# of shape $(N, T, H)$).

# %%
x_test, y_test = adding_problem(256, T, np.random.default_rng(5))
p = model.params
trace = record_gates(x_test.astype(p["cell.Wx"].dtype), p["cell.Wx"], p["cell.Wh"], p["cell.b"])
print({name: value.shape for name, value in trace.items()})

# %% [markdown]
# Which units react to the markers? For each hidden unit, compare its input gate at the
# marked steps with its input gate elsewhere, and keep the three units with the largest
# difference.

# %%
marked = x_test[:, :, 1] == 1  # (N, T)
i_gate = trace["i"]  # (N, T, H)
contrast = i_gate[marked].mean(axis=0) - i_gate[~marked].mean(axis=0)  # (H,)
units = np.argsort(contrast)[::-1][:3]
for u in units:
    print(f"unit {u:2d}: input gate {i_gate[marked][:, u].mean():.2f} at the markers, "
          f"{i_gate[~marked][:, u].mean():.2f} elsewhere")

# %%
fig = plot_gates(trace, x_test, units, sample=0,
                 title="A trained LSTM on one sequence of the adding problem")

# %% [markdown]
# Read the plot from the top. The input gates of these units **open at the two marked
# steps** and are much lower in between: the model has learnt *when* to write. At the same
# steps the forget gates dip, so the cell partly replaces what it held by the new value. The
# first unit is the clearest: between the markers its input gate is almost shut and its
# forget gate close to 1, so its cell state holds a step, a stored value. No one told the
# network about markers: it found this use of its gates by gradient descent, through the
# backward pass that we derive in notebook 03.

# %%
assert contrast[units[0]] > 0.2, "the most marker-driven unit should open its input gate there"
print(f"validation MSE {history['val_mse'][-1]:.4f} (baseline 0.1667)")

# %% [markdown]
# ## Recap
#
# - One LSTM step is one matrix product $a = x W_x + h_{t-1} W_h + b$ of shape $(N, 4H)$,
#   four activations on its blocks (sigmoid for i, f, o; tanh for g), then
#   $c_t = f \odot c_{t-1} + i \odot g$ and $h_t = o \odot \tanh(c_t)$.
# - Shapes: x $(N, D)$, h and c $(N, H)$, `Wx` $(D, 4H)$, `Wh` $(H, 4H)$, `b` $(4H,)$, gate
#   blocks in the order **i, f, g, o**, so `Wx = weight_ih_l0.T` in PyTorch.
# - A sequence applies the same step $T$ times; `lstm_forward` does the input products of
#   all steps at once and returns $h$ of shape $(N, T, H)$; `lstm_final_state` gives the
#   state to carry into the next batch.
# - A trained LSTM uses its gates as notebook 01 predicted: its input gates open where the
#   input matters.
#
# Next: notebook 03, the backward pass. Practice: `exercises/02_lstm_forward`.
