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
# # Practice 04 · The data: a vocabulary and the BPTT layout
#
# In this notebook, we write the two pieces of the data pipeline that every word language
# model of the course stands on, then use them to measure something:
#
# 1. `build_vocab` and `encode`: words to ids, with `<unk>` for the words left out;
# 2. `batchify` and `windows`: a token stream cut into rows and windows for truncated BPTT;
# 3. `unk_rate`: how much of a text the vocabulary misses, measured on Penn Treebank as the
#    vocabulary grows, after you have written down your prediction.
#
# After each exercise a check runs your function on small synthetic text, compares it with the
# course's rules and prints PASS, or what is wrong with a hint when it recognises a classic
# mistake. Write the functions yourself: a check refuses the course's own `Vocab`, `batchify`
# and `bptt_windows`.
#
# Dimension letters: L tokens in a stream, B rows, T steps per window, V vocabulary size.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_01_code"}
import course_lib  # noqa: F401, I001  (first: fast float settings before NumPy starts threads)

from collections import Counter

import numpy as np

from course_lib import pick
from course_lib.checks.report import graded
from course_lib.checks.the_data import (
    check_batchify,
    check_build_vocab,
    check_encode,
    check_unk_rate,
    check_unk_study,
    check_windows,
)
from course_lib.data import load_ptb

UNK = "<unk>"

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_02_markdown"}
# ## Exercise 1: a vocabulary
#
# A model has one embedding row per vocabulary entry, so the vocabulary must be finite: we keep
# the frequent words and map every other word to one token, `<unk>`. The course's rule, which
# your function must follow exactly (the checker compares ids):
#
# - `<unk>` has id 0, whatever the text;
# - then the words seen at least `min_count` times, the most frequent first;
# - at most `max_size` entries in all, `<unk>` included (`None`: no limit);
# - the same counts always give the same ids, whatever the order of the text.
#
# The last rule leaves you one decision: what to do with words that have the same count. Decide
# it so that the rule holds (the checker reads the text backwards, too). Penn Treebank's text
# already contains the token `<unk>` (its rare words were replaced before we got it): it must
# not get a second id.
#
# Return `itos`, the list of the vocabulary's tokens in id order.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_03_markdown"}
# <details><summary>Hint 1</summary>
#
# `Counter(tokens)` counts; a sort with `key=` a tuple sorts on the first element, then on the
# second for ties. Which second element makes the order independent of the text's order?
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `sorted(words, key=lambda w: (-counts[w], w))`: decreasing count, ties alphabetically. Leave
# `<unk>` out of the counted words, put it first, and keep `max_size - 1` words.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "build_vocab"}
def build_vocab(tokens, max_size=None, min_count=1):
    """The vocabulary of a token list: ``<unk>`` first, then the frequent words.

    Inputs:
    - tokens: list of str, the training text
    - max_size: at most this many entries, ``<unk>`` included (None: no limit)
    - min_count: drop words seen fewer times

    Returns itos: list of str, itos[i] is the token of id i.
    """
    ### BEGIN SOLUTION
    counts = Counter(tokens)
    counts.pop(UNK, None)  # the text's own <unk> is the special, not a word
    words = [word for word, count in counts.items() if count >= min_count]
    words.sort(key=lambda word: (-counts[word], word))
    if max_size is not None:
        words = words[:max(max_size - 1, 0)]
    return [UNK] + words
    ### END SOLUTION


# Try it on a sentence.
sentence = "the cat sat on the mat and the dog sat on the rug".split()
print(build_vocab(sentence), build_vocab(sentence, max_size=4))

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "test_check_build_vocab"}
graded(check_build_vocab, build_vocab)
### BEGIN HIDDEN TESTS
graded(check_build_vocab, build_vocab, seed=10, length=900)
graded(check_build_vocab, build_vocab, seed=11, length=150)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_06_markdown"}
# ## Exercise 2: encoding
#
# Turn tokens into an int64 array of ids with a vocabulary `itos`. Every token gets an id:
# those not in the vocabulary get the id of `<unk>`. Penn Treebank's training split has close
# to a million tokens: look each token up in a dict, not with `itos.index`, which searches the
# whole list for every token.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_07_markdown"}
# <details><summary>Hint 1</summary>
#
# `stoi = {token: i for i, token in enumerate(itos)}`, then `stoi.get(token, unk_id)`.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "encode"}
def encode(tokens, itos):
    """Tokens -> ids.

    Inputs:
    - tokens: list of str (N tokens)
    - itos: the vocabulary, ``<unk>`` among its tokens

    Returns ids: int64 (N,), the id of ``<unk>`` for tokens not in ``itos``.
    """
    ### BEGIN SOLUTION
    stoi = {token: i for i, token in enumerate(itos)}
    unk_id = stoi[UNK]
    return np.array([stoi.get(token, unk_id) for token in tokens], dtype=np.int64)
    ### END SOLUTION


