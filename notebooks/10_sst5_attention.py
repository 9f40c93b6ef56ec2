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
# # 10 · SST-5: fine-grained sentiment, and attention
#
# The Stanford Sentiment Treebank (Socher et al., 2013) holds 11,855 movie-review sentences,
# each parsed into a binary tree whose every node, from single words up to the whole sentence,
# was labelled by people on five levels: *very negative, negative, neutral, positive, very
# positive*. Five classes that shade into each other make it hard: the seed projects' best
# model, an LSTM with attention, reached 47.3 % test accuracy; Kim's CNN (2014) 48.0 %; the
# Tree-LSTM of Tai et al. (2015), which follows the parse trees, 51.0 %.
#
# In this notebook, we:
#
# 1. look at the trees, and at the 159,274 labelled phrases hidden inside the training sentences;
# 2. build *attention pooling*: a learned weighted average over time that must ignore padding;
# 3. train a small LSTM with attention live, and read its attention weights;
# 4. read the full experiment's table: LSTM, stacked LSTM, two attentions, GloVe or random
#    embeddings, each over three seeds, beside the seeds' rows, and the phrase-level recipe that
#    goes further;
# 5. pre-train the encoder on IMDB's movie reviews, then fine-tune it on SST (transfer);
# 6. follow the parse trees with a Tree-LSTM, a label at every node, and check its gradients;
# 7. reproduce the seeds' overfitting curve (10 epochs against 2) from per-epoch evaluation;
# 8. look at what the best model confuses, and where it looks.
#
# The long runs are not repeated here: `lstm-course run sst`, `sst-transfer` and `sst-tree`
# wrote `results/sst*.json` on a 2-core CPU and this notebook reads them (the `smoke` profile
# runs tiny versions instead).

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display

from course_lib import active_profile, pick
from course_lib.data import load_sst_trees

profile = active_profile()
print(f"run profile: {profile}")

# %% [markdown]
# ## 1. Sentences as labelled trees
#
# Each line of the treebank is one sentence in bracket notation. Every node carries a label
# from 0 (very negative) to 4 (very positive); the root's label is the sentence's. Here is a
# short training sentence, printed as a tree:

# %%
trees = {split: load_sst_trees(split) for split in ("train", "dev", "test")}
print({split: len(t) for split, t in trees.items()})
short = next(t for t in trees["train"] if len(t.leaves()) == 7)
print(short)

# %% [markdown]
# The seeds trained on the 8,544 training sentences, one label each. But every node of every
# tree is labelled, and a phrase like "not very good" teaches negation better than a whole
# sentence does. `course_lib.experiments.common.sst_data.load_split` collects every *distinct*
# labelled phrase of the training trees (a phrase seen twice is kept once). Dev and test stay
# whole sentences: the task is to label sentences.

# %%
from course_lib.data.sst import FINE_NAMES
from course_lib.experiments.common.sst_data import load_split

train_size = pick(smoke=300, laptop=None)
phrases, phrase_labels = load_split("train", "fine", phrases=True, limit=train_size)
sentences, sentence_labels = load_split("train", "fine", limit=train_size)
print(f"{len(sentences):,} training sentences -> {len(phrases):,} labelled phrases "
      f"({len(phrases) / len(sentences):.0f}x the labels)")
print("mean length (tokens): sentences", round(np.mean([len(s) for s in sentences]), 1),
      "phrases", round(np.mean([len(p) for p in phrases]), 1))

# %% [markdown]
# Most phrases are short and neutral (a single word is usually neutral); the sentences spread
# over all five classes. Both matter below: the phrases carry the many small lessons, the
# sentences are what we are tested on.

# %%
fig, ax = plt.subplots(figsize=(7, 3.6))
width = 0.4
for k, (name, labels) in enumerate([("sentences", sentence_labels), ("phrases", phrase_labels)]):
    share = 100 * np.bincount(labels, minlength=5) / len(labels)
    ax.bar(np.arange(5) + (k - 0.5) * width, share, width, label=name)
ax.set(title="SST-5 training labels: sentences vs all labelled phrases",
       xlabel="class", ylabel="share of examples (%)", xticks=range(5))
ax.set_xticklabels(FINE_NAMES)
ax.legend()
fig.tight_layout()

# %% [markdown]
# ## 2. Attention pooling, with a mask
#
# The LSTM gives one hidden state h_t per token, (N, T, H) for a batch. A classifier needs one
# vector per sentence. Taking the last state asks the LSTM to carry everything to the end;
# **attention** lets the model choose: a score per step, a softmax over the steps, and the
# weighted average of the states,
#
# $$ s_t = v^\top \tanh(W h_t + b), \qquad a_t = \frac{e^{s_t}}{\sum_{u} e^{s_u}}, \qquad
#    \text{pooled} = \sum_t a_t h_t. $$
#
# That is *additive* attention (Bahdanau et al., 2015). The seeds used a variant: queries
# $Q = X W_Q$, one learned key vector $K$, weights $A = \mathrm{softmax}(QK)$, values
# $V = X W_V$ and output $\mathrm{Linear}(V^\top A)$. Both are in `course_lib.torch_models`.
#
# Sentences in a batch have different lengths, so they are right-padded. The padded steps
# must get **zero** weight: their scores are set to $-\infty$ before the softmax (not to 0:
# $e^0 = 1$). Here is the check that the course's module does it: changing what sits on the
# padded steps changes nothing.

