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
# # 07 · Practice: from reviews to a padded batch
#
# Before an LSTM can read a movie review, the review must become a row of integers, and reviews
# of different lengths must share one rectangular array. Notebook 07 used the course's `Vocab`
# and `pad_batch` for that; here you write them yourself.
#
# In this notebook, we:
#
# 1. write `build_vocab`: the list of known words, special tokens first, then by frequency;
# 2. write `encode`: a review's tokens as ids, unknown words mapped to `<unk>`;
# 3. write `pad_batch`: several encoded reviews as one right-padded array, with their lengths
#    and a mask;
# 4. run all three on real IMDB reviews, and see why the mask matters to an LSTM.
#
# Each exercise cell is followed by a check that runs your function on fixed inputs, compares
# it with the course's reference and says what is wrong.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_01_code"}
from collections import Counter

import numpy as np
import torch

from course_lib import pick
from course_lib.checks.imdb_sentiment import check_build_vocab, check_encode, check_pad_batch
from course_lib.checks.report import graded
from course_lib.data import load_imdb_tokens

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_02_markdown"}
# ## 1. The vocabulary
#
# `build_vocab(texts, min_freq)` takes tokenised texts (lists of strings) and returns `itos`
# ("integer to string"): the list of tokens in id order.
#
# - ids 0 and 1 are the special tokens `"<pad>"` (fills the empty steps of a padded batch) and
#   `"<unk>"` (stands for every word the vocabulary does not know);
# - then every word seen at least `min_freq` times **across all the texts**, the most frequent
#   first (small ids for frequent words), ties broken alphabetically so that the same texts
#   always give the same ids.
#
# Build it from the *training* texts only: words that appear only in the test set must look
# unknown, as they will to the model.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_03_markdown"}
# <details><summary>Hint 1</summary>
#
# collections.Counter counts; sort the kept words by the key (-count, word)
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "build_vocab"}
def build_vocab(texts, min_freq=1):
    """itos: ["<pad>", "<unk>", words with count >= min_freq by decreasing count, then A-Z]."""
    ### BEGIN SOLUTION
    counts = Counter(token for text in texts for token in text)
    words = [w for w, c in counts.items() if c >= min_freq]
    words.sort(key=lambda w: (-counts[w], w))
    return ["<pad>", "<unk>"] + words
    ### END SOLUTION


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 1, "grade_id": "test_check_build_vocab"}
graded(check_build_vocab, build_vocab)
### BEGIN HIDDEN TESTS
graded(check_build_vocab, build_vocab, seed=27, min_freq=3)  # nine other texts
graded(check_build_vocab, build_vocab, seed=28, min_freq=1)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_06_markdown"}
# ## 2. Encoding a review
#
# `encode(tokens, stoi, unk_id)` looks each token up in `stoi` ("string to integer", the
# dictionary `{token: id}`) and returns an int64 array with one id per token. A token that is
# not in the vocabulary is not dropped: it becomes `unk_id`, so that the review keeps its
# length and the model knows a word was there.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "encode"}
def encode(tokens, stoi, unk_id):
    """int64 array (number of tokens,) of ids; unknown tokens -> unk_id."""
    ### BEGIN SOLUTION
    return np.array([stoi.get(token, unk_id) for token in tokens], dtype=np.int64)
    ### END SOLUTION


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 1, "grade_id": "test_check_encode"}
graded(check_encode, encode)
### BEGIN HIDDEN TESTS
graded(check_encode, encode, seed=29)  # another vocabulary, <unk> not at id 1
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_09_markdown"}
# ## 3. Padding a batch
#
# `pad_batch(sequences, max_len, pad_id)` turns N id arrays of different lengths into:
#
# - `ids`: int64 (N, T), each sequence's **first** `max_len` ids at the start of its row
#   (right padding), `pad_id` after it. T is the longest *kept* length, so a batch of short
#   reviews stays small (T is at most `max_len`);
# - `lengths`: int64 (N,), the number of ids kept per row;
# - `mask`: bool (N, T), True on real tokens, False on padding.
#
# Do not modify the input arrays.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_10_markdown"}
# <details><summary>Hint 2</summary>
#
# lengths first (capped at max_len), then T = lengths.max(), then fill row by row
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "pad_batch"}
def pad_batch(sequences, max_len, pad_id=0):
    """(ids (N, T) int64, lengths (N,) int64, mask (N, T) bool), right-padded, cut at max_len."""
    ### BEGIN SOLUTION
    lengths = np.array([min(len(s), max_len) for s in sequences], dtype=np.int64)
    T = int(lengths.max())
    ids = np.full((len(sequences), T), pad_id, dtype=np.int64)
    for row, (sequence, length) in enumerate(zip(sequences, lengths)):
        ids[row, :length] = sequence[:length]
    mask = np.arange(T)[None, :] < lengths[:, None]  # (N, T)
    return ids, lengths, mask
    ### END SOLUTION


# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "test_check_pad_batch"}
graded(check_pad_batch, pad_batch)
### BEGIN HIDDEN TESTS
graded(check_pad_batch, pad_batch, seed=30, pad_id=3)  # six other sequences, max_len 7
graded(check_pad_batch, pad_batch, seed=31)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_13_markdown"}
# ## 4. On real reviews
#
# The IMDB training reviews, tokenised by the course's data layer (lower-cased, punctuation
# split off; the tokens are cached, so this is quick). We build the vocabulary from a slice of
# them with your function and compare it with the course's `Vocab`.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_14_code"}
from course_lib.data import Vocab

corpus, labels = load_imdb_tokens("train")
n_reviews = pick(smoke=300, laptop=5_000)
rng = np.random.default_rng(0)
texts = [corpus[i] for i in rng.permutation(len(corpus))[:n_reviews]]
itos = build_vocab(texts, min_freq=2)
stoi = {token: i for i, token in enumerate(itos)}
assert itos == Vocab.build(texts, min_freq=2).itos, "your vocabulary differs from the course's"
print(f"{n_reviews} reviews -> {len(itos):,} entries; the 12 most frequent words: {itos[2:14]}")

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_15_markdown"}
# How many tokens of *other* reviews does this vocabulary know? Test reviews were never seen
# while building it.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_16_code"}
test_corpus, _ = load_imdb_tokens("test")
test_texts = [test_corpus[i] for i in range(0, len(test_corpus), len(test_corpus) // 200)]
encoded = [encode(t, stoi, unk_id=1) for t in test_texts]
unknown = np.mean(np.concatenate(encoded) == 1)
print(f"unknown tokens in {len(test_texts)} test reviews: {100 * unknown:.1f} %")

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_17_markdown"}
# Now a batch of four reviews, cut at 12 tokens so that it fits on the screen: the rows
# decoded back to words, padding shown as `·`.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_18_code"}
batch_ids, batch_lengths, batch_mask = pad_batch(encoded[:4], max_len=12, pad_id=0)
print("ids:\n", batch_ids)
print("lengths:", batch_lengths)
for row in batch_ids:
    print(" ".join("·" if i == 0 else itos[i] for i in row))

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_19_markdown"}
# ## 5. Why the mask matters
#
# The same review, alone and in a batch beside a much longer one (so that it gets padded).
# A classifier that averages its LSTM's outputs over time gives the review the same score
# both ways **only when it is told the lengths**: without them the padded steps are averaged
# in too, and the score depends on who shares the batch.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_20_code"}
from course_lib.torch_models import SequenceClassifier

torch.manual_seed(0)
model = SequenceClassifier(2, vocab_size=len(itos), embed_dim=16, hidden_size=8, pooling="mean")
model.eval()
short, long = encoded[0][:20], encoded[1][:200]
alone = torch.from_numpy(short)[None]  # (1, 20)
ids, lengths, _ = pad_batch([short, long], max_len=200)
ids, lengths = torch.from_numpy(ids), torch.from_numpy(lengths)
with torch.no_grad():
    score_alone = model(alone)[0]
    score_masked = model(ids, lengths)[0]
    score_unmasked = model(ids)[0]
print("alone:               ", score_alone.numpy().round(4))
print("padded, with lengths:", score_masked.numpy().round(4))
print("padded, no lengths:  ", score_unmasked.numpy().round(4))
assert torch.allclose(score_alone, score_masked, atol=1e-5)
assert not torch.allclose(score_alone, score_unmasked, atol=1e-3)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_21_markdown"}
# ## Recap
#
# - A vocabulary lists the specials first (`<pad>` = 0, `<unk>` = 1), then the training words
#   by decreasing frequency, ties alphabetical; rare words are left to `<unk>`.
# - Encoding maps unknown words to `<unk>` instead of dropping them.
# - A padded batch is right-padded to its longest kept sequence and carries the lengths (or a
#   mask): the model must be given them, or the padding leaks into what it computes.