vocab = build_vocab(sentence, max_size=4)
print(vocab, encode("the cat ate the fish".split(), vocab))

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_encode"}
graded(check_encode, encode)
### BEGIN HIDDEN TESTS
graded(check_encode, encode, seed=12, length=700)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_10_markdown"}
# ## Exercise 3: the BPTT layout
#
# A language model trains on one long stream of L ids. Lecture 04 showed the layout (Zaremba's):
# the stream is cut into B rows read in parallel, and training walks along the rows in windows
# of T steps, carrying the hidden state from one window to the next.
#
# Write `batchify(ids, B)`, an array (B, L // B), and `windows(data, T)`, the list of
# `(inputs, targets)` pairs over `data` (B, L). Decide the layout yourself from what the model
# needs:
#
# - the state at the end of window k, row b, is the start of window k + 1, row b: what must
#   row b hold so that this state belongs to the same text?
# - the targets are the tokens that follow the inputs;
# - every token of the stream but the first is predicted exactly once (the course's
#   convention: when L - 1 is not a multiple of T, the last window is shorter, and kept);
#   the last L % B tokens of the stream, which do not fill a row, are dropped.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_11_markdown"}
# <details><summary>Hint 1</summary>
#
# Row b must be a contiguous stretch of the stream, tokens `b * (L // B)` to
# `(b + 1) * (L // B)`: a `reshape` of the first `B * (L // B)` ids, with the right shape.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# Windows start at columns 0, T, 2T, ...: the window at column i has k = min(T, L - 1 - i)
# steps, inputs `data[:, i:i + k]`, targets `data[:, i + 1:i + 1 + k]`.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "batchify"}
def batchify(ids, B):
    """ids: int (L,) -> (B, L // B), each row a contiguous stretch of the stream."""
    ### BEGIN SOLUTION
    ids = np.asarray(ids)
    columns = len(ids) // B
    return ids[:B * columns].reshape(B, columns)
    ### END SOLUTION


def windows(data, T):
    """data: (B, L) -> list of (inputs, targets), each (B, k), k = T but for the last window."""
    ### BEGIN SOLUTION
    L = data.shape[1]
    pairs = []
    for start in range(0, L - 1, T):
        k = min(T, L - 1 - start)
        pairs.append((data[:, start:start + k], data[:, start + 1:start + 1 + k]))
    return pairs
    ### END SOLUTION