# %%
from course_lib.plots import diagrams

diagrams.attention_pooling()

# %% [markdown]
# *Figure: Attention pooling: a score per step, a softmax over the real words only, and the weighted sum of the LSTM outputs.*

# %%
from course_lib.torch_models import AdditiveAttention, SeedAttention

torch.manual_seed(0)
h = torch.randn(2, 5, 8)  # (N, T, H): two sequences, the second of length 3
mask = torch.tensor([[True] * 5, [True, True, True, False, False]])  # (N, T)
for layer in (AdditiveAttention(8, 6), SeedAttention(8, 6)):
    pooled, weights = layer(h, mask)
    noisy = h.clone()
    noisy[1, 3:] = 100.0  # garbage on the padded steps
    pooled_noisy, _ = layer(noisy, mask)
    assert torch.allclose(pooled, pooled_noisy) and torch.all(weights[1, 3:] == 0)
    print(type(layer).__name__, "weights of sequence 2:", weights[1].detach().numpy().round(3))

# %% [markdown]
# ## 3. A small LSTM with attention, trained live
#
# The experiment trains every model with the course's `Trainer`: Adam (lr 1e-3, weight decay
# 1e-4), dropout 0.5, batches of 64, clipping at norm 5, and an evaluation on dev (and test)
# after every epoch. The best epoch is chosen on **dev** only. A short version of one row:
# an LSTM with the seeds' attention on GloVe-50, trained on sentences.

# %%
from course_lib.data import load_glove
from course_lib.experiments.common.sst_data import build_vocab, encode
from course_lib.experiments.common.sst_models import RECIPES, build_model, group_params
from course_lib.experiments.common.sst_training import SSTConfig, SSTTask
from course_lib.training import TrainConfig, Trainer

glove = load_glove(50)
dev_texts, dev_labels = load_split("dev", "fine", limit=pick(smoke=200, laptop=None))
test_texts, test_labels = load_split("test", "fine", limit=pick(smoke=200, laptop=None))
vocab = build_vocab(sentences, [dev_texts, test_texts], glove.words)
from course_lib.data import embedding_matrix

matrix, coverage = embedding_matrix(vocab, glove)
print(f"vocabulary {len(vocab):,} words, {100 * coverage:.1f} % found in GloVe")

demo = SSTConfig(hidden_size=pick(smoke=8, laptop=100))
recipe = RECIPES["seed_attention-glove"]
task = SSTTask(encode(vocab, sentences, sentence_labels), encode(vocab, dev_texts, dev_labels),
               encode(vocab, test_texts, test_labels), batch_size=64, eval_batch_size=500,
               bucket=True)
torch.manual_seed(0)
model = build_model(recipe, len(vocab), matrix, demo)
trainer = Trainer(model, task, TrainConfig(epochs=pick(smoke=1, laptop=3), weight_decay=1e-4,
                                           monitor="val_accuracy", eval_test=True),
                  param_groups=group_params(model, recipe), progress=False)
live = trainer.fit()
for epoch, dev_acc, test_acc in zip(live["history"]["epoch"], live["history"]["val_accuracy"],
                                    live["history"]["test_accuracy"]):
    print(f"epoch {epoch}: dev {100 * dev_acc:.1f} %, test {100 * test_acc:.1f} %")

# %% [markdown]
# Where does it look? For a few short test sentences, the attention weights of every token
# (the model returns them with `return_weights=True`). Even after a few epochs the weight
# gathers on the sentiment-bearing words.

# %%
from course_lib.experiments.common.sst_training import attention_examples, predict
from course_lib.plots.sst import plot_attention

test_data = encode(vocab, test_texts, test_labels)
probabilities, weights = predict(model, test_data)
examples = attention_examples(weights, probabilities.argmax(1), test_data, vocab, 6)
fig = plot_attention(examples, title="Live model (seeds' attention, sentences)")

# %% [markdown]
# ## 4. The full experiment: the table
#
# `lstm-course run sst` trains every row with three seeds and reports the **mean ± standard
# deviation** of the test accuracy at each seed's best-dev epoch. SST-5 is noisy (1,101 dev and
# 2,210 test sentences; a single seed moves by a point or more), so one seed per row would be
# an anecdote.
#
# Two groups of rows:
#
# - **the seeds' table**, as they ran it: a unidirectional LSTM(150) trained on the 8,544
#   sentences for 10 epochs; last state (`lstm`), two stacked layers (`stacked`), the seeds'
#   attention and additive attention; each with GloVe-50 (fine-tuned) or random embeddings;
# - **our recipe**, `phrases-glove`: all 159,274 labelled phrases, a bidirectional LSTM(150),
#   max pooling and additive attention side by side, GloVe fine-tuned; an "epoch" here is half
#   of the phrases (a fresh random half each time), so the best checkpoint is picked on dev
#   twice per pass, and the learning rate is halved after each such round past the fourth;
#   and `sst2-phrases`, the same on the binary task.
#
# Two things every row shares with the seeds and one it does not: Adam at lr 1e-3 with weight
# decay 1e-4 and dropout 0.5, but **no weight decay on the embedding**. Adam adds the decay to
# the gradient and then normalises it, so a row of a word that is not in the batch, whose
# gradient is the decay alone, moves by about the full learning rate towards zero at every
# step: after a few thousand steps the GloVe vectors of rare words, and of dev and test words
# never seen in training, are erased.
#
# Tried and dropped (one pass over the phrases, seed 0, dev accuracy): label smoothing 0.1 and
# GloVe fine-tuned at a tenth of the learning rate, both 1-2 points worse; the options remain
# in `course_lib.experiments.common.sst_models.Recipe`.
#
# What was cut to fit the 2-core budget: three seeds (not five), hidden size 150, four passes
# over the phrases; the phrase-level ablations (random embeddings, attention alone) are not
# in the laptop run (`lstm-course run sst --set rows=phrases-random,phrases-attention` runs them).

