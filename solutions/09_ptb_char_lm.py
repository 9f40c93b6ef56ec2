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
# # Practice 09 · Characters: bits per character and temperature sampling
#
# In this notebook, we write what lecture 09 uses to score and to run a character language
# model, then measure what the temperature does:
#
# 1. `bits_per_character`, from the summed cross-entropy of a few batches, and
#    `word_perplexity`, the word-level perplexity a bpc is worth;
# 2. `temperature_probs` and `sample`: one symbol drawn at a temperature, reproducibly;
# 3. `entropy_bits`, then a study: how uncertain the sampling distribution is as the
#    temperature goes from near 0 to very large, and what its two limits are.
#
# After each exercise a check runs your function on fixed inputs and prints PASS, or what is
# wrong with a hint when it recognises a classic mistake. Everything here is NumPy.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_01_code"}
import course_lib  # noqa: F401, I001  (first: fast float settings before NumPy starts threads)

import math

import numpy as np

from course_lib.checks.report import graded
from course_lib.checks.ptb_char_lm import (
    STUDY_LOGITS,
    STUDY_SYMBOLS,
    check_bits_per_character,
    check_entropy_bits,
    check_sample,
    check_temperature_probs,
    check_temperature_study,
    check_word_perplexity,
)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_02_markdown"}
# ## Exercise 1: bits per character
#
# PyTorch's `cross_entropy` works in **nats** (natural logarithms). An evaluation loop keeps,
# for each batch, the *summed* cross-entropy of its characters and their number; the batches
# are of unequal length (the last one is short). Write `bits_per_character(nats_sums,
# char_counts)`: the mean cross-entropy per character of the whole split, in **bits**.
#
# Then `word_perplexity(bpc, chars_per_word)`: lecture 09 compared a character model with word
# models. A word, with the space after it, is on average `chars_per_word` characters; what
# word-level perplexity is a character model at `bpc` worth?

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_03_markdown"}
# <details><summary>Hint 1</summary>
#
# Every character weighs the same: total loss over total characters, not a mean of the batch
# means. A logarithm changes base by a division: $\log_2 x = \ln x / \ln 2$.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# A perplexity is 2 to the power of the bits per *unit predicted*. A word costs as many bits as
# its characters together.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "bits_per_character"}
def bits_per_character(nats_sums, char_counts):
    """Bits per character over K batches.

    Inputs:
    - nats_sums: (K,) each batch's summed cross-entropy, natural log
    - char_counts: (K,) each batch's number of characters

    Returns a float.
    """
    ### BEGIN SOLUTION
    mean_nats = float(np.sum(nats_sums) / np.sum(char_counts))
    return mean_nats / math.log(2)
    ### END SOLUTION


def word_perplexity(bpc, chars_per_word):
    """The word-level perplexity (float) of a character model at ``bpc`` bits per character."""
    ### BEGIN SOLUTION
    return 2.0 ** (bpc * chars_per_word)
    ### END SOLUTION


print(f"{bits_per_character(np.array([300.0, 20.0]), np.array([250, 10])):.4f} bpc")
print(f"1.45 bpc at 5.6 characters per word: word perplexity {word_perplexity(1.45, 5.6):,.0f}")

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_bits_per_character"}
graded(check_bits_per_character, bits_per_character)
### BEGIN HIDDEN TESTS
graded(check_bits_per_character, bits_per_character, seed=21, batches=9)
### END HIDDEN TESTS

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 1, "grade_id": "test_check_word_perplexity"}
graded(check_word_perplexity, word_perplexity)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_07_markdown"}
# ## Exercise 2: sampling at a temperature
#
# Lecture 09 wrote text by drawing one symbol after another from the model's next-symbol
# distribution, at several temperatures. Write the two pieces yourself:
#
# - `temperature_probs(logits, temperature)`: the distribution over the V symbols at
#   temperature $T > 0$, for logits of shape $(V,)$ or $(N, V)$ (one distribution per row).
#   A temperature below 1 must sharpen the distribution, above 1 flatten it. Logits of a few
#   hundred are possible (the checker tries 800): the result must stay finite.
# - `sample(logits, temperature, rng)`: one symbol's index (an `int`), drawn from that
#   distribution with the generator `rng` (a `np.random.Generator`), so that the same seed
#   always writes the same text.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_08_markdown"}
# <details><summary>Hint 1</summary>
#
# The temperature scales the logits before the softmax. Which of $z / T$ and $z \cdot T$ makes
# $T < 1$ sharper?
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `np.exp(800.0)` is `inf`. Softmax does not change when the same number is subtracted from
# every logit of a row: subtract the row's maximum (`axis=-1, keepdims=True`).
#
# </details>
#
# <details><summary>Hint 3</summary>
#
# `rng.choice(V, p=probs)` draws one index with the given probabilities; the argmax is greedy
# decoding, not sampling.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "temperature_probs"}
def temperature_probs(logits, temperature):
    """softmax(logits / temperature) over the last axis: (..., V) -> (..., V)."""
    ### BEGIN SOLUTION
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    e = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
    ### END SOLUTION


def sample(logits, temperature, rng):
    """One symbol index (int) drawn from temperature_probs(logits (V,), temperature) with rng."""
    ### BEGIN SOLUTION
    probs = temperature_probs(logits, temperature)
    return int(rng.choice(probs.shape[-1], p=probs))
    ### END SOLUTION


