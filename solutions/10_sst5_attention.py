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
# # 10 · Practice: attention pooling with a mask
#
# Notebook 10 pooled an LSTM's hidden states with attention: a score per time step, a softmax
# over the steps, a weighted average. In a padded batch that has one trap: the padded steps
# must get exactly zero weight, or the pooled vector (and the prediction) depends on how much
# padding a sentence happened to get.
#
# In this notebook, we:
#
# 1. write additive attention pooling over a padded batch, with a mask, and check it;
# 2. put it inside a sentiment classifier and train it briefly on SST-5 sentences;
# 3. see that the trained model's answer does not change when the padding does;
# 4. debug a colleague's attention pooling: derive the symptoms of the four classic masking
#    bugs, measure them, and name the bug.
#
# The check after each exercise runs your answer on fixed inputs, compares it with the
# course's reference or with a measurement, and names the classic mistakes.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_01_code"}
import torch

from course_lib import pick
from course_lib.checks.debug_attention import (
    attention_inputs,
    check_attention_bug_finder,
    check_attention_bug_name,
    check_measure_symptoms,
    check_predicted_symptoms,
    planted_bug_pooling,
)
from course_lib.checks.report import graded
from course_lib.checks.sst5_attention import check_attention_pooling

_ = torch.manual_seed(0)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_02_markdown"}
# ## 1. Masked attention pooling
#
# Dimension letters: N sequences, T steps (the longest in the batch), H features per step,
# A attention units. Given the states `h` (N, T, H), a boolean `mask` (N, T) that is True at
# real steps, and the parameters `W` (H, A), `b` (A,), `v` (A,):
#
# 1. score every step: `s_t = tanh(h_t W + b) · v`, a tensor (N, T);
# 2. give the padded steps a score of **-inf** (`masked_fill`), so that `exp` makes them 0;
# 3. softmax over time (dim=1): the weights of each sequence sum to 1;
# 4. return the weighted sum of the states over time, (N, H), and the weights, (N, T).
#
# Do not change the caller's tensors in place.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_03_markdown"}
# <details><summary>Hint 1</summary>
#
# scores (N, T) from h @ W + b, tanh, @ v; then masked_fill(~mask, float("-inf"))
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "attention_pooling"}
def attention_pooling(h, mask, W, b, v):
    """Additive attention over the real steps of a padded batch.

    Inputs: h (N, T, H), mask (N, T) bool, W (H, A), b (A,), v (A,).
    Returns (pooled (N, H), weights (N, T)); weights are 0 on padded steps and sum to 1.
    """
    ### BEGIN SOLUTION
    scores = torch.tanh(h @ W + b) @ v  # (N, T)
    scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=1)  # (N, T)
    pooled = (weights.unsqueeze(2) * h).sum(dim=1)  # (N, H)
    return pooled, weights
    ### END SOLUTION


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 1, "grade_id": "test_attention_pooling_shapes"}
# First the shapes (one point), then the values (the next cell).
graded(check_attention_pooling, attention_pooling, shapes_only=True)
### BEGIN HIDDEN TESTS
graded(check_attention_pooling, attention_pooling, shapes_only=True, seed=37, dims=(4, 9, 3, 2),
       lengths=(2, 9, 1, 5))  # N, T, H, A
### END HIDDEN TESTS

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 1, "grade_id": "test_check_attention_pooling"}
graded(check_attention_pooling, attention_pooling)
### BEGIN HIDDEN TESTS
graded(check_attention_pooling, attention_pooling, seed=37, dims=(4, 9, 3, 2),
       lengths=(2, 9, 1, 5))  # N, T, H, A
graded(check_attention_pooling, attention_pooling, seed=38, dims=(2, 4, 7, 6), lengths=(4, 3))
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_06_markdown"}
# ## 2. Inside a classifier
#
# A small module around your function: an embedding (GloVe-50), an LSTM, your attention
# pooling, dropout and a linear layer to the five classes. The course's `length_mask` turns
# the lengths of a batch into the mask.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_07_code"}
from torch import nn

from course_lib.torch_models import length_mask


class AttentionClassifier(nn.Module):
    """token ids (N, T), lengths (N,) -> logits (N, 5), using ``attention_pooling``."""

    def __init__(self, embedding, hidden_size=64, attention_size=32, num_classes=5):
        super().__init__()
        self.embedding = nn.Embedding.from_pretrained(torch.as_tensor(embedding), freeze=False,
                                                      padding_idx=0)
        self.lstm = nn.LSTM(embedding.shape[1], hidden_size, batch_first=True)
        self.W = nn.Parameter(torch.randn(hidden_size, attention_size) / hidden_size**0.5)
        self.b = nn.Parameter(torch.zeros(attention_size))
        self.v = nn.Parameter(torch.randn(attention_size) / attention_size**0.5)
        self.drop = nn.Dropout(0.5)
        self.head = nn.Linear(hidden_size, num_classes)

    def forward(self, ids, lengths):
        h, _ = self.lstm(self.drop(self.embedding(ids)))  # (N, T, H)
        pooled, _ = attention_pooling(h, length_mask(lengths, ids.shape[1]), self.W, self.b, self.v)
        return self.head(self.drop(pooled))  # (N, C)


# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_08_markdown"}
# The data: SST-5 training sentences (a subset in the quick profile), dev sentences to
# measure, each encoded with the experiment's vocabulary and GloVe rows.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_09_code"}
from course_lib.data import embedding_matrix, load_glove
from course_lib.experiments.common.sst_data import build_vocab, encode, load_split

train_texts, train_labels = load_split("train", "fine", limit=pick(smoke=300, laptop=None))
dev_texts, dev_labels = load_split("dev", "fine", limit=pick(smoke=200, laptop=None))
glove = load_glove(50)
vocab = build_vocab(train_texts, [dev_texts], glove.words)
train, dev = encode(vocab, train_texts, train_labels), encode(vocab, dev_texts, dev_labels)
embedding, _ = embedding_matrix(vocab, glove)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_10_markdown"}
# Training with the course's `Trainer` (Adam, evaluation on dev after every epoch).

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_11_code"}
from course_lib.training import ClassificationTask, TrainConfig, Trainer

model = AttentionClassifier(embedding, hidden_size=pick(smoke=16, laptop=64))
task = ClassificationTask(train, dev, batch_size=64, eval_batch_size=500, bucket=True)
summary = Trainer(model, task, TrainConfig(epochs=pick(smoke=1, laptop=3), weight_decay=1e-4,
                                           monitor="val_accuracy"), progress=False).fit()
for epoch, accuracy in zip(summary["history"]["epoch"], summary["history"]["val_accuracy"]):
    print(f"epoch {epoch}: dev accuracy {100 * accuracy:.1f} %")

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_12_markdown"}
# ## 3. Padding does not matter
#
# Pad the same dev sentences with ten extra steps of a real word's id: with a correct mask
# the logits do not move.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_13_code"}
ids, lengths, _ = dev
model.eval()
with torch.no_grad():
    logits = model(ids, lengths)
    longer = torch.cat([ids, torch.full((len(ids), 10), vocab["good"])], dim=1)  # (N, T + 10)
    logits_longer = model(longer, lengths)
print("largest change of a logit:", float((logits - logits_longer).abs().max()))
assert torch.allclose(logits, logits_longer, atol=1e-5)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "debug_markdown_intro"}
# ## 4. Debug: a colleague's attention pooling
#
# A colleague's `attention_pooling` trains without an error, yet its masking is wrong. You get
# it as a callable, not as code, and its bug is one of the four classic ones, each a one-line
# change of the function you wrote in exercise 1:
#
# | bug | the changed line |
# |---|---|
# | `"no mask"` | the padded scores are not masked at all |
# | `"mask after the softmax"` | `weights = torch.softmax(scores, dim=1) * mask`, the scores left unmasked |
# | `"zero scores"` | `scores = scores * mask`: a padded score is 0 instead of -inf |
# | `"softmax over the batch"` | the masked scores' softmax over `dim=0` instead of `dim=1` |
#
# Which one you get depends on a seed (your student number, or your name). Three measurements
# on a padded batch tell the four apart:
#
# 1. *weights sum to 1*: do the weights of every sequence sum to 1 over its steps?
# 2. *padding gets no weight*: is the weight of every padded step exactly 0?
# 3. *weights ignore the padding*: with other values in the padded steps' states (the real
#    steps unchanged), are the weights the same?
#
# First derive, then measure, then name.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "debug_markdown_derive"}
# **Derive, before any measurement.** Fill in `predicted_symptoms`: for each bug, the three
# answers (True or False) in the order above, reasoned from the line that changed. The check
# measures the four bugs and tells you which of your answers do not hold, and why.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "debug_markdown_derive_hints"}
# <details><summary>Hint 1</summary>
#
# Work each bug through on two sequences, one of three real steps and one of two real steps
# plus one padded step: which scores enter the softmax, over which axis does it normalise, and
# what happens to the weights after it?
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# exp(-inf) is exactly 0, over whatever axis; exp(0) is 1. A weight zeroed after the softmax
# is 0, but the softmax's denominator had already counted it.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "predicted_symptoms"}
# predicted_symptoms: bug -> (weights sum to 1, padding gets no weight, weights ignore the padding)
### BEGIN SOLUTION
predicted_symptoms = {
    "no mask": (True, False, False),
    "mask after the softmax": (False, True, False),
    "zero scores": (True, False, True),
    "softmax over the batch": (False, True, True),
}
### END SOLUTION

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_predicted_symptoms"}
graded(check_predicted_symptoms, predicted_symptoms)
### BEGIN HIDDEN TESTS
graded(check_predicted_symptoms, predicted_symptoms, seed=39, dims=(5, 7, 3, 4),
       lengths=(7, 1, 2, 6, 3))  # N, T, H, A: the same table on other inputs
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "debug_markdown_measure"}
# **Measure.** Write `measure_symptoms(pooling, h, mask, W, b, v)`: call `pooling` on the
# padded batch and return the three answers, a tuple of three bools in the order above. For
# the third, call it a second time with other values on the padded steps only, and compare
# the two weights. Compare floats with a tolerance (`torch.allclose`), except where the
# question is "exactly 0". The batch below has three sequences of 6, 3 and 1 real steps.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "debug_inputs"}
debug_inputs = attention_inputs(seed=3)  # h (3, 6, 4), mask (3, 6), W (4, 5), b (5,), v (5,)
print("real steps per sequence:", debug_inputs[1].sum(dim=1).tolist())
assert debug_inputs[1].sum(dim=1).tolist() == [6, 3, 1]

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "debug_markdown_measure_hints"}
# <details><summary>Hint 1</summary>
#
# `weights.sum(dim=1)` is one sum per sequence; `weights[~mask]` are the padded steps' weights.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `torch.where(~mask[..., None], -h - 1, h)` changes the padded states and keeps the real
# ones (any other values on the padding will do, as long as they differ from the old ones).
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "measure_symptoms"}
def measure_symptoms(pooling, h, mask, W, b, v):
    """(weights sum to 1, padding gets no weight, weights ignore the padding): three bools,
    measured with pooling(h (N, T, H), mask (N, T), W, b, v) -> (pooled, weights (N, T))."""
    ### BEGIN SOLUTION
    _, weights = pooling(h, mask, W, b, v)  # (N, T)
    sums = weights.sum(dim=1)  # (N,)
    sums_to_one = bool(torch.allclose(sums, torch.ones_like(sums)))
    no_weight = bool((weights[~mask] == 0).all())
    other_padding = torch.where(mask.unsqueeze(2), h, -h - 1.0)  # (N, T, H), real steps kept
    _, other_weights = pooling(other_padding, mask, W, b, v)
    ignores_padding = bool(torch.allclose(other_weights, weights, atol=1e-9, rtol=0))
    return sums_to_one, no_weight, ignores_padding
    ### END SOLUTION