# %%
from course_lib.runs.notebook_support import describe_machine, experiment_results, markdown_table

record = experiment_results("sst")
rows = record["extra"]["rows"]
display(Markdown(
    f"Profile **{record['profile']}**, {describe_machine(record['device'])}, total wall time {record['wall_time_s'] / 60:.1f} min "
    f"(other jobs shared the CPU). Reproduce: `lstm-course run sst"
    f"{'' if record['profile'] == 'laptop' else ' --profile ' + record['profile']}`."))
from course_lib.experiments.common.sst_results import results_table

display(Markdown(markdown_table(results_table(record))))

# %% [markdown]
# The ensemble of a row's three seeds is not that row's result (it is three models, the row
# reports one), but the per-seed predictions are in the results, so averaging the three
# seeds' probabilities costs nothing (section 6 makes an ensemble a row of its own, repeated
# over seeds like any other):

# %%
for name, row in rows.items():
    print(f"{name:>22}: mean of seeds {100 * row['test_mean']:.2f} %, ensemble of "
          f"{row['seeds']} seeds {100 * row['ensemble_test_accuracy']:.2f} %")

# %% [markdown]
# The claims this notebook makes, checked on the numbers above (laptop results):

# %%
fine_rows = {n: r for n, r in rows.items() if r["recipe"]["labels"] == "fine"}
best_name = max(fine_rows, key=lambda n: np.mean(fine_rows[n]["val_accuracy"]))  # on dev
best = fine_rows[best_name]
print(f"best SST-5 row on dev: {best_name} (dev {100 * np.mean(best['val_accuracy']):.2f} %); "
      f"its test accuracy {100 * best['test_mean']:.2f} ± {100 * best['test_std']:.2f} %"
      f" (target 50.0 %; seeds' best 47.3 %)")
if profile != "smoke":
    assert best_name == "phrases-glove"
    assert best["test_mean"] > max(r["test_mean"] for n, r in fine_rows.items()
                                   if not r["recipe"]["phrases"])
    assert best["test_mean"] > 0.473  # the seeds' best row
    sentence_glove = [r["test_mean"] for n, r in fine_rows.items() if n.endswith("-glove")
                      and not r["recipe"]["phrases"]]
    sentence_random = [r["test_mean"] for n, r in fine_rows.items() if n.endswith("-random")]
    assert np.mean(sentence_glove) > np.mean(sentence_random)  # pretrained embeddings help

# %% [markdown]
# <!-- claims: sst-transfer -->
# ## 5. Borrowing from IMDB: pre-train, then fine-tune
#
# GloVe vectors come from counts of which words occur near which: *good* and *bad* sit close
# together, because they turn up in the same places. What tells them apart has to be learnt
# from SST's 8,544 training sentences (159,274 phrases, but all cut from those sentences).
# The IMDB reviews of notebook 07 are the same domain, movie reviews, with 25,000 labels
# (positive or negative) and about 40 times the words. **Transfer learning** uses them in three
# steps; `lstm-course run sst-transfer` (`course_lib.experiments.sst_transfer`) runs them per
# seed:
#
# 1. one vocabulary for both corpora: SST's training words, the IMDB words seen at least twice
#    and the dev/test words GloVe knows, every row starting from GloVe-50. IMDB's tokenizer
#    splits `n't` and `'s` off as the treebank does, so a word has one row whichever corpus it
#    comes from;
# 2. **pre-train** the model of `phrases-glove` (BiLSTM, max + attention pooling) with a
#    two-class head on IMDB: a few passes over the reviews, each cut to its first tokens;
# 3. drop that head, put a fresh five-class head on the same encoder and **fine-tune** all of
#    it on the SST phrases as `phrases-glove` does: same rounds, same learning rates, the round
#    picked on SST dev.
#
# The experiment has a control row, `no-pretraining`: the same vocabulary, model and
# fine-tuning, starting from GloVe alone. Both of its rows use dropout 0.3 instead of 0.5 (the
# pre-trained model's mean dev accuracy over three seeds: 48.6 % at 0.3, 48.0 % at 0.5 with
# `--set dropout=0.5`), so the control, not `phrases-glove`, is the fair comparison: the two
# differ only in where the weights start.

