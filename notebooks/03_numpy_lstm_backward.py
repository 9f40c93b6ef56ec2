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
# # 03 · Backpropagation through time, checked three ways
#
# Training needs the gradient of the loss with respect to every weight. For the LSTM we
# derive it by hand, implement it, and then make sure it is right, because a wrong gradient
# does not crash: it just trains badly.
#
# In this notebook, we:
#
# 1. derive the **backward pass of one LSTM step**, equation by equation;
# 2. extend it **through time** (BPTT): two gradients flow back, one through $h$, one through
#    the cell $c$;
# 3. check it against **numerical gradients** (relative error below $10^{-7}$ for every
#    parameter, in float64), for a step, a sequence and a whole model;
# 4. check it against **PyTorch**: the same weights in `torch.nn.LSTM` give the same outputs
#    and gradients to $10^{-10}$;
# 5. see what a **failing** gradient check looks like, on a planted bug;
# 6. **clip** gradients by their global norm.
#
# The practice notebook `exercises/03_lstm_backward` asks you to write `lstm_step_backward`,
# `lstm_backward` and gradient clipping yourself.

# %%
import course_lib  # noqa: I001  (first: fast float settings before NumPy starts threads)

import numpy as np

from course_lib.numpy_core import (
    SequenceClassifier,
    check_layer_gradients,
    check_model_gradients,
    clip_grad_norm,
    global_norm,
    lstm_backward,
    lstm_final_state,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    rel_error,
)

print("run profile:", course_lib.active_profile())

# %% [markdown]
# ## 1. The backward pass of one step
#
# The forward step (notebook 02) computed, from $x$, $h_{t-1}$, $c_{t-1}$:
#
# $$a = x W_x + h_{t-1} W_h + b, \quad i, f, o = \sigma(a_i, a_f, a_o), \quad g = \tanh(a_g),$$
# $$c_t = f \odot c_{t-1} + i \odot g, \qquad h_t = o \odot \tanh(c_t).$$
#
# The backward pass receives the gradients that arrive at the step's outputs: `dnext_h`, the
# part of $\partial L / \partial h_t$ that comes from above and from step $t+1$, and `dnext_c`,
# the part of $\partial L / \partial c_t$ that comes from step $t+1$ only (through
# $c_{t+1} = f_{t+1} \odot c_t + \dots$). The step then adds the path through its own $h_t$, and
# `dc` below is the **total** $\partial L / \partial c_t$. It returns the gradients with respect
# to every input. We
# walk the forward equations in reverse, applying the chain rule to each.
#
# **Through the output.** $h_t = o \odot \tanh(c_t)$ depends on $o$ and on $c_t$:
#
# $$\frac{\partial L}{\partial o} = \texttt{dnext\_h} \odot \tanh(c_t), \qquad
#   \texttt{dc} = \texttt{dnext\_c} + \texttt{dnext\_h} \odot o \odot \left(1 - \tanh^2(c_t)
#   \right).$$
#
# The second term is the classic one to forget: $c_t$ reaches the loss twice, directly
# (through the next step) and through $h_t$, so its two gradients add up.
#
# **Through the cell update.** $c_t = f \odot c_{t-1} + i \odot g$:
#
# $$\frac{\partial L}{\partial f} = \texttt{dc} \odot c_{t-1}, \quad
#   \frac{\partial L}{\partial i} = \texttt{dc} \odot g, \quad
#   \frac{\partial L}{\partial g} = \texttt{dc} \odot i, \quad
#   \texttt{dprev\_c} = \texttt{dc} \odot f.$$
#
# **Through the activations**, with $\sigma' = \sigma(1 - \sigma)$ and
# $\tanh' = 1 - \tanh^2$, expressed with the values kept from the forward pass:
#
# $$\texttt{da}_i = \tfrac{\partial L}{\partial i} \odot i(1-i), \quad
#   \texttt{da}_f = \tfrac{\partial L}{\partial f} \odot f(1-f), \quad
#   \texttt{da}_g = \tfrac{\partial L}{\partial g} \odot (1-g^2), \quad
#   \texttt{da}_o = \tfrac{\partial L}{\partial o} \odot o(1-o).$$
#
# **Through the product.** Stack the four blocks in the order i, f, g, o into `da`, of shape
# $(N, 4H)$. Since $a = x W_x + h_{t-1} W_h + b$:
#
# $$\texttt{dx} = \texttt{da}\, W_x^\top, \quad \texttt{dprev\_h} = \texttt{da}\, W_h^\top,
#   \quad \texttt{dWx} = x^\top \texttt{da}, \quad \texttt{dWh} = h_{t-1}^\top \texttt{da},
#   \quad \texttt{db} = \textstyle\sum_{n} \texttt{da}_{n,:}.$$
#
# Every gradient has the shape of what it is the gradient of: `dWx` is $(D, 4H)$ like `Wx`.
# The course's `lstm_step_backward` (in `course_lib/numpy_core/lstm.py`) is these lines, one for
# one. Try writing it yourself in the practice notebook before you read it there.

