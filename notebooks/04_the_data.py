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
# # 04 · The data
#
# Before training anything, look at the data. In this notebook, we:
#
# 1. see where the five data sets come from and check that they are here;
# 2. draw **MNIST** digits and read one row by row, the way an LSTM will;
# 3. measure **IMDB** review lengths and choose where to cut them;
# 4. count the **Penn Treebank** vocabulary and meet Zipf's law;
# 5. draw one **SST** parse tree with its sentiment labels, and count the labels;
# 6. ask **GloVe** for nearest neighbours, and measure how much of each task's vocabulary it
#    covers.
#
# Everything is loaded through `course_lib.data`; the run profile (`LSTM_COURSE_PROFILE`) picks
# how much of each data set we look at (`smoke` looks at small slices, in seconds).

# %% [markdown]
# ## Where the data comes from
#
# Every file the course reads has a pinned digest of its *content* in a registry
# (`course_lib/data/registry.py`). A loader looks first in the folder named by the environment
# variable `LSTM_COURSE_DATA` (read-only), then in the cache (the repository's `data/` folder),
# and downloads what is missing from the canonical location, checking the digest. The files may
# be plain, gzipped or inside the original archive. `status()` says where each data set was found,
# without reading anything.

# %%
import course_lib  # noqa: F401, I001  (first: fast float settings before NumPy starts threads)

import matplotlib.pyplot as plt
import numpy as np

from course_lib import active_profile, pick
from course_lib.data import status
from course_lib.tools.doctor import short_path

print(f"run profile: {active_profile()}\n")
for row in status():  # short_path writes $LSTM_COURSE_DATA, <course> and ~ for the folders
    print(f"{row['name']:6} {short_path(row['found_at']) if row['found_at'] else 'MISSING: ' + row['fix']}")

# %% [markdown]
# In a terminal, `lstm-course data check` goes further: it hashes every file and counts every
# record against the published numbers. Here we look at the data instead.

# %% [markdown]
# ## MNIST: an image as a sequence
#
# MNIST holds 70,000 hand-written digits of 28 × 28 grey pixels (60,000 for training, 10,000
# for testing). `load_mnist` returns the pixels scaled to [0, 1] and the digit as an integer.

# %%
from course_lib.data import load_mnist

mnist_split = pick(smoke="test", laptop="train")
images, labels = load_mnist(mnist_split)
print(f"MNIST {mnist_split}: images {images.shape} {images.dtype}, labels {labels.shape}")
assert images.shape[1:] == (28, 28) and 0.0 <= images.min() and images.max() <= 1.0

# %% [markdown]
# A first look at sixteen of them, with their labels:

# %%
fig, axes = plt.subplots(2, 8, figsize=(10, 3))
for ax, image, label in zip(axes.flat, images[:16], labels[:16]):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(f"label {label}", fontsize=9)
    ax.axis("off")
fig.suptitle(f"The first 16 MNIST {mnist_split} digits")
plt.show()

# %% [markdown]
# The classes are roughly balanced, so accuracy is a fair measure (always guessing the most
# frequent digit would score about 11%).

# %%
counts = np.bincount(labels, minlength=10)
fig, ax = plt.subplots(figsize=(6, 3))
ax.bar(range(10), counts)
ax.set(title=f"MNIST {mnist_split}: images per digit", xlabel="digit", ylabel="images",
       xticks=range(10))
plt.show()
print(f"most frequent digit: {counts.argmax()} ({counts.max() / counts.sum():.1%} of images)")

# %% [markdown]
# An LSTM reads a sequence of vectors $x_1, \dots, x_T$. To feed it an image, we read the image
# **one row per time step**: $T = 28$ steps, each $x_t$ a vector of $D = 28$ pixel values. The
# network sees the top of the digit first and must remember it until the last row.

# %%
from course_lib.plots.data import plot_digit_rows

plot_digit_rows(images[0], labels[0])
plt.show()

# %% [markdown]
# ## IMDB: how long is a review?
#
# The Large Movie Review Dataset holds 50,000 reviews, labelled positive (rating 7-10) or
# negative (1-4), split in half for training and testing, plus 50,000 unlabelled ones. The
# loader reads them straight from the original archive (the first time takes a few seconds;
# the parsed texts are cached).

# %%
from course_lib.data import load_imdb, tokenize

texts, imdb_labels = load_imdb("train")
print(f"{len(texts):,} training reviews, {imdb_labels.mean():.0%} positive")
print(f"\nreview 0 (label {imdb_labels[0]}):\n{texts[0][:400]}...")