# %%
from course_lib.experiments.common.sst_results import epoch_curves

transfer = experiment_results("sst-transfer")
pre = transfer["extra"]["rows"]["transfer"]
control = transfer["extra"]["rows"]["no-pretraining"]
cfg = transfer["config"]
pretraining = (f"IMDB, {cfg['imdb_epochs']} passes over {cfg['imdb_reviews'] or 25000:,} "
               f"reviews (first {cfg['imdb_max_len']} tokens)")
comparison = []
for name, row, dropout, started in [
        ("phrases-glove", rows["phrases-glove"], record["config"]["dropout"], "GloVe-50"),
        ("no-pretraining", control, cfg["dropout"], "GloVe-50"),
        ("transfer", pre, cfg["dropout"], pretraining)]:
    comparison.append({
        "row": name, "weights start from": started, "dropout": dropout,
        "dev accuracy (%)": f"{100 * np.mean(row['val_accuracy']):.2f}",
        "test accuracy (%)": f"{100 * row['test_mean']:.2f} ± {100 * row['test_std']:.2f}",
        "seeds": row["seeds"], "best-dev rounds": ", ".join(map(str, row["best_epoch"])),
        "wall time (min)": f"{(row['wall_time_s'] + row.get('pretrain_wall_time_s', 0)) / 60:.1f}",
    })
display(Markdown(markdown_table(comparison)))
print(f"IMDB test accuracy of the pre-trained models ({cfg['imdb_test_reviews']:,} test reviews):",
      ", ".join(f"{100 * a:.1f} %" for a in pre["imdb_test_accuracy"]))
print(f"transfer: pre-training {pre['pretrain_wall_time_s'] / 60:.1f} min, fine-tuning "
      f"{pre['wall_time_s'] / 60:.1f} min, all seeds; profile {transfer['profile']}, 1 thread "
      f"(other jobs shared the CPU). Reproduce: `lstm-course run sst-transfer`")
for name, row in [("no-pretraining", control), ("transfer", pre)]:
    print(f"{name:>15}: ensemble of {row['seeds']} seeds {100 * row['ensemble_test_accuracy']:.2f} %")

# %% [markdown]
# Dev and test accuracy after every round (half a pass over the phrases), mean of the seeds:

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.3))
curves = [("phrases-glove", record), ("no-pretraining", transfer), ("transfer", transfer)]
for k, (name, source) in enumerate(curves):
    for split, style in (("val", "--"), ("test", "-")):
        rounds, acc = epoch_curves(source, name, split)
        ax.plot(rounds, 100 * acc.mean(0), style, marker=".", color=f"C{k}",
                label=f"{name} {'dev' if split == 'val' else 'test'}")
ax.axhline(50.0, color="grey", linestyle=":", label="target 50.0 %")
ax.set(title="SST-5 phrase-level training, with and without IMDB pre-training",
       xlabel="round (half a pass over the phrases)", ylabel="accuracy (%, mean of seeds)")
ax.grid(alpha=0.3)
ax.legend(fontsize="small", ncol=3)
fig.tight_layout()

# %% [markdown]
# <!-- claims: sst-transfer, sst -->
# Pre-training on IMDB lifts the same model by a point of dev accuracy and 1.6 points of test
# accuracy over its control, and it is our best sequence model, 48.7 ± 1.0 % (three seeds),
# above every sequence model trained from GloVe-50 alone but still **short of the 50.0 %
# target** (section 6 gets there by another road). The control
# shows where the gain comes from: it is within the seeds' noise of `phrases-glove` (a little
# better on dev, a little worse on test), so the lower dropout alone buys little; the IMDB
# weights add the rest. The ensemble of the three seeds' probabilities adds a little more, but
# it is three models, not this row's one.

# %%
if profile != "smoke":
    assert np.mean(pre["val_accuracy"]) > np.mean(control["val_accuracy"])  # chosen on dev
    assert pre["test_mean"] > control["test_mean"] > 0.46
    assert pre["test_mean"] > rows["phrases-glove"]["test_mean"]
    assert pre["test_mean"] < 0.50  # said plainly above: the target is not reached

