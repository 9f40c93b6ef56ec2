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
# # 08 · Practice: the pieces of a language model's training
#
# Notebook 08 trained word-level language models on Penn Treebank with four small pieces of code
# that are easy to get subtly wrong: the perplexity, the batch layout, the carried and detached
# state, and sampling with a temperature. None of the mistakes crashes loudly (except one): they
# just give a wrong number, or a worse model.
#
# In this notebook, we:
#
# 1. compute a perplexity from summed log-probabilities;
# 2. write `batchify` and the BPTT `windows` of Zaremba's layout;
# 3. write one epoch of truncated BPTT that carries the state and detaches it, and train a small
#    model with it;
# 4. write the next-word distribution with a temperature and top-k, and finish sentences with it;
# 5. predict, then measure, what the carried state is worth when the model is evaluated.
#
# Each exercise cell is followed by a check that runs your function on fixed inputs, compares
# it with the course's reference and says what is wrong.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_01_code"}
import math

import numpy as np
import torch
from torch import nn

from course_lib import pick
from course_lib.checks.ptb_word_lm import (
    check_batchify,
    check_evaluate_perplexity,
    check_next_token_probs,
    check_perplexity,
    check_state_study,
    check_train_epoch,
    check_windows,
)
from course_lib.checks.report import graded

torch.manual_seed(0)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_02_markdown"}
# ## 1. Perplexity from summed log-probabilities
#
# An evaluation loop goes through the test text in batches of different sizes and, for each
# batch, adds up the natural-log probabilities the model gave to the words that really came
# next. `perplexity(log_prob_sums, token_counts)` gets those sums (one per batch, all negative)
# and the number of words in each batch, and returns
# exp(−(sum of all log-probabilities) / (total number of words)). Every *word* must weigh the
# same, whatever the size of its batch.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_03_markdown"}
# <details><summary>Hint 1</summary>
#
# total log-probability / total tokens, then exp of minus that
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "perplexity"}
def perplexity(log_prob_sums, token_counts):
    """Perplexity over all batches: log_prob_sums (B,) in nats, token_counts (B,) -> float."""
    ### BEGIN SOLUTION
    return math.exp(-float(np.sum(log_prob_sums)) / float(np.sum(token_counts)))
    ### END SOLUTION


print(f"{perplexity(np.array([-23.0, -4.6]), np.array([10, 2])):.2f}")  # exp(27.6 / 12) = 9.97


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 1, "grade_id": "test_check_perplexity"}
graded(check_perplexity, perplexity)
### BEGIN HIDDEN TESTS
graded(check_perplexity, perplexity, seed=33, batches=5)  # five other batches
graded(check_perplexity, perplexity, seed=34, batches=1)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_06_markdown"}
# ## 2. Zaremba's layout: batchify and windows
#
# `batchify(ids, N)` cuts a stream of L token ids into N equal streams laid side by side, an
# (N, L // N) array whose row n is the n-th **contiguous** slice of the text (the last L % N
# tokens are dropped). Reading a row left to right reads the text on.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_07_markdown"}
# <details><summary>Hint 2</summary>
#
# keep the first N * (L // N) tokens, then reshape so that each row is one stream
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "batchify"}
def batchify(ids, N):
    """ids (L,) NumPy array -> (N, L // N): N contiguous streams."""
    ### BEGIN SOLUTION
    L = len(ids) // N
    return ids[:N * L].reshape(N, L)
    ### END SOLUTION


print(batchify(np.arange(10), 3))  # [[0 1 2] [3 4 5] [6 7 8]]


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 1, "grade_id": "test_check_batchify"}
graded(check_batchify, batchify)
### BEGIN HIDDEN TESTS
graded(check_batchify, batchify, length=50, streams=7)  # L, N
graded(check_batchify, batchify, length=36, streams=6)  # nothing to drop
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_10_markdown"}
# `windows(data, T)` reads data (N, L) T columns at a time and returns the list of pairs
# (inputs, targets): inputs are columns i … i+k−1, targets the same columns shifted by one
# (i+1 … i+k), with k = T except for the last window, which holds what is left
# (k = min(T, L − 1 − i)). Every column but the last is an input once; every column but the first
# is a target once.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_11_markdown"}
# <details><summary>Hint 3</summary>
#
# for i in range(0, L - 1, T): k = min(T, L - 1 - i)
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "windows"}
def windows(data, T):
    """data (N, L) -> list of (inputs (N, k), targets (N, k)), k = T except the last window."""
    ### BEGIN SOLUTION
    out = []
    L = data.shape[1]
    for i in range(0, L - 1, T):
        k = min(T, L - 1 - i)
        out.append((data[:, i:i + k], data[:, i + 1:i + 1 + k]))
    return out
    ### END SOLUTION