# %% [markdown]
# ## 2. Checking a gradient numerically
#
# A derivative is a limit of differences. For any entry $w$ of any input, the **centred
# difference**
#
# $$\frac{\partial L}{\partial w} \approx \frac{L(w + h) - L(w - h)}{2h}, \qquad h = 10^{-5},$$
#
# has an error of order $h^2$. It costs two forward passes per entry, far too slow to train
# with but perfect to test with. We compare the two gradients with the **relative error**
# $\|A - B\| / (\|A\| + \|B\|)$, computed over each whole gradient array. In float64 a
# correct backward pass gives about $10^{-9}$ or less; a bug gives something like $10^{-2}$.
#
# `check_layer_gradients` does this for every input of a forward/backward pair, with a
# random upstream gradient (the loss is $\sum \texttt{next\_h} \odot u + \sum \texttt{next\_c}
# \odot v$ for random $u, v$).

# %%
rng = np.random.default_rng(0)
N, D, H = 3, 4, 5
step_inputs = dict(x=rng.standard_normal((N, D)), prev_h=rng.standard_normal((N, H)),
                   prev_c=rng.standard_normal((N, H)), Wx=0.5 * rng.standard_normal((D, 4 * H)),
                   Wh=0.5 * rng.standard_normal((H, 4 * H)), b=rng.standard_normal(4 * H))
result = check_layer_gradients(lstm_step_forward, lstm_step_backward, step_inputs)
print(result)
assert result.passed(1e-7), result

# %% [markdown]
# ### What a failing check looks like
#
# A check is only worth something if it can fail. Here is a backward pass with the classic bug
# planted: the cell's gradient ignores the path through its own $h_t$ (it uses `dnext_c` alone
# instead of `dnext_c + dnext_h * o * (1 - tanh(c)**2)`). The catalogue of mistakes that the
# practice checkers diagnose provides it (`course_lib.checks.mistakes`).

# %%
from course_lib.checks.mistakes import lstm_step_backward_variant


def buggy_step_backward(dnext_h, dnext_c, cache):
    """lstm_step_backward with one planted bug: no gradient from h_t into c_t."""
    x, prev_h, prev_c, Wx, Wh, b = (step_inputs[k] for k in ("x", "prev_h", "prev_c", "Wx",
                                                             "Wh", "b"))
    grads = lstm_step_backward_variant(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b,
                                       c_from_h=False)
    return tuple(grads[k] for k in ("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"))


bad = check_layer_gradients(lstm_step_forward, buggy_step_backward, step_inputs)
print(bad)
assert not bad.passed(1e-7)
assert min(bad.errors.values()) > 1e-3  # the bug reaches all six gradients

# %% [markdown]
# Every gradient that depends on the cell's gradient is now wrong by a relative error far above
# $10^{-7}$, and the report lists the worst first. Read it as a map: the gradients that are
# still right are those the bug does not reach (here, none of the six escapes, because every
# gate's gradient flows through `dc`), and the size of the error says "bug", not "rounding".

# %% [markdown]
# ## 3. Through time
#
# Over a sequence, the hidden state $h_t$ is used twice: by the loss (if it reads $h_t$)
# and by step $t+1$. So the gradient arriving at $h_t$ is the sum of the two:
#
# $$\texttt{dnext\_h}_t = \frac{\partial L}{\partial h_t}\Big|_{\text{loss}} +
#   \texttt{dprev\_h}_{t+1}, \qquad \texttt{dnext\_c}_t = \texttt{dprev\_c}_{t+1},$$
#
# and the cell's gradient is carried back from step to step on its own. We run the step
# backward for $t = T-1, T-2, \dots, 0$ (backwards in time: this is **backpropagation
# through time**). The weights are the same at every step, so their gradients are **summed
# over time**; `dh0` and `dc0` are the `dprev_h` and `dprev_c` that come out of step 0.
#
# `lstm_backward(dh, cache, dh_T=None, dc_T=None)` does this, with one speed trick: the weight
# gradients $\sum_t x_t^\top \texttt{da}_t$ are computed after the loop as one product over
# all steps at once. It returns `(dx, dh0, dc0, dWx, dWh, db)`. The optional `dh_T` and `dc_T`
# are gradients arriving at the final state from *beyond* the sequence: truncated BPTT
# (notebook 08) cuts a long stream into windows and carries the state $(h_T, c_T)$ into the next
# window, and this is where such a gradient would enter. Let us check all six gradients, with
# gradients sent into $h$ at every step and into $(h_T, c_T)$, on a few shapes, including the
# degenerate ones ($N = 1$, $T = 1$, $H = 1$) where indexing bugs like to hide.