# %% [markdown]
# ## 6. Follow the parse: Tree-LSTMs
#
# Every model so far reads a sentence left to right and leaves it to the LSTM to work out that
# "not" applies to "very good" and "but" overrules what came before. The treebank has already
# parsed every sentence: why not let the network follow the tree? A **Tree-LSTM** (Tai,
# Socher and Manning, 2015) computes one state per node, bottom up. A leaf reads its word vector
# $x$ like one LSTM step with no past; an inner node reads the states of its two children,
# $(h_l, c_l)$ and $(h_r, c_r)$, instead of a word:
#
# $$
# \begin{aligned}
# i &= \sigma\big(U_i [h_l; h_r] + b_i\big), &
# f_l &= \sigma\big(U_{f_l} [h_l; h_r] + b_{f_l}\big), &
# f_r &= \sigma\big(U_{f_r} [h_l; h_r] + b_{f_r}\big), \\
# o &= \sigma\big(U_o [h_l; h_r] + b_o\big), &
# u &= \tanh\big(U_u [h_l; h_r] + b_u\big), \\
# c &= i \odot u + f_l \odot c_l + f_r \odot c_r, &
# h &= o \odot \tanh(c).
# \end{aligned}
# $$
#
# These are the equations of notebook 02 with two changes. The previous state $h_{t-1}$
# becomes the pair $[h_l; h_r]$, and the one forget gate becomes **one per child**, so that a
# node can keep the memory of its left child and drop that of its right one. The memory still
# flows through a sum, $c = \dots + f_l \odot c_l + f_r \odot c_r$, so the gradient reaches
# the leaves the way it reaches early time steps in a sequence LSTM.
#
# Every node of SST has a label, so every node gets a prediction ($\mathrm{softmax}(W h + b)$)
# and a loss: one pass over a tree trains on all of its phrases at once, the same labels the
# `phrases-*` rows used, now with shared computation.
#
# **Batching.** A node can be computed as soon as its children are. Give every leaf level 0 and
# every inner node 1 + the larger level of its children: all nodes of one level, across a whole
# batch of trees, are then one matrix product. `course_lib.torch_models.tree_lstm` numbers the
# nodes of a batch leaves first, then inner nodes level by level, so a child always comes
# before its parent. The short training tree of section 1:

# %%
diagrams.tree_lstm_node()

# %% [markdown]
# *Figure: A Tree-LSTM node: it reads its two children's states, with one forget gate per child.*

# %%
from course_lib.torch_models.tree_lstm import BinaryTreeLSTM, batch_trees, flatten_tree

word_ids = {}
flat = flatten_tree(short, lambda word: word_ids.setdefault(word, len(word_ids) + 1))
print(short)
print("leaves 0-6:", short.leaves())
for j, (left, right, level) in enumerate(zip(flat.left, flat.right, flat.level)):
    print(f"inner node {len(flat.words) + j}: children {left} and {right}, level {level}, "
          f"label {flat.labels[len(flat.words) + j]}")
batch = batch_trees([flat])
print("nodes per level 1, 2, ...:", batch["level_sizes"].tolist(), "-> the root is node",
      int(batch["roots"][0]))

# %% [markdown]
# The batched module is tested against a plain recursive one, node by node, values and
# gradients (`tests/test_tree_lstm.py`). Its gradients are autograd's; here they are checked
# against finite differences once more, in float64, through all levels of that tree:

# %%
torch.manual_seed(0)
cell = BinaryTreeLSTM(input_size=4, hidden_size=3).double()
leaf_inputs = torch.randn(len(flat.words), 4, dtype=torch.float64, requires_grad=True)


def root_state(x):
    h, c = cell(x, batch["left"], batch["right"], batch["level_sizes"])
    return h[batch["roots"]]


print("gradcheck through the tree:", torch.autograd.gradcheck(root_state, (leaf_inputs,)))

# %% [markdown]
# `lstm-course run sst-tree` (`course_lib.experiments.sst_tree`) trains three rows, three seeds
# each, with the loss at every node and the accuracy scored at the root (the sentence):
#
# - `tree-lstm`: Tai et al.'s constituency Tree-LSTM on GloVe-50 (fine-tuned), here with 300
#   units (theirs had 150 on 300-d word vectors);
# - `bilstm-tree`: each leaf reads a BiLSTM(150)'s state at its word instead of the bare word
#   vector, so "good" enters the tree already knowing it follows "not";
# - `bilstm-tree-transfer`: the same, its embedding and BiLSTM pre-trained on IMDB by the
#   recipe of section 5 (same vocabulary, model, data and passes; its own runs).
#
# **How the recipe was found.** We started from Tai et al.'s settings (dropout 0.5, weight
# decay 1e-4) with our usual early learning-rate decay: 45 % dev accuracy, and only 44 % of the
# training roots right, so the model was *under*-fitting, not over-fitting. Each step below
# changed one or two settings and ran two seeds (the `tree-lstm` row mostly: 10-25 s an
# epoch); the choice was made on **dev** accuracy alone, the test column is shown for the
# record. Every run is a committed results file with its command inside
# (`results/sst-tree-tuning/`).
#
# Those first runs were made from trees with uncommitted changes. They were then re-recorded
# from a clean commit, one thread each (the table's last column says which record is which).
# The first commands had set only what they changed from that day's defaults, and the defaults
# have moved since (to the recipe chosen here: 300 units, twice the learning rate), so the
# re-recordings set every field that differs from today's. So run, steps 01 to 12 other than 04
# and 11 reproduced every final accuracy of their first runs to the last digit; step 00's moved
# by less than a point per seed, and steps 04, 11 and 13 changed as told below the table.

# %%
import json

from course_lib.env.paths import RESULTS_DIR

tuning = []
for path in sorted((RESULTS_DIR / "sst-tree-tuning").glob("*.json")):
    run = json.loads(path.read_text())
    c = run["config"]
    for name, row in run["extra"]["rows"].items():
        tuning.append({
            "step": path.stem, "row": name, "H": c["hidden_size"], "lr": c["lr"],
            "dropout": c["dropout"], "weight decay": c["weight_decay"],
            "epochs (lr halved after)": f"{c['epochs']} ({c['halve_after']})",
            "root weight": c.get("root_weight") or 0, "seeds": len(row["val_accuracy"]),
            "dev (%)": f"{100 * np.mean(row['val_accuracy']):.2f}",
            "test (%)": f"{100 * row['test_mean']:.2f}",
            "recorded": ("dirty tree" if run["git_commit"]["dirty"]
                         else f"clean at {run['git_commit']['commit'][:7]}")})
