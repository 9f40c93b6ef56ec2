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
# # 07 · IMDB sentiment: an LSTM reads movie reviews
#
# 50,000 movie reviews from IMDB (Maas et al., 2011), half positive, half negative, 25,000 to
# train on and 25,000 to test on. IMDB has no validation split, so the course holds 2,500 of the
# training reviews out as its **dev** split (fixed, half of each class): every choice is made on
# them, and the models train on the other 22,500. A review is a sequence of a few dozen to a few
# thousand words; the model reads it word by word and says *positive* or *negative*. Unlike
# MNIST's 28 rows, the sequences differ in length, so they must be padded into batches, and
# padding done wrong quietly costs accuracy.
#
# In this notebook, we:
#
# 1. look at the reviews and their lengths, and choose where to cut them;
# 2. turn reviews into padded batches of word ids, and ids into GloVe vectors;
# 3. learn the padding lesson: what pooling over padded steps costs, and how masking fixes it;
# 4. rerun the seed projects' experiment (an LSTM(32) on GloVe, frozen and fine-tuned) on all
#    50,000 reviews;
# 5. compare a vanilla RNN with an LSTM of the same size, epoch by epoch;
# 6. build our best model, a small ensemble of bidirectional LSTMs, and read its most
#    confident mistakes.
#
# The long runs are not repeated here: `lstm-course run <name>` produced `results/<name>.json`
# on a 2-core CPU, and this notebook reads them (in the `smoke` profile it runs tiny versions
# instead, so that every cell still works in seconds).

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display

from course_lib import active_profile, pick
from course_lib.data import load_imdb, load_imdb_tokens

profile = active_profile()
print(f"run profile: {profile}")

# %% [markdown]
# ## 1. The reviews
#
# `load_imdb_tokens` returns the reviews already tokenised by the course's data layer
# (lower-cased, `<br />` line breaks removed, punctuation and "n't" split off), cached after the
# first call. Here is the start of one review and its label (1 = positive).

# %%
train_corpus, train_labels = load_imdb_tokens("train")
test_corpus, test_labels = load_imdb_tokens("test")
print(f"{len(train_corpus):,} training and {len(test_corpus):,} test reviews, "
      f"{100 * train_labels.mean():.0f} % positive")
example = 12_600  # positives come first, so this one is negative
print(f"label {train_labels[example]}:", " ".join(train_corpus[example][:60]), "...")

# %% [markdown]
# An LSTM reads one token per time step, so the cost of a review grows with its length, and a
# few very long reviews could dominate the training time. The histogram shows how long the
# reviews are; the dashed lines are the cut-offs the experiments use: the first 400 tokens
# (the seeds' rerun and the comparisons) and the first 800 (our best model).

# %%
lengths = train_corpus.lengths  # (25000,) tokens per review
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.hist(lengths, bins=np.arange(0, 1601, 25), color="tab:blue", alpha=0.8)
for cut, colour in ((400, "tab:orange"), (800, "tab:red")):
    whole = (lengths <= cut).mean()
    kept = np.minimum(lengths, cut).sum() / lengths.sum()
    ax.axvline(cut, color=colour, linestyle="--",
               label=f"cut at {cut}: {100 * whole:.0f} % of reviews whole, {100 * kept:.0f} % of tokens kept")
ax.set(title="IMDB training reviews: length in tokens", xlabel="review length (tokens)",
       ylabel="number of reviews", xlim=(0, 1600))
ax.legend(fontsize="small")
plt.show()
print(f"median {np.median(lengths):.0f} tokens, mean {lengths.mean():.0f}, longest {lengths.max()}")

# %% [markdown]
# ## 2. From words to padded batches
#
# The pipeline (practice notebook 07 has you write each step):
#
# 1. a **vocabulary** from the training reviews: `<pad>` = 0, `<unk>` = 1, then every word seen
#    at least twice, the most frequent first;
# 2. each review **encoded** as ids and cut at `max_len` tokens;
# 3. the **embedding**: row i of a (V, 50) matrix is word i's GloVe vector (Pennington et al.
#    2014) where GloVe knows the word, a random vector otherwise; `<pad>`'s row is zeros;
# 4. batches **right-padded** to their longest review, with the lengths beside them.
#
# `prepare_imdb` does all four. Here on a slice of the data, to look at the result.

# %%
from course_lib.experiments.common.imdb_data import prepare_imdb

demo = prepare_imdb(train_size=pick(smoke=300, laptop=3_000), test_size=pick(smoke=300, laptop=3_000),
                    dev_size=pick(smoke=300, laptop=1_000), max_len=200, seed=0)