for inputs, targets in windows(np.arange(12).reshape(2, 6), 3):
    print(inputs.tolist(), "->", targets.tolist())


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_windows"}
graded(check_windows, windows)
### BEGIN HIDDEN TESTS
graded(check_windows, windows, shape=(3, 22), T=5)  # (N, L)
graded(check_windows, windows, shape=(1, 9), T=8)  # exactly one window
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_14_markdown"}
# ## 3. One epoch of truncated BPTT
#
# `train_epoch(model, data, T, optimizer, clip_norm)` trains a course `LanguageModel` for one
# pass over data (N, L) (a tensor of token ids), window by window, using your `windows`:
#
# - start from `state = model.init_state(N)` **once**; each window starts from the state the
#   previous one ended with, *detached* (`model.detach_state(state)`);
# - `logits, state = model(inputs, state)` gives logits (N, k, V);
# - the loss is Zaremba's: cross-entropy **summed** over the window's steps, **divided by N**;
# - `zero_grad`, `backward`, clip the gradient norm at `clip_norm`
#   (`nn.utils.clip_grad_norm_`), `step`;
# - return the mean loss **per token** over the epoch (a float): the summed cross-entropy of all
#   windows divided by the number of targets.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_15_markdown"}
# <details><summary>Hint 4</summary>
#
# detach the state at the start of every window; loss = CE(reduction="sum") / N
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "train_epoch"}
def train_epoch(model, data, T, optimizer, clip_norm):
    """One pass of truncated BPTT over data (N, L); returns the mean loss per token."""
    ### BEGIN SOLUTION
    model.train()
    N = data.shape[0]
    state = model.init_state(N)
    total, count = 0.0, 0
    for inputs, targets in windows(data, T):
        state = model.detach_state(state)
        logits, state = model(inputs, state)  # (N, k, V)
        summed = nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten(),
                                             reduction="sum")
        loss = summed / N
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        optimizer.step()
        total, count = total + summed.item(), count + targets.numel()
    return total / count
    ### END SOLUTION


from course_lib.torch_models import LanguageModel

tiny = LanguageModel(5, embed_dim=3, hidden_size=3, num_layers=1)
tiny_data = torch.randint(0, 5, (2, 9))
print(f"loss per token: {train_epoch(tiny, tiny_data, 4, torch.optim.SGD(tiny.parameters(), lr=0.1), 5.0):.3f}"
      f" (ln 5 = {math.log(5):.3f})")


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 4, "grade_id": "test_check_train_epoch"}
graded(check_train_epoch, train_epoch)
### BEGIN HIDDEN TESTS
graded(check_train_epoch, train_epoch, seed=32, dims=(11, 4, 17, 5))  # V, N, L, T
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_18_markdown"}
# Now use your three functions on real text: a small LSTM language model trained on the start of
# PTB for a few epochs, its validation perplexity measured with your `perplexity` after each.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_19_code"}
from course_lib.experiments.common.ptb_streams import load_ptb_streams

streams = load_ptb_streams("word")
vocab = streams.vocab
n_train = pick(smoke=5_000, laptop=200_000)
train_data = torch.as_tensor(batchify(streams.train[:n_train], 20))  # (20, L)
val_data = torch.as_tensor(batchify(streams.val[:pick(smoke=2_000, laptop=40_000)], 10))

model = LanguageModel(len(vocab), embed_dim=pick(smoke=16, laptop=128),
                      hidden_size=pick(smoke=16, laptop=128), num_layers=1)
optimizer = torch.optim.SGD(model.parameters(), lr=1.0)


@torch.no_grad()
def validation_perplexity(model, data, T=20):
    model.eval()
    state, sums, counts = model.init_state(data.shape[0]), [], []
    for inputs, targets in windows(data, T):
        logits, state = model(inputs, state)
        log_probs = torch.log_softmax(logits, dim=-1)  # (N, k, V)
        sums.append(log_probs.gather(-1, targets[..., None]).sum().item())
        counts.append(targets.numel())
    return perplexity(np.array(sums), np.array(counts))