display(Markdown(markdown_table(tuning)))

# %% [markdown]
# <!-- claims: sst-tree, sst-tree-tuning/00-start, sst-tree-tuning/01-dropout0.3-later-decay, sst-tree-tuning/02-no-weight-decay, sst-tree-tuning/03-bilstm-leaves, sst-tree-tuning/04-imdb-leaves, sst-tree-tuning/05-hidden300, sst-tree-tuning/06-root-weight, sst-tree-tuning/07-dropout0.2, sst-tree-tuning/08-lr2e-3, sst-tree-tuning/09-lr2e-3-dropout0.2, sst-tree-tuning/10-lr3e-3, sst-tree-tuning/11-imdb-leaves-lr2e-3, sst-tree-tuning/12-hidden300-lr2e-3, sst-tree-tuning/13-imdb-leaves-hidden300-lr2e-3 -->
# Read the table top down. Dropout 0.3 instead of 0.5 with a later learning-rate decay (after
# epoch 8, not 4) was the big step, almost 4 points of dev accuracy; no weight decay, twice
# the learning rate and 300 units instead of 150 each added less, every one of them near the
# noise of two seeds on 1,101 dev sentences (about a point). An extra weight on the sentence
# losses hurt: the model then fits the 8,544 training roots (72 % of them right) instead of
# learning from the phrases. BiLSTM leaves followed the same trend. We kept **one recipe for
# all three rows**, the best of the quick `tree-lstm` row on dev (step 12), so that the rows
# differ only in their leaves.

# %% [markdown]
# <!-- claims: sst-tree-tuning/11-imdb-leaves-lr2e-3, sst-tree-tuning/11-imdb-leaves-lr2e-3@7e9168e, sst-tree-tuning/04-imdb-leaves, sst-tree-tuning/13-imdb-leaves-hidden300-lr2e-3, sst-tree-tuning/13-imdb-leaves-hidden300-lr2e-3@7e9168e -->
# To save time, the first runs of steps 04, 11 and 13 loaded the IMDB pre-trained weights of
# `sst-transfer`'s runs (copied checkpoints). Step 11's first run had the highest dev accuracy
# of the first runs (its seeds 51.04 % and 51.14 %, test 49.32 %). Re-recorded, it pre-trains
# its own encoders (two seeds, 22 minutes of its 32), as the `bilstm-tree-transfer` row below
# does. Its two seeds then read 50.32 % and 49.86 % on dev (test 49.07 %): a point lower on dev,
# from another pre-training draw. Step 04, re-recorded the same way, moved less (its seeds
# 49.41 % and 49.14 % on dev, test 48.87 %). Step 13 moved the other way: 50.59 % on dev for
# both seeds in its first run (test 49.52 %), 51.77 % and 51.32 % re-recorded (test 49.34 %),
# now the best dev accuracy of the table. A new IMDB pre-training draw moves these steps' dev
# accuracy by about a point, as much as the steps between them, so the table cannot rank the
# IMDB-leaf steps finely against each other. It did not have to: the recipe was chosen on the
# `tree-lstm` row, and step 13 only checks that the same recipe serves the IMDB leaves too.

# %%
tree_record = experiment_results("sst-tree")
tree_rows = tree_record["extra"]["rows"]
tcfg = tree_record["config"]
describe_tree = {"tree-lstm": "Tree-LSTM, leaves read GloVe-50",
                 "bilstm-tree": "BiLSTM leaves + Tree-LSTM",
                 "bilstm-tree-transfer": "BiLSTM leaves (IMDB pre-trained) + Tree-LSTM",
                 "tree-lstm-ensemble": "3 Tree-LSTMs, probabilities averaged"}
comparison = [
    {"row": "phrases-glove", "model": "BiLSTM, max + attention, phrases", "source": "sst",
     "row data": rows["phrases-glove"]},
    {"row": "transfer", "model": "the same, IMDB pre-trained", "source": "sst-transfer",
     "row data": pre}]
comparison += [{"row": name, "model": describe_tree[name], "source": "sst-tree", "row data": row}
               for name, row in tree_rows.items()]
table = []
for item in comparison:
    row = item["row data"]
    table.append({
        "row": item["row"], "model": item["model"], "experiment": item["source"],
        "dev accuracy (%)": f"{100 * np.mean(row['val_accuracy']):.2f}",
        "test accuracy (%)": f"{100 * row['test_mean']:.2f} ± {100 * row['test_std']:.2f}",
        "seeds": row["seeds"], "best-dev epochs": ", ".join(map(str, row["best_epoch"])),
        "all networks averaged (%)": f"{100 * row['ensemble_test_accuracy']:.2f}",
        "wall time (min)": f"{(row['wall_time_s'] + row.get('pretrain_wall_time_s', 0)) / 60:.1f}",
    })