print(demo.vocab)
print(f"GloVe covers {100 * demo.coverage:.1f} % of the vocabulary; embedding {demo.embedding.shape}")
print("train ids", tuple(demo.train.ids.shape), "lengths", tuple(demo.train.lengths.shape))

# %% [markdown]
# A batch of four reviews, cut to 12 tokens so that it fits on the screen. Padding (id 0) sits
# after each review: **right padding**. The lengths say where each review ends.

# %%
from course_lib.data import pad_batch

four = [ids[:12] for ids in demo.train.ids[:4].numpy()]
four = [row[row > 0] for row in four]
four[1], four[3] = four[1][:5], four[3][:9]  # two shorter ones, to show the padding
ids, lengths, mask = pad_batch(four)
print(ids)
print("lengths", lengths)
for row in ids:
    print(" ".join("·" if i == 0 else demo.vocab.itos[i] for i in row))

# %% [markdown]
# ## 3. The padding lesson
#
# Our classifiers average (or max) the LSTM's outputs over time. In a padded batch, the steps
# after a review's end are not part of the review, but the LSTM still runs over them (on zero
# vectors) and produces outputs there. Pool over them, and the review's score depends on how
# much padding it got, i.e. on which other reviews share its batch. One of the seeds met this
# with cuDNN, whose fast LSTM ignored the mask its framework passed.
#
# The fix is to **tell the model the lengths**: `SequenceClassifier(...)(ids, lengths)` pools
# over the real steps only (a mask), and its bidirectional layers read each review backwards
# from its own last word. (On a GPU, *packing* the batch gives cuDNN the lengths; on these CPUs
# it is ~8× slower, so the course masks.) Here one untrained model scores the same review
# alone, then padded with 100 and 300 steps:

# %%
from course_lib.torch_models import SequenceClassifier

torch.manual_seed(0)
probe = SequenceClassifier(2, pretrained=demo.embedding, hidden_size=16, pooling="mean").eval()
review = demo.train.ids[0, :int(demo.train.lengths[0])]  # (T,)
with torch.no_grad():
    for pad in (0, 100, 300):
        padded = torch.cat([review, torch.zeros(pad, dtype=review.dtype)])[None]  # (1, T + pad)
        length = torch.tensor([len(review)])
        masked, unmasked = probe(padded, length)[0], probe(padded)[0]
        print(f"{pad:3d} padded steps: with lengths {masked.numpy().round(4)}, "
              f"without {unmasked.numpy().round(4)}")

# %% [markdown]
# With the lengths the score never moves; without them it drifts with the padding. How much
# does that cost after training? `lstm-course run imdb-padding` trained the same LSTM(64)
# twice on the 22,500 training reviews: once with masked pooling on length-bucketed batches, once on
# reviews padded to 400 tokens with every step pooled (what a model without a mask does). It
# also evaluated the masked model the wrong way, padded steps included.

# %%
from course_lib.runs.notebook_support import (
    describe_machine,
    experiment_results,
    format_duration,
    markdown_table,
)

EXPERIMENTS = ("imdb-padding", "imdb-seed-numpy", "imdb-seed", "imdb-rnn-vs-lstm", "imdb-best")
records = {name: experiment_results(name) for name in EXPERIMENTS}


def final(record, run, metric="test_accuracy"):
    return record["final_metrics"][run][metric]


padding = records["imdb-padding"]
extra = padding["extra"]
rows = [
    {"model": "trained and tested with masked pooling", "test accuracy": final(padding, "masked")},
    {"model": "trained and tested with padded steps pooled", "test accuracy": final(padding, "padded")},
    {"model": "trained masked, tested with padded steps pooled",
     "test accuracy": extra["masked_model_evaluated_unmasked"]},
]
print(f"{100 * extra['padded_fraction_of_steps']:.0f} % of the steps of a batch padded to "
      f"{padding['config']['max_len']} tokens are padding")
display(Markdown(markdown_table(rows, percent=("test accuracy",))))
accuracies = [row["test accuracy"] for row in rows]
if profile != "smoke":  # what the prose below says of the laptop run
    assert max(accuracies) - min(accuracies) < 0.01  # within one point
    assert extra["masked_model_evaluated_unmasked"] > final(padding, "masked")