for epoch in range(pick(smoke=1, laptop=3)):
    train_loss = train_epoch(model, train_data, 20, optimizer, clip_norm=5.0)
    print(f"epoch {epoch + 1}: train perplexity {math.exp(train_loss):.0f}, "
          f"validation perplexity {validation_perplexity(model, val_data):.0f}")

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_20_markdown"}
# ## 4. Temperature and top-k
#
# `next_token_probs(logits, temperature, top_k=None)` turns the model's logits (V,) for the next
# word into the distribution to sample from:
#
# - softmax(logits / temperature): τ < 1 sharpens, τ > 1 flattens;
# - with `top_k`, only the k largest logits keep any probability (set the others to −∞ before
#   the softmax, so that what is left sums to 1);
# - temperature 0 means greedy: probability 1 on the most likely word.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_21_markdown"}
# <details><summary>Hint 5</summary>
#
# temperature 0 -> one-hot of the argmax; else softmax(logits / temperature) after masking all
# but the top_k logits with -inf
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "next_token_probs"}
def next_token_probs(logits, temperature, top_k=None):
    """logits (V,) tensor -> probabilities (V,) to sample the next token from."""
    ### BEGIN SOLUTION
    if temperature == 0:
        return nn.functional.one_hot(logits.argmax(), logits.numel()).float()
    scaled = logits / temperature
    if top_k is not None:
        kth = torch.topk(scaled, top_k).values[-1]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
    return torch.softmax(scaled, dim=0)
    ### END SOLUTION


print(next_token_probs(torch.tensor([2.0, 1.0, 0.0]), 1.0))  # tensor([0.6652, 0.2447, 0.0900])


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_next_token_probs"}
graded(check_next_token_probs, next_token_probs)
### BEGIN HIDDEN TESTS
graded(check_next_token_probs, next_token_probs, seed=35, V=11)  # other logits and settings
graded(check_next_token_probs, next_token_probs, seed=36, V=4)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_24_markdown"}
# With your function, finish a sentence: feed the prefix, sample a word from
# `next_token_probs`, feed it back, repeat. (Your small model has read little text: expect
# grammar more than sense.)

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_25_code"}
@torch.no_grad()
def finish(prefix, n=10, temperature=1.0, top_k=None, seed=0):
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    logits, state = model(torch.tensor([[vocab[w] for w in prefix.split()]]))
    words = []
    for _ in range(n):
        probs = next_token_probs(logits[0, -1], temperature, top_k)
        token = int(torch.multinomial(probs, 1, generator=generator))
        words.append(f"{vocab.itos[token]} ({probs[token]:.2f})")
        logits, state = model(torch.tensor([[token]]), state)
    return prefix + " " + " ".join(words)


for temperature, top_k in ((0.0, None), (0.8, None), (1.0, 10)):
    print(f"τ = {temperature}, top-k {top_k}: {finish('the company said', 8, temperature, top_k)}")

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "state_markdown_intro"}
# ## 5. What the carried state is worth: predict, then measure
#
# `validation_perplexity` above carries the state from one window to the next, as training
# does. What if evaluation started every window from a zero state instead, as the classic
# mistake of section 3 does in training? You will measure it on the model you trained, with
# windows of T = 1, 5 and 20 steps: the state carried, and the state reset at every window.
#
# **Before you measure**, write down two predictions. They are not graded, but the check wants
# them recorded:
#
# - `predicted_carried_changes_with_T`: with the state carried, does the validation perplexity
#   change when T changes? (True or False)
# - `predicted_reset_ratio`: at T = 1 (the state reset before every word), how many times the
#   carried perplexity will the reset one be? (a number: 1.0 means "the same")

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "state_predictions"}
# Your predictions, before any measurement.
### BEGIN SOLUTION
predicted_carried_changes_with_T = True  # a first guess: the measurement decides
predicted_reset_ratio = 1.2
### END SOLUTION

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "state_markdown_evaluate"}
# Now write `evaluate_perplexity(model, data, T, carry_state=True)`: `validation_perplexity`
# with a choice. With `carry_state=True` each window starts from the state the previous one
# ended with; with `carry_state=False` every window starts from `model.init_state(N)`. Put the
# model in evaluation mode (`model.eval()`: the check hands it over in training mode, with
# dropout), and use your `windows` and your `perplexity`.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "state_markdown_evaluate_hints"}
# <details><summary>Hint 1</summary>
#
# Start from `validation_perplexity` in section 3: one `if` decides which state a window
# starts from.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "evaluate_perplexity"}
@torch.no_grad()
def evaluate_perplexity(model, data, T, carry_state=True):
    """Perplexity of model on data (N, L) read in windows of T steps, the state carried from
    window to window, or reset to model.init_state(N) at each one (carry_state=False)."""
    ### BEGIN SOLUTION
    model.eval()
    N = data.shape[0]
    state, sums, counts = model.init_state(N), [], []
    for inputs, targets in windows(data, T):
        if not carry_state:
            state = model.init_state(N)
        logits, state = model(inputs, state)
        log_probs = torch.log_softmax(logits, dim=-1)  # (N, k, V)
        sums.append(log_probs.gather(-1, targets[..., None]).sum().item())
        counts.append(targets.numel())
    return perplexity(np.array(sums), np.array(counts))
    ### END SOLUTION

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_evaluate_perplexity"}
graded(check_evaluate_perplexity, evaluate_perplexity)
### BEGIN HIDDEN TESTS
graded(check_evaluate_perplexity, evaluate_perplexity, seed=43, dims=(9, 2, 23),
       steps=(1, 5, 7))  # V, N, L
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "state_markdown_measure"}
# Measure: fill `carried_ppl` and `reset_ppl`, each a dict T -> perplexity for every T of
# `study_steps`, on `study_data` (the validation streams; in the laptop profile only their
# first columns, to keep it quick).

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "state_study_data"}
study_steps = (1, 5, 20)
study_data = val_data[:, :pick(smoke=None, laptop=1_001)]  # (N, L)
print(f"study data: {tuple(study_data.shape)}, {study_data.shape[0] * (study_data.shape[1] - 1):,} "
      "targets")

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "state_measure"}
# carried_ppl, reset_ppl: T -> perplexity, for every T of study_steps
### BEGIN SOLUTION
carried_ppl = {T: evaluate_perplexity(model, study_data, T, carry_state=True) for T in study_steps}
reset_ppl = {T: evaluate_perplexity(model, study_data, T, carry_state=False) for T in study_steps}
### END SOLUTION