print("your own attention_pooling:", measure_symptoms(attention_pooling, *debug_inputs))

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_measure_symptoms"}
graded(check_measure_symptoms, measure_symptoms)
### BEGIN HIDDEN TESTS
graded(check_measure_symptoms, measure_symptoms, seed=40, dims=(4, 9, 3, 2),
       lengths=(2, 9, 1, 5))  # N, T, H, A
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "debug_markdown_name"}
# **Name the bug.** Set your seed below, then write `find_attention_bug(pooling, inputs)`: it
# measures the symptoms of `pooling` on `inputs` = (h, mask, W, b, v) and returns the bug
# whose row of your table they match. The name it gives for your `broken_attention_pooling`
# is graded, and so is the function itself, on other students' broken poolings: the name
# must come out of the measurement, not be typed in. (Reading the course's source to learn
# which bug you got spoils the exercise.)

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "debug_seed"}
# Your seed: your student number (an int) or your name (a string).
### BEGIN SOLUTION
STUDENT_SEED = 2026
### END SOLUTION
broken_attention_pooling = planted_bug_pooling(STUDENT_SEED)
print(broken_attention_pooling)

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "find_attention_bug"}
def find_attention_bug(pooling, inputs):
    """The bug of ``pooling`` (a key of predicted_symptoms), measured on inputs = (h, mask,
    W, b, v)."""
    ### BEGIN SOLUTION
    measured = measure_symptoms(pooling, *inputs)
    return next(bug for bug, symptoms in predicted_symptoms.items()
                if tuple(symptoms) == measured)
    ### END SOLUTION


attention_bug = find_attention_bug(broken_attention_pooling, debug_inputs)
print("the bug:", attention_bug)

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_attention_bug_name"}
graded(check_attention_bug_name, attention_bug, STUDENT_SEED)
### BEGIN HIDDEN TESTS
graded(check_attention_bug_finder, find_attention_bug)  # four other students' broken poolings
graded(check_attention_bug_finder, find_attention_bug, first_seed=5000, seed=41,
       dims=(2, 4, 7, 6), lengths=(4, 3))  # N, T, H, A
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "debug_markdown_after"}
# No two bugs share their three symptoms, so three measurements name any of them, without
# reading a line of its code. The third one is the test of section 3 in miniature: change
# only the padding, and nothing may move.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_14_markdown"}
# ## Recap
#
# - Attention pooling: scores, a softmax over time, a weighted sum; three lines of torch.
# - The mask goes on the **scores**, as -inf, before the softmax; zeroing weights afterwards
#   breaks the sum to 1, and a score of 0 still gets weight.
# - A test that changes only the padding is the quickest proof that masking works.
# - Debugging a pooling: three measurements (sums to 1, zero weight on padding, weights
#   unchanged when only the padding changes) tell the four classic masking bugs apart.