# %% [markdown]
# The accuracy hit we set out to show is **small** in this setting: in the committed laptop run
# the three figures lie within a point of each other, the model trained with padded steps
# pooled trailing the masked one by about half a point, and the masked model even scores a
# little higher when the padding is pooled at test time. The reason is the
# LSTM itself: fed zero vectors after a review's end, its cell state barely changes, so the
# padded steps repeat (roughly) the state after the last word, and an average that includes
# them simply weighs the end of the review more. What padding without a mask does cost here:
#
# - **correctness**: a review's score depends on which reviews share its batch (the cell
#   above), so the same model gives different answers in different batches;
# - **compute**: the padded run read every review to 400 steps, most of them padding (the
#   fraction printed above), and each epoch took longer than the masked, length-bucketed one
#   (the time per epoch is in the table at the end of the notebook);
# - and other models are less forgiving (not measured here): one that reads the *last* state
#   of a right-padded batch, or a bidirectional layer whose backward direction starts in the
#   padding, reads what the padding left of the review; seed 002 met padding trouble in
#   cuDNN's fast path, which ignores a framework's mask.

# %% [markdown]
# <!-- claims: imdb-padding, cpu-zen4/imdb-padding -->
# Is even the half point real? One run cannot say. The same experiment, same seed, same
# settings, one thread, ran again on another kind of CPU (an AMD EPYC of the Zen 4 generation,
# whose vector instructions round sums in another order; `results/cpu-zen4/`). Differences in
# the last bits of the first products grew, over two epochs, into two other models: the padded
# one scored 87.63 % and the masked one 87.58 %, the padded model now *ahead*. The masked model
# read with its padding pooled was again the best of the three (87.81 %). A gap of half a point
# between two single runs is within what training noise alone does to this model; several
# seeds per variant would be needed to measure the cost of padding to that precision, and the
# course has not run them. The lesson above stands on correctness and compute, not accuracy.
#
# Per epoch, the two trainings side by side (test accuracy after every epoch):

# %%
fig, ax = plt.subplots(figsize=(6.4, 3.6))
for run, label in (("masked", "masked pooling"), ("padded", "padded steps pooled")):
    history = padding["history"][run]
    ax.plot(history["epoch"], 100 * np.array(history["test_accuracy"]), marker="o", label=label)
ax.set(title="IMDB, LSTM(64): masked vs unmasked pooling", xlabel="epoch",
       ylabel="test accuracy (%)")
ax.grid(alpha=0.3)
ax.legend()
plt.show()

# %% [markdown]
# <!-- config: imdb-seed, imdb-seed-numpy -->
# ## 4. The seeds' experiment, rerun
#
# The seed projects classified IMDB with GloVe-50 embeddings, an LSTM with 32 hidden units,
# the **average** of its outputs over time, and a linear layer, trained by SGD at learning rate
# 1.0 decayed as 1 / (1 + 0.2 n) after n epochs, batches of 32, gradients clipped at norm 5,
# seed 42 and their Gaussian initialisation (recurrent weights 0.1 · N(0, 1), linear N(0, 1)).
# They ran it with the embedding frozen and fine-tuned. For lack of memory they trained on
# 1,000 (NumPy) to 5,000 (TensorFlow) reviews.
#
# Two reruns of exactly that configuration, both tested on **all** 25,000 test reviews after
# every epoch:
#
# - `lstm-course run imdb-seed-numpy`: the course's NumPy LSTM (notebooks 02-03) on the seeds'
#   own 1,000 training reviews, to check their NumPy row;
# - `lstm-course run imdb-seed`: the same model in PyTorch (same equations, same initialisation,
#   `seed_init_`; much faster on these long sequences) on all 22,500 training reviews (the 2,500 dev
#   reviews held out), to see what the data size changes. This is how it builds and trains one
#   model:
#
# ```python
# data = prepare_imdb(max_len=400, seed=42)                 # vocabulary, GloVe rows, padded ids
# model = make_model(config, data.embedding, freeze=True)    # SequenceClassifier + seed_init_
# task = ClassificationTask(data.train.as_task_split(), data.dev.as_task_split(),
#                           data.test.as_task_split(),      # dev is the validation split
#                           batch_size=32, bucket=True)      # length-bucketed, masked batches
# ctx.fit("frozen", model, task, TrainConfig(optimizer="sgd", lr=1.0, schedule="inverse",
#                                           decay=0.2, clip_norm=5.0, eval_test=True, seed=42))
# ```

# %%
seed = records["imdb-seed"]
SEED_ROWS = seed["extra"]["seed_rows"]


def ours(record, run, label, data):
    summary = record["runs"][run]
    return {"model": label, "training data": data, "test accuracy": final(record, run),
            "epochs": summary["epochs_run"], "wall time": format_duration(summary["wall_time_s"]),
            "where": f"{record['profile']} profile, {describe_machine(record['device'])}",
            "command": f"lstm-course run {record['experiment']}"}