for T in study_steps:
    print(f"T = {T:2d}: carried {carried_ppl[T]:7.1f}, reset at every window {reset_ppl[T]:7.1f} "
          f"({reset_ppl[T] / carried_ppl[T]:.2f} times)")
print(f"you predicted {predicted_reset_ratio} times at T = 1")

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "state_markdown_statements"}
# Now say what you measured, in two statements the check grades against the measurement (it
# measures again, with the course's reference):
#
# - `carried_changes_with_T`: with the state carried, does the perplexity change with T?
# - `reset_cost_shrinks_with_T`: does the cost of the reset, reset / carried, fall as T grows?

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "state_statements"}
### BEGIN SOLUTION
carried_changes_with_T = False
reset_cost_shrinks_with_T = True
### END SOLUTION

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "test_check_state_study"}
graded(check_state_study, carried_ppl, reset_ppl, carried_changes_with_T,
       reset_cost_shrinks_with_T, model, study_data,
       predictions=(predicted_carried_changes_with_T, predicted_reset_ratio))
### BEGIN HIDDEN TESTS
assert set(carried_ppl) == set(reset_ppl) == set(study_steps), "measure every T of study_steps"
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "state_markdown_after"}
# Compare with your predictions. With the state carried, T does not matter at all in
# evaluation: the windows only say where *training* stops the gradient, and the model computes
# the same states whatever they are. Reset the state, and every window starts from nothing: at
# T = 1 the model sees only the current word (it is a bigram model), and the cost shrinks as
# the windows grow. A model trained with the state reset pays that price in training too, and
# never learns to use more than T words.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "state_asserts"}
assert max(carried_ppl.values()) <= min(carried_ppl.values()) * (1 + 1e-4)  # T does not matter
costs = [reset_ppl[T] / carried_ppl[T] for T in study_steps]
assert all(a > b > 1 for a, b in zip(costs, costs[1:]))  # the reset costs, less as T grows

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_26_markdown"}
# ## Recap
#
# - Perplexity = exp(−total log-probability / total tokens): sum first, divide once, exponentiate
#   once.
# - `batchify` makes rows of *contiguous* text; windows step by T, targets shifted by one, the
#   last window shorter.
# - The carried state is detached at every window boundary: the values flow on, the gradient
#   stops. Without it PyTorch refuses the second backward; with a fresh zero state per window
#   the model never sees past T words.
# - In evaluation, the carried state makes T irrelevant; reset at every window, the model loses
#   its context, the more the shorter the windows (at T = 1 it is a bigram model).
# - Temperature divides the logits; top-k masks the tail before the softmax; temperature 0 is
#   greedy.