# %%
from course_lib.plots import diagrams

diagrams.backward_paths()

# %% [markdown]
# *Figure: Two ways back in time: along the cell (a factor $f$ per step) and through $h$, $W_h$ and the gates; `lstm_backward` follows both.*

# %%
def forward_with_final_state(x, h0, c0, Wx, Wh, b):
    """lstm_forward, with the final (h_T, c_T) as outputs too, so the check sends gradients in."""
    h, cache = lstm_forward(x, h0, Wx, Wh, b, c0=c0)
    return (h, *lstm_final_state(cache), cache)


def backward_from_final_state(dh, dh_T, dc_T, cache):
    return lstm_backward(dh, cache, dh_T=dh_T, dc_T=dc_T)


for N, T, D, H in [(3, 6, 4, 5), (1, 1, 2, 1), (2, 9, 1, 3)]:
    inputs = dict(x=rng.standard_normal((N, T, D)), h0=rng.standard_normal((N, H)),
                  c0=rng.standard_normal((N, H)), Wx=0.5 * rng.standard_normal((D, 4 * H)),
                  Wh=0.5 * rng.standard_normal((H, 4 * H)), b=rng.standard_normal(4 * H))
    result = check_layer_gradients(forward_with_final_state, backward_from_final_state, inputs)
    name, worst = result.worst
    print(f"N={N} T={T} D={D} H={H}: worst relative error {worst:.1e} (in d{name})")
    assert result.passed(1e-7), result

# %% [markdown]
# ### A whole model
#
# The same check works for a complete model: an LSTM classifier (LSTM, mean over the real
# time steps, linear layer, softmax cross-entropy) on padded sequences of different lengths.
# `check_model_gradients` perturbs every entry of every parameter. This is the test that
# catches mistakes *between* layers, such as padding that leaks into the pooled vector.

# %%
N, T, D, H, C = 4, 6, 3, 5, 3
model = SequenceClassifier(D, H, C, dtype=np.float64, seed=0)
x = rng.standard_normal((N, T, D))
y = rng.integers(0, C, N)
lengths = np.array([6, 4, 2, 5])
mask = np.arange(T)[None, :] < lengths[:, None]  # (N, T), True at real steps
result = check_model_gradients(lambda: model.loss(x, y, mask), model.params)
print(result)
assert result.passed(1e-7), result

# %% [markdown]
# Every parameter agrees with its numerical gradient to better than $10^{-7}$.
#
# ## 4. Against PyTorch
#
# Numerical gradients test our backward pass against our own forward pass. An independent
# oracle tests both: PyTorch's `torch.nn.LSTM`, which uses the same gate order. We load our
# weights into it (`weight_ih_l0 = Wx.T`, `weight_hh_l0 = Wh.T`, `bias_ih_l0 = b`,
# `bias_hh_l0 = 0`), run both in float64 from the same initial state, send the same
# gradient `dh` into both, and compare everything. PyTorch is used here as a referee only;
# the course's NumPy code never imports it.

# %%
import torch  # only for this comparison

N, T, D, H = 3, 7, 4, 5
x = rng.standard_normal((N, T, D))
h0, c0 = rng.standard_normal((N, H)), rng.standard_normal((N, H))
Wx, Wh = 0.5 * rng.standard_normal((D, 4 * H)), 0.5 * rng.standard_normal((H, 4 * H))
b = rng.standard_normal(4 * H)
dh = rng.standard_normal((N, T, H))

h, cache = lstm_forward(x, h0, Wx, Wh, b, c0=c0)
dx, dh0, dc0, dWx, dWh, db = lstm_backward(dh, cache)

lstm = torch.nn.LSTM(D, H, batch_first=True).double()
with torch.no_grad():
    lstm.weight_ih_l0.copy_(torch.from_numpy(Wx.T))
    lstm.weight_hh_l0.copy_(torch.from_numpy(Wh.T))
    lstm.bias_ih_l0.copy_(torch.from_numpy(b))
    lstm.bias_hh_l0.zero_()