numpy_seed = records["imdb-seed-numpy"]
reviews = f"{seed['extra']['data']['train_reviews']:,} reviews"
numpy_reviews = f"{numpy_seed['extra']['data']['train_reviews']:,} reviews"
rows = [{"model": name, "training data": "1k-5k reviews" if "TensorFlow" in name else "1k reviews",
         "test accuracy": value, "epochs": "—", "wall time": "—", "where": "seed project",
         "command": "—"} for name, value in SEED_ROWS.items()]
rows += [ours(numpy_seed, "frozen", "ours, NumPy: LSTM(32), GloVe frozen", numpy_reviews),
         ours(numpy_seed, "tuned", "ours, NumPy: LSTM(32), GloVe fine-tuned", numpy_reviews),
         ours(seed, "frozen", "ours, PyTorch: LSTM(32), GloVe frozen", reviews),
         ours(seed, "tuned", "ours, PyTorch: LSTM(32), GloVe fine-tuned", reviews)]
display(Markdown(markdown_table(rows, percent=("test accuracy",))))

# %% [markdown]
# <!-- claims: imdb-seed-numpy@d62c939 -->
# Read the NumPy rows with care. Trained on the seeds' 1,000 reviews, an epoch is only 32 SGD
# steps (the PyTorch run on all the training reviews takes over 700 in its first epoch alone).
# An earlier recording of this run trained 6 epochs, the seeds' count: after under 200 steps
# from the seeds' small initial weights, the NumPy model was still at chance (50.5 % on test,
# `git show d62c939:results/imdb-seed-numpy.json`); the laptop profile therefore trains 60
# epochs. It learns, but noisily: with so few reviews, each epoch's SGD steps move the test
# accuracy by several points up or down (the dashed curves below; the cell under them prints the
# range over the second half of the epochs), so the figure after the last epoch, the one the
# table reports, depends on where the last epoch happens to land, above or below the seeds'
# rows. Picking the best epoch needs a split that is not test: the rerun scores the course's
# 2,500 dev reviews after every epoch too, and reports, beside the last epoch, the test accuracy
# **at the epoch with the best dev accuracy** (chosen on dev, read on test once). The maximum of
# the test curve would flatter it.
#
# The curves, test accuracy after every epoch (one run gives every epoch count):

# %%
fig, ax = plt.subplots(figsize=(6.4, 3.6))
for record, where, style in ((seed, f"PyTorch, {reviews}", "-"),
                             (numpy_seed, f"NumPy, {numpy_reviews}", "--")):
    for run, colour in (("frozen", "tab:blue"), ("tuned", "tab:orange")):
        history = record["history"][run]
        ax.plot(history["epoch"], 100 * np.array(history["test_accuracy"]), style, marker="o",
                color=colour, label=f"{where}, GloVe {run}")
for (name, value), style in zip(list(SEED_ROWS.items())[1::2], ("-.", ":")):
    ax.axhline(100 * value, color="grey", linestyle=style, label=name)
ax.set(title="IMDB, the seeds' LSTM(32) configuration", xlabel="epoch",
       ylabel="test accuracy (%)")
