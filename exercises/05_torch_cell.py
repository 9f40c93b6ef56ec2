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
# > **Exercise notebook.** Generated from `solutions/05_torch_cell.py` by `lstm-course exercises build`: do not edit it by hand.
# > Fill in every cell that raises `NotImplementedError`, then run the check below it.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_00_markdown"}
# # 05 · Practice: the LSTM cell in PyTorch, and one training step
#
# Notebook 05 moved the NumPy LSTM to PyTorch: the same equations on tensors, with autograd
# writing the backward pass. Two pieces are worth writing yourself once.
#
# In this notebook, we:
#
# 1. write the LSTM step on torch tensors and check it against the course's reference (values
#    *and* gradients);
# 2. unroll it over a sequence and compare it with `torch.nn.LSTM`;
# 3. write one training step (zero the gradients, loss, backward, clip, update) and check it;
# 4. train a small classifier on MNIST rows with that step;
# 5. find the bug planted in a colleague's training step by measuring it, and write the
#    measurements down as a function that finds any of its kind.
#
# Each exercise cell is followed by a check that runs your function on fixed inputs, compares
# it with the course's reference and says what is wrong.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_01_code"}
import matplotlib.pyplot as plt
import torch
from torch import nn

from course_lib import pick
from course_lib.checks.report import graded
from course_lib.checks.torch_cell import (
    check_find_bug,
    check_planted_step_bug,
    check_torch_lstm_step,
    check_train_step,
    debug_problem,
    planted_bug_step,
)

torch.manual_seed(0)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_02_markdown"}
# ## 1. The LSTM step on tensors
#
# The parameters keep the NumPy core's layout: `Wx` (D, 4H), `Wh` (H, 4H), `b` (4H,), with the
# four gate blocks in the order **i, f, g, o**. The equations are the ones you wrote in NumPy:
#
# $$a = x W_x + h_{t-1} W_h + b,\qquad i, f, o = \sigma(a_i), \sigma(a_f), \sigma(a_o),\qquad
# g = \tanh(a_g)$$
# $$c_t = f \odot c_{t-1} + i \odot g,\qquad h_t = o \odot \tanh(c_t)$$
#
# Use torch operations only (`@`, `torch.sigmoid`, `torch.tanh`, `tensor.chunk`): then autograd
# can differentiate your step, and there is no backward pass to write.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_03_markdown"}
# <details><summary>Hint 1</summary>
#
# gates = x @ Wx + prev_h @ Wh + b is (N, 4H); gates.chunk(4, dim=1) splits it
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "lstm_step_torch"}
def lstm_step_torch(x, prev_h, prev_c, Wx, Wh, b):
    """One LSTM step on tensors: x (N, D); prev_h, prev_c (N, H); Wx (D, 4H); Wh (H, 4H); b (4H,).

    Returns (next_h, next_c), each (N, H).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 1, "grade_id": "test_check_torch_lstm_step"}
graded(check_torch_lstm_step, lstm_step_torch)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_06_markdown"}
# ## 2. Unrolled over a sequence, it is `torch.nn.LSTM`
#
# `nn.LSTM` stores the transposed matrices, `weight_ih_l0` (4H, D) and `weight_hh_l0` (4H, H),
# and two biases that are simply added. So `Wx = weight_ih_l0.T`, `Wh = weight_hh_l0.T` and
# `b = bias_ih_l0 + bias_hh_l0`. Loop your step over the T steps of a batch and compare, in
# float64, with `nn.LSTM` run on the same input.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_07_code"}
N, T, D, H = 4, 7, 3, 5
reference = nn.LSTM(D, H, batch_first=True).double()
Wx = reference.weight_ih_l0.detach().T  # (D, 4H)
Wh = reference.weight_hh_l0.detach().T  # (H, 4H)
b = (reference.bias_ih_l0 + reference.bias_hh_l0).detach()  # (4H,)

x = torch.randn(N, T, D, dtype=torch.float64)
h = c = torch.zeros(N, H, dtype=torch.float64)
outputs = []
for t in range(T):
    h, c = lstm_step_torch(x[:, t], h, c, Wx, Wh, b)
    outputs.append(h)
ours = torch.stack(outputs, dim=1)  # (N, T, H)
theirs, _ = reference(x)
difference = (ours - theirs).abs().max().item()
print(f"largest difference from nn.LSTM: {difference:.1e}")
assert difference < 1e-10

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_08_markdown"}
# ## 3. One training step
#
# Every training loop of the course repeats the same five moves on a batch:
#
# 1. `optimizer.zero_grad()`: PyTorch *adds* new gradients to `.grad`, so clear the old ones;
# 2. the loss of the batch (here the mean cross-entropy of `model(inputs)` against `targets`);
# 3. `loss.backward()`: autograd fills `.grad` of every parameter;
# 4. clip the gradients to a global norm of at most `clip_norm`
#    (`torch.nn.utils.clip_grad_norm_`), the cure for exploding gradients;
# 5. `optimizer.step()`: update the parameters.
#
# Return the loss as a Python float (`loss.item()`), computed before the update.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_09_markdown"}
# <details><summary>Hint 2</summary>
#
# zero_grad, loss, backward, clip_grad_norm_, step; return loss.item()
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "train_step"}
def train_step(model, optimizer, inputs, targets, clip_norm):
    """One update of ``model`` on a batch; returns the batch's loss as a float."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_train_step"}