display(Markdown(markdown_table(table)))
print(f"sst-tree: profile {tree_record['profile']}, {tcfg['epochs']} epochs, Tree-LSTM "
      f"{tcfg['hidden_size']}, BiLSTM {tcfg['encoder_size']}, dropout {tcfg['dropout']}, weight "
      f"decay {tcfg['weight_decay']}, lr halved after epoch {tcfg['halve_after']}; training "
      f"{sum(r['wall_time_s'] for r in tree_record['runs'].values()) / 60:.0f} min in all "
      f"({len(tree_record['runs'])} networks, IMDB pre-training included, each on 1 thread "
      f"of the shared 2-core CPU). Reproduce: `lstm-course run sst-tree`")

# %% [markdown]
# SST-5 moves by a point from seed to seed, and the `tree-lstm` row sits right at the 50 %
# target. So the same recipe was also run with five seeds (`lstm-course run sst-tree --profile
# full --set rows=tree-lstm`: the `full` profile is the laptop recipe with five seeds; its
# first three are the three above):

# %%
from course_lib.runs.notebook_support import load_results

five = load_results("sst-tree-full")["extra"]["rows"]["tree-lstm"]
print("tree-lstm, 5 seeds: test", ", ".join(f"{100 * a:.2f}" for a in five["test_accuracy"]),
      f"-> {100 * five['test_mean']:.2f} ± {100 * five['test_std']:.2f} %; dev "
      f"{100 * np.mean(five['val_accuracy']):.2f} %; ensemble of the five "
      f"{100 * five['ensemble_test_accuracy']:.2f} %")

# %% [markdown]
# Dev and test accuracy after every epoch, mean of the networks each single-model row trained
# (for `tree-lstm` all nine: its three seeds and the ensemble's other six members; band: their
# range on test):

# %%
from course_lib.plots.sst import plot_overfitting

single_rows = [name for name, row in tree_rows.items() if row["members"] == 1]
fig = plot_overfitting(tree_record, single_rows, marks=(), references={"target 50.0 %": 0.50},
                       title="SST-5 Tree-LSTMs: root accuracy after every epoch")

# %% [markdown]
# What the Tree-LSTM says at every node: short test sentences with a contrast word ("but",
# "not", "n't"), first ones whose sentence label the single-model row best on dev (its last
# seed) got right, then
# ones it got wrong. Colour: the predicted label; a ringed node was labelled otherwise by the
# annotators (their label beside it).

# %%
from course_lib.plots.sst import plot_tree_predictions

tree_best_name = max(single_rows, key=lambda n: np.mean(tree_rows[n]["val_accuracy"]))
if tree_rows[tree_best_name]["examples"]:
    fig = plot_tree_predictions(tree_rows[tree_best_name]["examples"],
                                title=f"{tree_best_name}: the label of every node")

# %% [markdown]
# <!-- claims: sst-tree, sst-tree-full -->
# The plain Tree-LSTM is the best single network: **50.1 ± 0.8 %** over three seeds, above the
# phrase-level BiLSTM of section 4, which learnt from exactly the same labels, and above the
# IMDB-pre-trained BiLSTM of section 5, with nothing but GloVe-50 and the parse (the table
# gives each row). That meets the 50.0 % target, but **without a margin**: over five seeds the same
# recipe gives 49.9 ± 1.1 %, so read it as "50 %, give or take a point". Tai et al. report
# 51.0 % with 300-d word vectors; ours are 50-d.
#
# BiLSTM leaves did not help on test (49.5 %), and neither did the IMDB pre-training that
# lifted the sequence model of section 5 (49.2 %), although that row has the best **dev**
# accuracy of all (51.4 %). Dev and test disagree here by more than the seeds do: 1,101 dev
# sentences are few, and a choice made on them carries their noise (each row's settings and
# epochs were chosen on dev; the rows are compared on test).
#
# The **ensemble row** averages the probabilities of three Tree-LSTMs; repeated with three
# disjoint sets of seeds (nine networks) it gives **51.1 ± 0.3 %**, the best row of the
# notebook and above the target by more than three times its spread. Averaging cancels much of
# what a single seed gets wrong, at three times the training (65 minutes of one core for the
# nine networks, three of them shared with the `tree-lstm` row).

# %%
if profile != "smoke":
    single, ensemble = tree_rows["tree-lstm"], tree_rows["tree-lstm-ensemble"]
    assert single["test_mean"] >= 0.50 > five["test_mean"]  # at the target, no margin
    assert single["test_mean"] > pre["test_mean"] > rows["phrases-glove"]["test_mean"]
    assert max(tree_rows["bilstm-tree"]["test_mean"],
               tree_rows["bilstm-tree-transfer"]["test_mean"]) < single["test_mean"]
    dev_means = {n: np.mean(r["val_accuracy"]) for n, r in tree_rows.items()}
    assert max(dev_means, key=dev_means.get) == "bilstm-tree-transfer"
    assert ensemble["test_mean"] == max(r["test_mean"] for r in tree_rows.values())
    assert ensemble["test_mean"] - 3 * ensemble["test_std"] > 0.50