ax.grid(alpha=0.3)
ax.legend(fontsize="small")
plt.show()
for run in ("frozen", "tuned"):
    summary = numpy_seed["runs"][run]
    accuracy = numpy_seed["history"][run]["test_accuracy"]
    second_half = accuracy[len(accuracy) // 2:]
    print(f"NumPy, GloVe {run}: test accuracy between {100 * min(second_half):.1f} and "
          f"{100 * max(second_half):.1f} % over the second half of the epochs")
    if profile != "smoke":  # "several points up or down"
        assert max(second_half) - min(second_half) > 0.03
    if summary.get("monitor") != "val_accuracy":  # an older record, without the dev split
        print(f"NumPy, GloVe {run}: {100 * accuracy[-1]:.2f} % after the last epoch (this record "
              "predates the dev split: rerun `lstm-course run imdb-seed-numpy`)")
        continue
    print(f"NumPy, GloVe {run}: {100 * accuracy[-1]:.2f} % after the last epoch; at epoch "
          f"{summary['best_epoch']}, the one with the best dev accuracy "
          f"({100 * summary['best']['val_accuracy']:.2f} %): {100 * summary['best']['test_accuracy']:.2f} %"
          f" on test")

# %% [markdown]
# <!-- config: imdb-rnn-vs-lstm -->
# ## 5. Vanilla RNN vs LSTM
#
# One seed ran a grid of Keras models and found its best LSTM at 86.0 % and its best vanilla
# RNN near 71 %. `lstm-course run imdb-rnn-vs-lstm` compares the two at the **same size**
# (64 hidden units), with everything else equal: GloVe fine-tuned, masked average pooling,
# Adam, batches of 64, the first 400 tokens, 3 epochs, test accuracy after every epoch.

# %%
compare = records["imdb-rnn-vs-lstm"]
fig, ax = plt.subplots(figsize=(6.4, 3.6))
for run in ("lstm", "rnn"):
    history = compare["history"][run]
    ax.plot(history["epoch"], 100 * np.array(history["test_accuracy"]), marker="o",
            label=f"{run.upper()}({compare['config']['hidden_size']}), "
                  f"{compare['extra']['recurrent_parameters'][run]:,} recurrent weights")
ax.axhline(86.0, color="grey", linestyle="-.", label="seed 002: best LSTM of its grid")
ax.axhline(71.0, color="grey", linestyle=":", label="seed 002: best vanilla RNN")
ax.set(title="IMDB: vanilla RNN vs LSTM of the same size", xlabel="epoch",
       ylabel="test accuracy (%)")
ax.grid(alpha=0.3)
ax.legend(fontsize="small")
plt.show()
rows = [ours(compare, run, f"{run.upper()}({compare['config']['hidden_size']})", f"{compare['extra']['data']['train_reviews']:,} reviews")
        for run in ("lstm", "rnn")]
display(Markdown(markdown_table(rows, percent=("test accuracy",))))

# %% [markdown]
# Averaging the outputs over time gives the RNN short paths from every word to the loss, which
# is why it does far better here than seed 002's vanilla RNN. The RNN is even ahead after the
# first epoch; from the second epoch on the LSTM leads it, on dev and on test, at four times the
# recurrent weights. What the RNN cannot do is carry what it read far
# along the sequence; the LSTM's cell state can.
#
# A small version of this training runs live here, to show the code (a slice of the reviews
# and a couple of epochs, so it takes a minute):

# %%
import dataclasses

from course_lib.experiments.common.imdb_recipe import make_model, train_config
from course_lib.experiments.imdb import COMPARE_PROFILES, make_task
from course_lib.training import Trainer

small = dataclasses.replace(COMPARE_PROFILES["laptop"], train_size=pick(smoke=300, laptop=3_000),
                            test_size=pick(smoke=300, laptop=3_000),
                            dev_size=pick(smoke=300, laptop=1_000), max_len=200, hidden_size=32,
                            lr=3e-3, epochs=pick(smoke=1, laptop=3))
small_data = prepare_imdb(small.train_size, small.test_size, small.max_len, seed=small.seed,
                          dev_size=small.dev_size)
live = {}
for run in ("lstm", "rnn"):
    trainer = Trainer(make_model(small, small_data.embedding, rnn_type=run),
                      make_task(small, small_data), train_config(small), progress=False)
    live[run] = trainer.fit()["history"]["test_accuracy"]
    print(f"{run}: test accuracy per epoch", [f"{100 * a:.1f} %" for a in live[run]])

# %% [markdown]
# <!-- claims: imdb-best -->
# <!-- config: imdb-best -->
# ## 6. Our best model
#
# What makes a strong IMDB model that trains on two CPU cores in minutes:
#
# - a **bidirectional** LSTM (128 units each way): every position sees the words before and
#   after it;
# - **max-pooling** over time (masked): the strongest evidence anywhere in the review counts,
#   however long the review;
# - the GloVe embedding **fine-tuned**, with dropout 0.2 on the embedded words and on the
#   pooled vector;
# - **longer inputs**: the first 800 tokens (98 % of the training tokens) instead of 400;
# - Adam, batches of 64 grouped by length (little padding to compute), 4 epochs: three at lr
#   1e-3, then the learning rate **halved** for the last, so that it settles instead of jumping
#   (the schedule and the epoch count were chosen on dev: the sweep below);
# - an **ensemble** of three such models (different seeds), their probabilities averaged, and a
#   *snapshot* ensemble that also averages each member's second-to-last epoch (free: the test
#   probabilities of every epoch are kept).
#
# **What is chosen, and on what.** Every member is trained on 22,500 reviews; the other 2,500
# (the course's dev split, `course_lib.data.imdb.dev_split`) are scored after every epoch, and
# so is test, for the curves. The one choice this run makes is the epoch at which the ensemble
# is read: the epoch whose ensemble is best **on dev** (the schedule does not depend on the
# number of epochs, so reading epoch k is the same as training for k epochs). Test is read at
# that epoch only.

# %%
from course_lib.plots import diagrams

diagrams.imdb_classifier()

# %% [markdown]
# *Figure: The classifier: embedded words, a bidirectional LSTM, pooling over the real (unpadded) steps only, then a linear layer.*

# %%
best = records["imdb-best"]
best_extra = best["extra"]
members = list(best["runs"])
n_test = best_extra["data"]["test_reviews"]
on_dev = "chosen_epoch" in best_extra  # False for a record made before the dev split
if on_dev:
    dev_curve = best_extra["dev_ensemble_accuracy_per_epoch"]
    chosen = best_extra["chosen_epoch"]
    test_accuracy = best_extra["test_ensemble_accuracy_at_chosen_epoch"]
    display(Markdown(markdown_table(
        [{"epoch": e + 1, "dev accuracy of the ensemble": value,
          "chosen on dev": "✓" * (e + 1 == chosen)} for e, value in enumerate(dev_curve)],
        percent=("dev accuracy of the ensemble",))))
    assert dev_curve[chosen - 1] == max(dev_curve)
else:
    print("NOTE: results/imdb-best.json was recorded before the dev split existed: it trained on "
          "all 25,000 reviews, has no dev figures, reports the last epoch, and its recipe was "
          "settled with the test curves in view (below). Rerun `lstm-course run imdb-best` for "
          "the dev-chosen version.")
    dev_curve, chosen = None, best["config"]["epochs"]
    test_accuracy = best_extra["ensemble_accuracy"]

rows = []
for k, run in enumerate(members):
    history = best["history"][run]
    rows.append({"model": f"BiLSTM({best['config']['hidden_size']}) member {k + 1}",
                 "dev accuracy": history["val_accuracy"][chosen - 1] if on_dev else "—",
                 "test accuracy": history["test_accuracy"][chosen - 1], "epoch": chosen,
                 "wall time": format_duration(best["runs"][run]["wall_time_s"])})
total_time = sum(best["runs"][run]["wall_time_s"] for run in members)
rows.append({"model": f"ensemble of the {len(members)} members",
             "dev accuracy": best_extra["dev_ensemble_accuracy_at_chosen_epoch"] if on_dev else "—",
             "test accuracy": test_accuracy, "epoch": chosen,
             "wall time": format_duration(total_time)})
display(Markdown(markdown_table(rows, percent=("dev accuracy", "test accuracy"))))
se = (test_accuracy * (1 - test_accuracy) / n_test) ** 0.5  # the test set's standard error
margin = (test_accuracy - best_extra["target"]) / se
verdict = ("within noise" if abs(margin) < 1 else "reached" if margin > 0 else "NOT reached")
print(f"ensemble on test at epoch {chosen}: {100 * test_accuracy:.2f} % ± {100 * se:.2f} "
      f"(standard error over {n_test:,} reviews); target {100 * best_extra['target']:.0f} %: "
      f"{verdict} ({margin:+.1f} standard errors)")

# %% [markdown]
# Dev and test accuracy after every epoch, of each member and of their average; the marker is
# the epoch dev chose:

# %%
fig, ax = plt.subplots(figsize=(6.4, 3.8))
for run in members:
    history = best["history"][run]
    ax.plot(history["epoch"], 100 * np.array(history["test_accuracy"]), marker="o", alpha=0.6,
            label=f"{run} (test)")
per_epoch = best_extra["ensemble_accuracy_per_epoch"]
ax.plot(range(1, len(per_epoch) + 1), 100 * np.array(per_epoch), marker="s", color="black",
        label="ensemble (test)")
if on_dev:
    ax.plot(range(1, len(dev_curve) + 1), 100 * np.array(dev_curve), marker="s", color="black",
            linestyle="--", label="ensemble (dev)")
    ax.axvline(chosen, color="tab:green", linestyle=":", label=f"epoch chosen on dev ({chosen})")
ax.axhline(90.0, color="tab:red", linestyle="--", label="target 90 %")
ax.axhline(88.89, color="grey", linestyle="-.", label="Maas et al. 2011")
ax.set(title="IMDB, our best: BiLSTM members and their ensemble", xlabel="epoch",
       ylabel="accuracy (%)")
ax.grid(alpha=0.3)
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# <!-- claims: imdb-best@b1f9214, imdb-best@86937a7 -->
# **How this recipe was found, told honestly.** An earlier version of this course, before IMDB
# had a dev split, settled the recipe **with the test curves in view**. Those figures were
# chosen on test; they are history, not results. The first laptop run (`git show
# b1f9214:results/imdb-best.json`) trained two members on all 25,000 training reviews at a
# constant learning rate, and their ensemble reached 88.94 % on test. The halving and a third
# member were added after looking at those test curves, and that version's ensemble (`86937a7`)
# landed on exactly 90.00 %. A number reached that way is optimistic, however carefully each
# run is fixed in advance.

# %% [markdown]
# <!-- claims: sweeps/imdb_best_dev/summary -->
# <!-- config: sweeps/imdb_best_dev/summary -->
# So the choices made with test in view were made again, **on dev only**, by
# `lstm-course sweep imdb_best_dev`: one member at each of two dropouts (0.2 and 0.4) and two
# halving points (the learning rate halved every epoch after epoch 2, or after epoch 3), 6
# epochs each, the 2,500 dev reviews scored after every epoch. The test reviews were never
# loaded (`score_test = false`). The point and the epoch with the best dev accuracy win:

# %%
import json

from course_lib.env.paths import RESULTS_DIR
from course_lib.plots.sweep import select, values

study_dir = RESULTS_DIR / "sweeps" / "imdb_best_dev"
if not (study_dir / "summary.json").exists():
    print("NOT RUN YET: results/sweeps/imdb_best_dev/summary.json does not exist. Run "
          "`lstm-course sweep imdb_best_dev --jobs 2` (about half an hour on two cores; "
          "resumable), then this notebook again.")
else:
    study = json.loads((study_dir / "summary.json").read_text())
    assert not any("test" in key for row in study["table"] for key in row)  # never scored
    winner = study["best"]["member1"]
    n_dev = json.loads(next((study_dir / "runs").glob("*.json")).read_text())[
        "extra"]["data"]["dev_reviews"]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    table = []
    for dropout in values(study["table"], "dropout"):
        for halve_after in values(study["table"], "halve_after"):
            curve = select(study["table"], dropout=dropout, halve_after=halve_after)
            epochs = [row["epoch"] for row in curve]
            dev = [row["val_accuracy"] for row in curve]
            ax.plot(epochs, 100 * np.array(dev), marker="o",
                    linestyle="-" if dropout == winner["dropout"] else "--",
                    label=f"dropout {dropout}, halved after epoch {halve_after}")
            table.append({"dropout": dropout, "lr halved after epoch": halve_after,
                          **{f"epoch {e}": value for e, value in zip(epochs, dev)}})
    ax.plot(winner["epoch"], 100 * winner["val_accuracy"], marker="*", markersize=16,
            color="black", linestyle="none", label="chosen on dev")
    ax.set(title="imdb_best_dev: one member per point, scored on dev only", xlabel="epoch",
           ylabel="dev accuracy (%)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    plt.show()
    display(Markdown(markdown_table(table, percent=tuple(k for k in table[0] if "epoch " in k))))
    dev_se = (winner["val_accuracy"] * (1 - winner["val_accuracy"]) / n_dev) ** 0.5
    wall = sum(run["wall_time_s"] for run in study["runs"].values())
    print(f"chosen on dev: dropout {winner['dropout']}, lr halved after epoch "
          f"{winner['halve_after']}, {winner['epoch']} epochs: dev {100 * winner['val_accuracy']:.2f} % "
          f"± {100 * dev_se:.2f} (standard error over {n_dev:,} reviews); "
          f"the {study['points']} points took {format_duration(wall)} of one thread in all")

# %% [markdown]
# <!-- claims: imdb-best, sweeps/imdb_best_dev/summary -->
# <!-- config: imdb-best -->
# The chosen point is dropout 0.2 with the learning rate halved after epoch 3, read after 4
# epochs: 89.88 % on dev. The rule (the best dev row, the first on ties) was fixed before the
# sweep ran, so the choice is honest, but it is not sharp: the best rows of two of the other
# three points lie within one dev standard error of it (printed above), and dev cannot tell
# them apart. The old recipe's halving after epoch 2 came next (89.64 % at epoch 4); dropout
# 0.4 learned more slowly (80.72 % after one epoch, against 83.52 %) and had not caught up
# after six.
#
# That point became imdb-best's default recipe and ran in full, `lstm-course run imdb-best`
# (32.2 min of one thread): three members, the dev reviews scored
# after every epoch, the ensemble's epoch chosen on dev (epoch 4, dev 90.24 %), and the test
# reviews scored once for that epoch: **90.23 %** (SE 0.19), 1.2 standard errors above the 90 %
# target. Its first member is the sweep's chosen run again: same seed, same settings, and the
# same dev accuracy after epoch 4 (89.88 %), so scoring test on the side changed nothing in
# training. Reached, then, but by a margin that one more standard error of bad luck would erase:
# a target met or missed by less than one standard error says nothing either way. The members
# alone scored 89.63 % to 89.92 % on test; averaging them bought about a third of a point. The
# ensemble's dev accuracy still rose at its last epoch, but in the sweep the same point's member
# did not gain on dev after epoch 4 (89.84 % and 89.72 % after epochs 5 and 6), so we did not
# train longer. The route the literature takes further
# with recurrent models is to pre-train an LSTM language model on the 50,000 unlabelled
# reviews and fine-tune it as the classifier (ULMFiT, Howard & Ruder 2018).
#
# Is a long review harder? Accuracy of the ensemble by review length (tokens before the cut):

# %%
by_length = best_extra["accuracy_by_length"]
fig, ax = plt.subplots(figsize=(6.4, 3.2))
ax.bar([r["tokens"] for r in by_length], [100 * r["accuracy"] for r in by_length], color="tab:blue")
for i, r in enumerate(by_length):
    ax.text(i, 100 * r["accuracy"] + 0.3, f"{r['reviews']:,}", ha="center", fontsize="small")
ax.set(title="IMDB test accuracy by review length (numbers: reviews)",
       xlabel="review length (tokens)", ylabel="test accuracy (%)",
       ylim=(min(100 * r["accuracy"] for r in by_length) - 5, 100))
plt.show()

# %% [markdown]
# ### The most confident mistakes
#
# The test reviews the ensemble got wrong with the highest confidence. Reading them is the best
# way to see what the model cannot do: some are sarcasm or a plot summary full of negative
# words, some are reviews whose rating disagrees with their text.

# %%
import textwrap

test_texts, _ = load_imdb("test")
for mistake in best_extra["confidently_wrong"][:pick(smoke=3, laptop=6)]:
    text = test_texts[mistake["test_index"]].replace("<br />", " ")
    truth = "positive" if mistake["label"] == 1 else "negative"
    print(f"[true: {truth}, P(positive) = {mistake['p_positive']:.3f}]")
    print(textwrap.fill(textwrap.shorten(text, 420), 100), "\n")

# %% [markdown]
# ## All the rows
#
# Every figure of this notebook, where it came from and how long it took. Wall times were
# measured on a 2-core CPU shared with other work, so they are upper bounds.

# %%
rows = [ours(records[name], run, f"{name} / {run}", f"{records[name]['extra']['data']['train_reviews']:,} reviews")
        for name in EXPERIMENTS for run in records[name]["runs"]]
display(Markdown(markdown_table(rows, percent=("test accuracy",))))
for name, record in records.items():
    print(f"{name}: whole run {format_duration(record['wall_time_s'])} "
          f"({record['profile']} profile, {record['device']['name']})")
assert all(0.0 <= row["test accuracy"] <= 1.0 for row in rows)
if profile != "smoke":
    assert final(seed, "tuned") > SEED_ROWS["seed NumPy, fine-tuned GloVe (1k reviews)"]
    masked_time = np.mean(padding["history"]["masked"]["time_s"])
    assert np.mean(padding["history"]["padded"]["time_s"]) > masked_time  # padding costs compute

# %% [markdown]
# <!-- claims: imdb-best -->
# ## Recap
#
# - Reviews differ in length: cut them (here at 400 or 800 tokens, after looking at the
#   histogram), right-pad each batch to its longest review, and batch reviews of similar
#   length together so that little padding is computed at all.
# - **Padding must be masked**: a model that pools over padded steps gives a review a score that
#   depends on its batch, and computes on padding; pass the lengths (or pack the batch for
#   cuDNN). With right padding and average pooling the accuracy cost was negligible here;
#   last-state pooling or a backward direction starting in the padding can be less forgiving.
# - The seeds' LSTM(32) configuration was rerun twice: in NumPy on their own 1,000 reviews, and
#   in PyTorch on all 22,500 training reviews; the table puts both beside the seeds' rows.
# - Vanilla RNN and LSTM of the same size, trained the same way, compared epoch by epoch.
# - Our best model, an ensemble of three bidirectional LSTMs with max-pooling over long inputs,
#   beats the seeds' table. Its recipe, its epoch count and the epoch at which it is read were
#   all chosen on the dev reviews, and its test accuracy, 90.23 % (test SE 0.19), is read
#   once: 1.2 standard errors above the 90 % target. Its most confident mistakes show what is
#   left to learn.