graded(check_train_step, train_step)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_12_markdown"}
# ## 4. Train with it
#
# MNIST images read row by row: 28 steps of 28 pixels. A slice of the training set keeps this
# to seconds; the course's `SequenceClassifier` supplies the model, your `train_step` the
# learning. The loss should fall steadily.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_13_code"}
from course_lib.data import load_mnist
from course_lib.torch_models import SequenceClassifier

images, labels = load_mnist("train")
n_train = pick(smoke=2048, laptop=10_000)
inputs, targets = torch.from_numpy(images[:n_train]), torch.from_numpy(labels[:n_train])

model = SequenceClassifier(10, input_size=28, hidden_size=pick(smoke=16, laptop=64), pooling="last")
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
losses = []
for _epoch in range(pick(smoke=1, laptop=2)):
    for batch in torch.randperm(n_train).split(64):
        losses.append(train_step(model, optimizer, inputs[batch], targets[batch], clip_norm=5.0))
print(f"{len(losses)} steps: loss {losses[0]:.2f} at the start, {losses[-1]:.2f} at the end")
assert losses[-1] < losses[0]

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_14_code"}
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(losses)
ax.set_title("Training loss of an LSTM on MNIST rows, one point per batch")
ax.set_xlabel("training step (batch of 64 images)")
ax.set_ylabel("cross-entropy (nats)")
plt.show()

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "debug_markdown_intro"}
# ## 5. Debug a training step: find the planted bug
#
# A colleague's training step trains badly, and you get it as a **callable only**, not as
# code. It takes the arguments of your `train_step` and returns a float like yours, but one of
# its moves is wrong: missing, misplaced or changed. Name that move `"zero_grad"`, `"loss"`,
# `"clip"` or `"step"` (its `loss.backward()` is right). Which one is wrong depends on the
# seed you set below: your student number, or your name as a string.
#
# Find it by measuring, as one does when a training run goes wrong: a step leaves traces you
# can observe from outside, in the parameters, in their `.grad`, and in the number it
# returns. Then write your measurements down as a function, `find_bug(step_fn, make_problem)`,
# which names the wrong move of *any* such step, or returns `None` when the step is right. The
# check runs it on a step with each bug, and on a correct one.
#
# `make_problem()` returns a fresh problem at each call, `(model, inputs, targets)`: a small
# float64 classifier without dropout, the same at every call, and a batch of a few sequences.
# You choose the optimizer, its learning rate and `clip_norm` for each measurement.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "debug_markdown_hints"}
# <details><summary>Hint 1</summary>
#
# List what a correct step leaves behind that you can see from outside, one item per move:
# what happens to the parameters, what is in `.grad` after the call, what the returned number
# equals. Each of the four bugs spoils one item of your list.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Some bugs hide. An active clip rescales *any* gradient to the same norm, so a gradient of
# the wrong size looks right behind it; a `.grad` that starts empty looks the same whether or
# not it was cleared. Choose `clip_norm` (huge, or tiny) and the number of calls to suit each
# measurement.
#
# </details>
#
# <details><summary>Hint 3</summary>
#
# `torch.optim.SGD(model.parameters(), lr=0.0)` runs every move and changes no parameter.
# Copy what you want to compare before a call changes it: `p.detach().clone()` for a
# parameter, `p.grad.clone()` for a gradient; the loss before the update can be computed on
# a fresh `make_problem()`.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "debug_seed"}
# Your seed: your student number (an int) or your name (a string).
# YOUR CODE HERE
raise NotImplementedError()
broken_train_step = planted_bug_step(STUDENT_SEED)
print(broken_train_step)

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "debug_problem_code"}
def make_problem():
    """A fresh problem: (model, inputs (N, T, D), targets (N,)), the same at every call."""
    return debug_problem()


demo_model, demo_inputs, demo_targets = make_problem()
print(f"inputs {tuple(demo_inputs.shape)}, targets {demo_targets.tolist()}, "
      f"{sum(p.numel() for p in demo_model.parameters())} parameters")
demo_loss = broken_train_step(demo_model, torch.optim.SGD(demo_model.parameters(), lr=0.1),
                              demo_inputs, demo_targets, clip_norm=5.0)
print(f"one call of the broken step returned {demo_loss:.4f}")

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "find_bug"}
def find_bug(step_fn, make_problem):
    """The move that ``step_fn`` gets wrong ("zero_grad", "loss", "clip" or "step"), or None.

    step_fn(model, optimizer, inputs, targets, clip_norm) -> loss, like train_step;
    make_problem() -> a fresh (model, inputs, targets).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_find_bug"}
graded(check_find_bug, find_bug)

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "debug_name"}
# The wrong move of your broken_train_step: "zero_grad", "loss", "clip" or "step".
# YOUR CODE HERE
raise NotImplementedError()
print("the wrong move:", wrong_move)

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 1, "grade_id": "test_check_planted_step_bug"}
graded(check_planted_step_bug, wrong_move, STUDENT_SEED)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_15_markdown"}
# ## Recap
#
# - The LSTM step in PyTorch is the NumPy step with tensors: one matrix product for all four
#   gates, `chunk` into i, f, g, o, and autograd derives the backward pass.
# - With `Wx = weight_ih.T`, `Wh = weight_hh.T`, `b = bias_ih + bias_hh`, the unrolled step *is*
#   `nn.LSTM` (equal to 1e-10 in float64).
# - A training step is zero_grad → loss → backward → clip → step; forgetting `zero_grad` adds
#   old gradients to new ones, and clipping belongs between `backward` and `step`.
# - Debugging a step: measure what it leaves behind (the parameters, their `.grad`, the
#   returned loss), in conditions where one move cannot hide another's bug.