logits = np.array([2.0, 1.0, 0.0])
for T in (0.5, 1.0, 2.0):
    print(f"T = {T}: {np.round(temperature_probs(logits, T), 3)}")
rng = np.random.default_rng(0)
print("ten draws at T = 1:", [sample(logits, 1.0, rng) for _ in range(10)])

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_temperature_probs"}
graded(check_temperature_probs, temperature_probs)
### BEGIN HIDDEN TESTS
graded(check_temperature_probs, temperature_probs, seed=22, shape=(4, 11))
### END HIDDEN TESTS

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_sample"}
graded(check_sample, sample)
### BEGIN HIDDEN TESTS
graded(check_sample, sample, seed=23, draws=2000)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_12_markdown"}
# ## Exercise 3: what does the temperature do? Measure it
#
# The **entropy** of a distribution $p$, $H(p) = -\sum_v p_v \log_2 p_v$ bits, measures how
# uncertain a draw is: 0 bits when one symbol is certain, $\log_2 V$ when all V are equally
# likely. Write `entropy_bits(p)` for `p` of shape $(..., V)$ (a symbol of probability 0 adds
# nothing).

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "entropy_bits"}
def entropy_bits(p):
    """Entropy in bits of the distributions p (..., V) over the last axis -> (...)."""
    ### BEGIN SOLUTION
    p = np.asarray(p, dtype=np.float64)
    logs = np.log2(np.where(p > 0, p, 1.0))  # log2(1) = 0 where p = 0: 0 log 0 counts 0
    return -(p * logs).sum(axis=-1)
    ### END SOLUTION


print(f"{entropy_bits(np.array([0.5, 0.5, 0.0])):.3f} bits")

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_entropy_bits"}
graded(check_entropy_bits, entropy_bits)
### BEGIN HIDDEN TESTS
graded(check_entropy_bits, entropy_bits, seed=24)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_15_markdown"}
# Here are a character model's logits for the symbol after some prefix (eight symbols kept,
# `_` is a space). Measure the entropy of the sampling distribution over a range of
# temperatures that shows both ends: fill `entropies`, a dict temperature -> entropy in bits,
# with at least four temperatures. Then state, as numbers, the entropy's two limits:
# `low_limit` as $T \to 0$ and `high_limit` as $T \to \infty$. Look at the logits before you
# answer, and let your measurements confirm your reasoning (the checker computes both limits
# from the logits).

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_16_code"}
for symbol, logit in zip(STUDY_SYMBOLS, STUDY_LOGITS):
    print(f"{symbol:>2} {logit:5.1f}")

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "temperature_study"}
# entropies: temperature -> bits (at least four); low_limit, high_limit: numbers, in bits
### BEGIN SOLUTION
temperatures = (1e-3, 0.1, 0.3, 0.5, 1.0, 2.0, 5.0, 100.0, 1e4)
entropies = {T: float(entropy_bits(temperature_probs(STUDY_LOGITS, T))) for T in temperatures}
low_limit = 1.0  # "e" and "a" tie for the largest logit: the mass splits between them
high_limit = math.log2(len(STUDY_LOGITS))  # uniform over the 8 symbols
### END SOLUTION

for T, H in entropies.items():
    print(f"T = {T:8g}: {H:.4f} bits")
print(f"limits: {low_limit:g} bits as T -> 0, {high_limit:g} bits as T -> infinity")

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "test_check_temperature_study"}
graded(check_temperature_study, entropies, low_limit, high_limit)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_19_markdown"}
# The entropy grows with the temperature, from the sharpest distribution to the flattest. As
# $T \to \infty$ every logit divided by T goes to 0 and the distribution becomes uniform: the
# model is ignored, $\log_2 V$ bits. As $T \to 0$ the largest logit wins everything: greedy
# decoding, 0 bits, *unless* several symbols tie for the top, as "e" and "a" do here; then the
# mass splits equally among them and the limit is $\log_2$ of their number. Lecture 09's
# greedy text fell into loops; sampling near $T = 1$ keeps the model's own uncertainty.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_20_code"}
measured = [entropies[T] for T in sorted(entropies)]
assert all(a <= b + 1e-12 for a, b in zip(measured, measured[1:]))  # grows with T
tied = int(np.sum(STUDY_LOGITS == STUDY_LOGITS.max()))
assert tied == 2 and abs(entropy_bits(temperature_probs(STUDY_LOGITS, 1e-3)) - 1.0) < 1e-9
assert abs(entropy_bits(temperature_probs(STUDY_LOGITS, 1e6)) - math.log2(8)) < 1e-6

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_21_markdown"}
# ## Recap
#
# - Bits per character: total nats over total characters, divided by ln 2. A word-level
#   perplexity is 2 to the power of bpc × characters per word.
# - Temperature: softmax(logits / T), with each row's maximum subtracted so that large logits
#   stay finite; sampling draws with a seeded generator, the argmax is greedy decoding.
# - The entropy of the sampling distribution grows with T: the uniform $\log_2 V$ bits as
#   $T \to \infty$; as $T \to 0$, 0 bits, or $\log_2 k$ when k symbols tie for the top.