# %% [markdown]
# The raw text contains HTML line breaks (`<br />`), capitals and punctuation glued to words.
# The course's tokenizer removes the line breaks, lower-cases, and splits punctuation and the
# clitics `n't`, `'s`, ... off the words (as GloVe's vocabulary does):

# %%
# NBVAL_CHECK_OUTPUT
print(tokenize("A <br /><br />GREAT film, isn't it? I'd watch it again!"))

# %% [markdown]
# An LSTM reads one token per time step, so the review length is the sequence length. We
# tokenise a sample of reviews (all of them in the laptop profile) and look at the distribution.

# %%
from course_lib.data import TokenizedCorpus, load_imdb_tokens

if active_profile() == "smoke":
    sample = np.random.default_rng(0).choice(len(texts), size=500, replace=False)
    corpus = TokenizedCorpus.from_texts([texts[i] for i in sample])
else:
    corpus, _ = load_imdb_tokens("train")  # tokenised once, then cached
lengths = corpus.lengths
print(f"{len(lengths):,} reviews: median {np.median(lengths):.0f} tokens, "
      f"90th percentile {np.percentile(lengths, 90):.0f}, longest {lengths.max():,}")

# %% [markdown]
# Batches are rectangular, so reviews are padded to a common length, and the longest reviews
# would make every step slow. We therefore **cut reviews after `max_len` tokens**. The
# histogram shows what a cut at 400 tokens keeps: most reviews whole, and most of the words.

# %%
max_len = 400
cut = lengths > max_len
tokens_lost = np.maximum(lengths - max_len, 0).sum() / lengths.sum()

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.hist(np.minimum(lengths, 1500), bins=60, color="tab:blue")
ax.axvline(max_len, color="tab:red", label=f"cut-off: {max_len} tokens")
ax.set(title="IMDB training reviews: length in tokens (longer than 1,500 drawn at 1,500)",
       xlabel="review length (tokens)", ylabel="reviews")
ax.legend()
plt.show()
print(f"a cut at {max_len} tokens shortens {cut.mean():.1%} of the reviews "
      f"and drops {tokens_lost:.1%} of all tokens")
assert 0 < cut.mean() < 0.5

# %% [markdown]
# ## Penn Treebank: a vocabulary of 10,000 words
#
# Mikolov's version of the Penn Treebank is the classic language-modelling benchmark: Wall
# Street Journal sentences, lower-cased, numbers replaced by `N` and every word outside the
# 10,000 most frequent replaced by `<unk>`. `load_ptb` returns one long token stream with an
# `<eos>` at the end of each sentence.

# %%
from collections import Counter

from course_lib.data import load_ptb

ptb_split = pick(smoke="valid", laptop="train")
stream = load_ptb(ptb_split)
sentence_ends = [i for i, token in enumerate(stream[:200]) if token == "<eos>"]
print(f"PTB {ptb_split}: {len(stream):,} tokens")
print(" ".join(stream[: sentence_ends[1] + 1]))

# %% [markdown]
# Count the words. The vocabulary of the training split has exactly 10,000 entries, `<eos>`
# included; `<unk>` is one of the most frequent "words". (The very first line of the training
# split is an odd list of rare words; the sentences after it are ordinary news text.)

# %%
word_counts = Counter(stream)
print(f"distinct tokens: {len(word_counts):,}")
print("most frequent:", ", ".join(f"{w} ({c:,})" for w, c in word_counts.most_common(12)))
print(f"<unk> is {word_counts['<unk>'] / len(stream):.1%} of the tokens")
if ptb_split == "train":
    assert len(word_counts) == 10_000

# %% [markdown]
# Sort the words by frequency and plot frequency against rank on log-log axes: the points fall
# close to a straight line, **Zipf's law** (frequency ∝ 1 / rank^s with s near 1). A few words
# are everywhere and most are rare: a language model spends most of its parameters on words it
# seldom sees.

# %%
frequencies = np.array(sorted(word_counts.values(), reverse=True))
ranks = np.arange(1, len(frequencies) + 1)
middle = slice(10, min(1000, len(ranks)))  # fit away from the ends
slope, intercept = np.polyfit(np.log(ranks[middle]), np.log(frequencies[middle]), 1)

fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(ranks, frequencies, ".", ms=2, label="PTB words")
ax.loglog(ranks, np.exp(intercept) * ranks**slope, "--", color="tab:red",
          label=f"fitted slope {slope:.2f}")