x_t = torch.tensor(x, requires_grad=True)
h0_t = torch.tensor(h0[None], requires_grad=True)  # (layers, N, H)
c0_t = torch.tensor(c0[None], requires_grad=True)
out, _ = lstm(x_t, (h0_t, c0_t))
(out * torch.from_numpy(dh)).sum().backward()

pairs = {
    "h": (h, out.detach().numpy()),
    "dx": (dx, x_t.grad.numpy()),
    "dh0": (dh0, h0_t.grad.numpy()[0]),
    "dc0": (dc0, c0_t.grad.numpy()[0]),
    "dWx": (dWx, lstm.weight_ih_l0.grad.numpy().T),
    "dWh": (dWh, lstm.weight_hh_l0.grad.numpy().T),
    "db": (db, lstm.bias_ih_l0.grad.numpy()),
}
for name, (ours, theirs) in pairs.items():
    print(f"{name:4s} relative error {rel_error(ours, theirs):.1e}")
assert all(rel_error(ours, theirs) < 1e-10 for ours, theirs in pairs.values())

# %% [markdown]
# Outputs and all gradients agree to about $10^{-16}$, the precision of float64. Our LSTM
# *is* PyTorch's LSTM, and the weight mapping above is exact.
#
# ## 5. Clipping gradients by their global norm
#
# Notebook 01 showed gradients that explode exponentially. One unlucky batch can then produce
# a gradient so large that a single step throws the weights far away. The standard guard
# (Pascanu et al. 2013; Zaremba et al. 2014 clip at 5) measures the **global norm** of all
# gradients together,
#
# $$\|g\| = \sqrt{\textstyle\sum_{\text{arrays}} \sum_{\text{entries}} g^2},$$
#
# and, when it exceeds a threshold, scales **every** gradient by the same factor
# $\text{max\_norm} / \|g\|$. The direction of the update is unchanged; only its length is
# capped. `clip_grad_norm(grads, max_norm)` does it in place and returns the norm before
# clipping, like `torch.nn.utils.clip_grad_norm_`.
#
# To see it at work, make the classifier's gradient large by scaling its output layer:

# %%
model = SequenceClassifier(D, H, C, dtype=np.float64, seed=1)
model.params["out.W"] *= 50
x = rng.standard_normal((N, T, D))
y = rng.integers(0, C, N)
_, grads = model.loss(x, y)
before = {name: g.copy() for name, g in grads.items()}
norm = clip_grad_norm(grads, max_norm=5.0)
print(f"global norm before: {norm:.1f}, after: {global_norm(grads):.4f}")

# %%
flat_before = np.concatenate([g.ravel() for g in before.values()])
flat_after = np.concatenate([g.ravel() for g in grads.values()])
cosine = flat_before @ flat_after / (np.linalg.norm(flat_before) * np.linalg.norm(flat_after))
print(f"cosine between the gradient before and after clipping: {cosine:.6f}")
assert abs(global_norm(grads) - 5.0) < 1e-4 and cosine > 1 - 1e-12

# %% [markdown]
# PyTorch's clipping, given the same gradients, agrees:

# %%
tensors = [torch.tensor(g, requires_grad=True) for g in before.values()]
for t, g in zip(tensors, before.values()):
    t.grad = torch.from_numpy(g.copy())
torch_norm = torch.nn.utils.clip_grad_norm_(tensors, max_norm=5.0)
torch_after = np.concatenate([t.grad.numpy().ravel() for t in tensors])
print(f"torch norm {float(torch_norm):.4f}; relative difference of the clipped gradients "
      f"{rel_error(torch_after, flat_after):.1e}")
assert rel_error(torch_after, flat_after) < 1e-6

# %% [markdown]
# ## Recap
#
# - The backward pass of a step walks the forward equations in reverse. The cell gets its
#   gradient from two paths: `dc = dnext_c + dnext_h * o * (1 - tanh(c)**2)`; the forget gate
#   scales what goes further back: `dprev_c = dc * f`.
# - Through time, the gradient reaching $h_t$ is the loss's plus the next step's `dprev_h`;
#   weight gradients are summed over all steps.
# - Numerical gradients (centred differences, float64) agree with the analytic ones to
#   better than $10^{-7}$ for every parameter of a step, a sequence and a whole model, and
#   `torch.nn.LSTM` with the same weights agrees to $10^{-10}$.
# - A planted bug fails the same check by orders of magnitude: a gradient check is a test that
#   can fail, and its report points at the gradients the bug reaches.
# - Clipping by global norm caps the length of an update without changing its direction.
#
# Next: notebook 04 meets the data sets. Practice: `exercises/03_lstm_backward`.