# %% [markdown]
# ## 7. Overfitting: 10 epochs against 2
#
# The seeds retrained from scratch for each epoch count and found 2 epochs better than 10.
# With an evaluation after every epoch, one run shows the whole story: dev and test accuracy
# per epoch, mean over the three seeds (band: the seeds' range), and the training accuracy
# printed below.

# %%
from course_lib.experiments.common.sst_results import epoch_curves
from course_lib.plots.sst import plot_overfitting

curve_rows = [r for r in ("lstm-glove", "attention-glove", "lstm-random") if r in rows]
fig = plot_overfitting(record, curve_rows, references={"seed best 47.3 %": 0.473})
for row in curve_rows:
    epochs, test_acc = epoch_curves(record, row)
    at = {e: 100 * test_acc[:, e - 1].mean() for e in (2, len(epochs))}
    train_acc = 100 * np.mean(epoch_curves(record, row, "train")[1][:, -1])
    print(f"{row}: test {at[2]:.1f} % after 2 epochs, {at[len(epochs)]:.1f} % after "
          f"{len(epochs)} (training accuracy by then {train_acc:.0f} %)")

# %% [markdown]
# Our curves do **not** repeat the seeds' finding: with dropout 0.5 on the inputs and on the
# pooled vector, 2 epochs are far too few, and dev accuracy climbs until epoch 6-10 (the best
# dev epochs are in the table above). What does show is the gap: training accuracy keeps rising
# while dev and test flatten, so a longer run would start to lose. The seeds' models, trained
# without this regularisation, reached their peak sooner and then memorised the 8,544
# sentences. Either way the lesson is the same: evaluate after every epoch and pick the epoch
# on dev, instead of retraining once per epoch count and guessing.
#
# ## 8. What the best model confuses, and where it looks
#
# The confusion matrix of the best Tree-LSTM row (best on dev), its seeds' best-dev
# checkpoints summed. Most mistakes sit one step off the diagonal: *negative* for *very
# negative*, *neutral* for *positive*. The neighbouring classes are where the five-way scale is
# hard even for people.

# %%
from course_lib.numpy_core.metrics import confusion_matrix
from course_lib.plots.classification import plot_confusion_matrix

labels = record["extra"]["test_labels"]["fine"]
assert tree_record["extra"]["test_labels"]["fine"] == labels  # the same test sentences, in order
tree_best = tree_rows[tree_best_name]
matrix = confusion_matrix(tree_best["test_predictions"], labels, len(FINE_NAMES))
fig = plot_confusion_matrix(matrix, FINE_NAMES, per_class=True,
                            title=f"SST-5 test confusion, {tree_best_name} "
                                  f"({tree_best['seeds']} seeds summed)")
off_by_one = sum(matrix[r, c] for r in range(5) for c in range(5) if abs(r - c) == 1)
wrong = matrix.sum() - np.trace(matrix)
print(f"{100 * off_by_one / wrong:.0f} % of the mistakes are one class away")

# %% [markdown]
# And where an attention model looks: attention weights of the best row of section 4 (its
# last seed) over short test sentences, first ones it got right, then ones it got wrong. Max pooling runs beside the
# attention in this model, so the weights show only part of what it reads.

# %%
fig = plot_attention(best["examples"], title=f"{best_name}: attention over test sentences")

# %% [markdown]
# <!-- claims: sst, sst-transfer, sst-tree, sst-tree-full -->
# ## Recap
#
# - Every node of an SST tree is labelled: training on the 159,274 distinct phrases instead of
#   the 8,544 sentences is the largest single gain, far more than the choice of pooling.
# - Attention pooling is a softmax-weighted average over time; padded steps get a score of
#   $-\infty$ so that they get exactly zero weight, and a test that changes the padding proves it.
# - SST-5 is noisy: report mean ± std over seeds, choose epochs and checkpoints on dev only.
# - Evaluating after every epoch answers "how many epochs?" in one run; here, with dropout 0.5,
#   the best dev epoch was 6-10, not the seeds' 2: the peak moves with the regularisation, so
#   measure it instead of carrying it over.
# - Phrase-level training from GloVe gave 47.6 ± 0.8 % (three seeds), above the seeds' 47.3 %.
#   Pre-training the same BiLSTM on IMDB's 25,000 movie reviews and fine-tuning it on the phrases
#   gave 48.7 ± 1.0 %, 1.6 points above its control without pre-training.
# - Following the parse does better than both: a Tree-LSTM, one forget gate per child and a
#   loss at every node, reached 50.1 ± 0.8 % (three seeds; 49.9 ± 1.1 % over five), at the
#   50.0 % target without a margin; an ensemble of three of them, 51.1 ± 0.3 %, clears it. Its
#   recipe came from thirteen two-seed runs chosen on dev: the published regularisation left it
#   under-fitting on 50-d vectors.
# - Dev and test can disagree by more than the seeds do (the IMDB-pre-trained Tree-LSTM: best
#   on dev, not on test): a small dev set is a noisy judge; more seeds and more rows are the
#   honest answer, not more tuning on it.
# - The model's mistakes are mostly one class off: the fine-grained scale, not the model, sets
#   much of the ceiling.
#
# Practice: `exercises/10_sst5_attention.ipynb` asks you to write masked attention pooling
# yourself, checked against the reference.