ax.set(title=f"Zipf's law in PTB {ptb_split}", xlabel="rank of the word (log scale)",
       ylabel="occurrences (log scale)")
ax.legend()
plt.show()

# %% [markdown]
# A language model reads this stream in Zaremba's layout: `batchify` cuts it into B long rows,
# and training walks along them in windows of T steps; the targets are the inputs shifted by one
# token (the last window is shorter when the rows do not divide evenly; it is kept, so every token
# is predicted once). Here is the first window, with B = 4 rows and T = 8 steps:

# %%
from course_lib.data import Vocab, batchify, bptt_windows

vocab = Vocab(word_counts, specials=())
data = batchify(vocab.encode(stream), batch_size=4)  # (B, L)
inputs, targets = next(bptt_windows(data, num_steps=8))  # (B, T) each
for b in range(4):
    print(f"row {b}: {' '.join(vocab.decode(inputs[b])):55} -> next: {vocab.decode(targets[b])[-1]}")

# %% [markdown]
# The character-level files spell the same text one character at a time, `_` standing for a
# space: 49 symbols, plus `<eos>`.

# %%
chars = load_ptb("valid", level="char")
print(" ".join(chars[:40]))
print(f"{len(set(chars))} distinct symbols in the valid split")

# %% [markdown]
# ## SST: sentiment on every phrase
#
# The Stanford Sentiment Treebank gives each sentence as a binary parse tree, and **every
# node**, from single words to the whole sentence, carries a label from 0 (very negative) to 4
# (very positive). Here is a short training sentence, drawn:

# %%
from course_lib.data import load_sst, load_sst_trees
from course_lib.plots.data import draw_tree

trees = load_sst_trees("train")
short = next(t for t in trees if 6 <= len(t.leaves()) <= 9 and t.label in (0, 4)
             and len({node.label for node in t.subtrees()}) >= 4)
print(" ".join(short.leaves()), f"-> sentence label {short.label}")
draw_tree(short)
plt.show()

# %% [markdown]
# Notice how the labels change from the words up: that is what makes SST a good test of a
# model's ability to compose meaning. The five classes are not balanced, and the neutral middle
# is hard to separate from its neighbours; the binary task drops the neutral sentences.

# %%
splits = ("train", "dev", "test")
sst = {s: load_sst(s) for s in splits}  # split -> (sentences, fine labels)
fine_counts = {s: np.bincount(sst[s][1], minlength=5) for s in splits}

fig, ax = plt.subplots(figsize=(7, 3.5))
for k, split in enumerate(splits):
    share = fine_counts[split] / fine_counts[split].sum()
    ax.bar(np.arange(5) + 0.27 * (k - 1), share, width=0.27, label=f"{split} ({fine_counts[split].sum():,})")
ax.set(title="SST-5: sentence labels per split", xlabel="label", ylabel="share of sentences",
       xticks=range(5), xticklabels=["0 very neg.", "1 neg.", "2 neutral", "3 pos.", "4 very pos."])
ax.legend()
plt.show()

# %% [markdown]
# The published split sizes: 8,544 / 1,101 / 2,210 sentences, and 6,920 / 872 / 1,821 for the
# binary task, which keeps the sentences not labelled 2 (`load_sst(split, labels="binary")`).

# %%
# NBVAL_CHECK_OUTPUT
sizes = {s: (len(sst[s][1]), int((sst[s][1] != 2).sum())) for s in splits}
print(sizes)
assert sizes == {"train": (8544, 6920), "dev": (1101, 872), "test": (2210, 1821)}

# %% [markdown]
# ## GloVe: words as vectors
#
# GloVe 6B gives 400,000 words a 50-dimensional vector each, learned from co-occurrence counts
# over 6 billion tokens of Wikipedia and news. Words used in similar contexts get similar
# vectors, which we can see by asking for nearest neighbours (cosine similarity). The smoke
# profile loads only the 20,000 most frequent words.

# %%
from course_lib.data import load_glove, nearest_neighbours

glove = load_glove(50, limit=pick(smoke=20_000, laptop=None))
print(f"{len(glove.words):,} words, vectors {glove.vectors.shape} {glove.vectors.dtype}")
for word in ("good", "terrible", "movie", "france", "three"):
    neighbours = nearest_neighbours(glove, word, k=5)
    print(f"{word:9} -> " + ", ".join(f"{w} ({s:.2f})" for w, s in neighbours))