data = batchify(np.arange(23), 4)
print(data)
for inputs, targets in windows(data, 2):
    print(inputs[0], "->", targets[0])

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_batchify"}
graded(check_batchify, batchify)
### BEGIN HIDDEN TESTS
graded(check_batchify, batchify, length=50, rows=6)
graded(check_batchify, batchify, length=31, rows=3)
### END HIDDEN TESTS

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_windows"}
graded(check_windows, windows)
### BEGIN HIDDEN TESTS
graded(check_windows, windows, rows=3, columns=23, steps=5)
graded(check_windows, windows, rows=1, columns=9, steps=4)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_15_markdown"}
# ## Exercise 4: how much does the vocabulary miss? Predict, then measure
#
# Every `<unk>` is a word the model cannot tell apart from any other rare word. How many of a
# *new* text's tokens become `<unk>` depends on the vocabulary's size. Write
# `unk_rate(train_tokens, held_out_tokens, max_size)`: the fraction of the held-out tokens
# that a vocabulary of `max_size` entries, built on the training tokens with your
# `build_vocab`, maps to `<unk>`. Every held-out token counts, each occurrence once.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "unk_rate"}
def unk_rate(train_tokens, held_out_tokens, max_size):
    """The fraction (float in [0, 1]) of held-out tokens that are <unk> under the vocabulary of
    ``max_size`` entries built on ``train_tokens``."""
    ### BEGIN SOLUTION
    itos = build_vocab(train_tokens, max_size)
    ids = encode(held_out_tokens, itos)
    return float(np.mean(ids == itos.index(UNK)))
    ### END SOLUTION


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_unk_rate"}
graded(check_unk_rate, unk_rate)
### BEGIN HIDDEN TESTS
graded(check_unk_rate, unk_rate, seed=13, length=1200)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_18_markdown"}
# Now Penn Treebank: the vocabulary built on (part of) the training split, the rate measured on
# the validation split. **Before you run anything**, write down your predictions: what fraction
# of the validation tokens is `<unk>` with 1,000 entries, and with 10,000 (PTB's full
# vocabulary is exactly 10,000 tokens)? Your predictions are not graded; the comparison with
# the measurement is the point.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "predictions"}
# predicted_rate: vocabulary size -> the fraction of <unk> you expect, e.g. {1_000: 0.5}
### BEGIN SOLUTION
predicted_rate = {1_000: 0.2, 10_000: 0.0}
### END SOLUTION

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_20_markdown"}
# Measure. Fill `rates` with the measured rate for every size of `sizes`, then find out what
# the rate of the largest vocabulary is made of: set `text_unk_fraction` to the fraction of the
# validation tokens that already *are* the string `<unk>` in the text. (The smoke profile
# builds the vocabulary on the first 100,000 training tokens only.)

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_21_code"}
train_tokens = load_ptb("train")[:pick(smoke=100_000, laptop=None)]
valid_tokens = load_ptb("valid")
sizes = (100, 1_000, 2_000, 5_000, 10_000)
print(f"train: {len(train_tokens):,} tokens, {len(set(train_tokens)):,} distinct; "
      f"valid: {len(valid_tokens):,} tokens")

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "measure_unk_rates"}
# rates: size -> measured fraction, for every size of `sizes`; text_unk_fraction: a float
### BEGIN SOLUTION
rates = {size: unk_rate(train_tokens, valid_tokens, size) for size in sizes}
text_unk_fraction = valid_tokens.count(UNK) / len(valid_tokens)
### END SOLUTION

for size in sizes:
    guess = predicted_rate.get(size)
    print(f"{size:6,} entries: {rates[size]:6.1%} of the validation tokens are <unk>"
          + ("" if guess is None else f" (you predicted {guess:.1%})"))
print(f"already <unk> in the text: {text_unk_fraction:.1%}")

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "test_check_unk_study"}
graded(check_unk_study, rates, text_unk_fraction, train_tokens, valid_tokens)
### BEGIN HIDDEN TESTS
assert set(rates) == set(sizes), "measure every size of `sizes`"
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_24_markdown"}
# Compare with your predictions. The rate falls fast at first, then slowly (Zipf's law from
# lecture 04: each extra thousand words covers fewer tokens than the last). And it never
# reaches zero. With the whole training split (the laptop profile), the 10,000-entry vocabulary
# knows every word of the validation split, and what is left is exactly the text's own `<unk>`
# tokens, the words that Mikolov's preprocessing had already replaced: about one token in
# twenty. Every PTB perplexity of the course is measured on that text, in which `<unk>` is one
# of the most frequent words.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_25_code"}
assert all(rates[a] >= rates[b] for a, b in zip(sizes, sizes[1:]))  # falls with the size
per_entry = [(rates[a] - rates[b]) / (b - a) for a, b in zip(sizes, sizes[1:])]
assert all(x > y for x, y in zip(per_entry, per_entry[1:]))  # fast at first, then slowly
assert rates[sizes[-1]] >= text_unk_fraction  # the floor: the text's own <unk>
assert 1 / 25 < text_unk_fraction < 1 / 15  # "about one token in twenty"
if len(train_tokens) == len(load_ptb("train")):
    assert len(set(train_tokens)) == 10_000  # PTB's vocabulary: exactly 10,000 tokens
    assert abs(rates[10_000] - text_unk_fraction) < 1e-12  # and it is closed
print(f"at {sizes[-1]:,} entries, {text_unk_fraction / rates[sizes[-1]]:.0%} of the <unk> "
      "tokens were already <unk> in the text")

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_26_markdown"}
# ## Recap
#
# - A vocabulary: `<unk>` at id 0, words by decreasing count, ties alphabetically so that the
#   ids do not depend on the order of the text; `max_size` counts `<unk>`.
# - Encoding: a dict lookup, unknown words to `<unk>`'s id; no token is dropped.
# - The BPTT layout: each row a contiguous stretch of the stream, so the carried state belongs
#   to the same text; targets shifted by one; the short last window kept.
# - The `<unk>` rate of new text falls with the vocabulary's size, slowly after the first
#   thousands of words; on PTB it stops at the text's own `<unk>`.