# %% [markdown]
# Pretrained vectors only help for the words they know. For each text task, we build the
# vocabulary a model would use and measure the share of its words found in GloVe (**type
# coverage**) and the share of the running text they make up (**token coverage**). GloVe 6B is
# lower-cased, so IMDB's and SST's words are looked up as written, then lower-cased. Penn
# Treebank's text is already lower-case except for `N`, which stands for any number: lower-cased
# it would get GloVe's vector for the letter "n", so PTB's words are looked up exactly
# (`lowercase=False`) and `N` starts random, like `<unk>` and `<eos>`.

# %%
from course_lib.data import embedding_matrix


def coverage(counts: Counter, max_size: int | None = None, lowercase=True) -> tuple[float, float]:
    """(type coverage, token coverage) of the vocabulary built from ``counts``."""
    task_vocab = Vocab(counts, max_size=max_size)
    _, type_coverage = embedding_matrix(task_vocab, glove, oov_init="zeros", lowercase=lowercase)
    known = set(glove.words)
    words = task_vocab.itos[len(task_vocab.specials):]
    covered = sum(counts[w] for w in words if w in known or (lowercase and w.lower() in known))
    return type_coverage, covered / sum(counts.values())


imdb_counts = Counter(corpus.counts())
sst_counts = Counter(w for sentence in sst["train"][0] for w in sentence)
tasks = {
    "IMDB (top 20,000)": coverage(imdb_counts, max_size=20_002),
    "PTB (10,000)": coverage(word_counts, lowercase=False),
    "SST train (all)": coverage(sst_counts),
}
for task, (types, tokens) in tasks.items():
    print(f"{task:18} type coverage {types:6.1%}   token coverage {tokens:6.1%}")

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
x = np.arange(len(tasks))
ax.bar(x - 0.2, [t for t, _ in tasks.values()], width=0.4, label="vocabulary types")
ax.bar(x + 0.2, [t for _, t in tasks.values()], width=0.4, label="running tokens")
ax.set(title=f"Share of each task's vocabulary found in GloVe ({len(glove.words):,} words)",
       xticks=x, xticklabels=list(tasks), ylabel="share found in GloVe", ylim=(0, 1.25))
ax.legend(loc="upper center", ncol=2)
plt.show()

# %% [markdown]
# The words GloVe lacks are mostly rare: typos, names, and (for PTB) the placeholders `<unk>`,
# `<eos>` and `N`. Their rows in an embedding matrix start random and are learned from the task,
# or, in the frozen-GloVe NumPy model of notebook 08, stay random. Rare as types, the three
# placeholders are not rare in the text; the cell below counts how much of it they are.

# %%
placeholders = {token: word_counts[token] / len(stream) for token in ("<unk>", "<eos>", "N")}
print(", ".join(f"{token} {share:.1%}" for token, share in placeholders.items())
      + f" of the {ptb_split} tokens: {sum(placeholders.values()):.1%} together")
assert 0.03 < placeholders["N"] < 0.04  # the prose below: 3 to 4 inputs in a hundred

# %% [markdown]
# So for the frozen-GloVe model of notebook 08, what `N` starts from is not a detail: 3 to 4
# inputs in a hundred are a number. Before December 2026 it was looked up lower-cased and got GloVe's
# vector for the letter "n", a vector about a letter, frozen for the whole run. A random vector
# of its own tells the model only "this is some token that is not a known word", which the LSTM
# can learn to read. Notebook 08 gives the perplexity after the change.
#
# ## Recap
#
# - Every data set is loaded by one `course_lib.data` function, from `LSTM_COURSE_DATA`, the
#   cache or a verified download; `lstm-course data check` proves digests and record counts.
# - **MNIST**: 28 × 28 images read as 28 steps of 28 pixels; balanced classes.
# - **IMDB**: 25,000 + 25,000 balanced reviews of very different lengths; cutting at 400 tokens
#   shortens a minority of reviews and keeps most of the text.
# - **PTB**: a 10,000-word vocabulary following Zipf's law, read in Zaremba's batch layout.
# - **SST**: labelled parse trees; five unbalanced classes, or two without the neutral ones.
# - **GloVe**: 400,000 vectors whose neighbours make sense, covering 90% or more of the running
#   text of each task.
#
# Practice: `exercises/04_the_data` (a vocabulary with `<unk>`, encoding, batchify and BPTT
# windows, and the `<unk>` rate of the validation text measured as the vocabulary grows).
# Next: `05_numpy_to_pytorch`, then the experiments on these data sets from notebook 06 on.
