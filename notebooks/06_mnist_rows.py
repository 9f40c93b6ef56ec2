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
# # 06 · MNIST, read row by row
#
# A picture is not a sequence, but it can be read as one: an LSTM that sees a 28 × 28 digit one
# row at a time must *remember* the top of the digit while it reads the bottom. This is the
# course's first real experiment, and the one where the seed projects' table is easiest to beat.
#
# In this notebook, we:
#
# 1. turn an image into a sequence of 28 time steps and classify it with an LSTM, average
#    pooling over time and a linear layer;
# 2. train that model in NumPy with the course's training loop, evaluating after *every* epoch;
# 3. redo the seeds' NumPy run (their configuration, 100 epochs) and compare with their row;
# 4. train the same NumPy model *well* (all the data, Adam, a better initialisation), then a
#    stacked bidirectional LSTM in PyTorch, and put all three beside the seeds' table;
# 5. look at what the best model gets wrong, and at the gates of an LSTM as it reads a digit.
#
# The long runs are not repeated here: `lstm-course run <name>` produced `results/<name>.json`
# on a 2-core CPU, and this notebook reads them (in the `smoke` profile it runs tiny versions
# instead, so that every cell still works in seconds).

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

from course_lib import active_profile, pick
from course_lib.data import load_mnist, minibatches

profile = active_profile()
print(f"run profile: {profile}")

# %% [markdown]
# ## An image as a sequence
#
# `load_mnist` gives the images as float32 arrays of shape (N, 28, 28) with pixels in [0, 1].
# Read as a sequence, image n is T = 28 time steps of D = 28 features: exactly the (N, T, D)
# input the course's LSTM takes, with no reshaping at all.

# %%
from course_lib.plots.data import plot_digit_rows

train_images, train_labels = load_mnist("train")  # (60000, 28, 28), (60000,)
test_images, test_labels = load_mnist("test")  # (10000, 28, 28), (10000,)
print(f"train {train_images.shape}, test {test_images.shape}")
plot_digit_rows(train_images[0], train_labels[0])
plt.show()

# %% [markdown]
# ## The model: LSTM, average over time, linear
#
# The seeds' classifier, and the NumPy `SequenceClassifier` of notebook 03: the LSTM turns the
# rows x_1 … x_28 into hidden states h_1 … h_28 (each of size H), their **average over time** is
# one vector per image, and a linear layer maps it to 10 class scores; softmax and cross-entropy
# give the loss. Averaging lets every row vote; notebook 05's PyTorch model can also use only the
# last state h_28.

# %%
from course_lib.numpy_core import Adam, SequenceClassifier

demo_model = SequenceClassifier(28, 32, 10, seed=0)  # D = 28 pixels, H = 32, C = 10 classes
scores = demo_model.scores(train_images[:4])  # (N, C)
print("scores:", scores.shape, "| parameters:",
      {name: p.shape for name, p in demo_model.params.items()})
assert scores.shape == (4, 10)

# %% [markdown]
# ## A training loop for NumPy models
#
# `course_lib.numpy_core.train.fit` is the loop every NumPy experiment of the course uses. Per
# epoch it takes minibatches in an order fixed by the epoch number, calls `model.loss` (forward
# and backward), optionally clips the gradient norm, lets the optimiser update the weights, and
# then **evaluates on every split it is given**. One seed project retrained from scratch for
# every epoch count it wanted to report; evaluating after every epoch gives the whole curve from
# one run.
#
# A small live run: a LSTM(32) with Adam on a slice of the training images, test accuracy after
# every epoch.
#
# Its figures depend on the number of threads that NumPy's BLAS uses: with two threads the
# float32 sums inside each matrix product are added in another order, the rounding differs, and
# over hundreds of updates the curve drifts away from the one-thread curve (by a few points at
# some epochs, in our trials). The outputs stored in this notebook were made with one thread
# (`lstm-course notebooks execute` sets it; the line below prints the setting), so a rerun with
# one thread reproduces them exactly, and a rerun with two gives a similar, not equal, curve.

# %%
from course_lib.numpy_core.train import evaluate_classifier, fit

live_train = pick(smoke=1_000, laptop=10_000)
live_epochs = pick(smoke=1, laptop=10)
x_live, y_live = train_images[:live_train], train_labels[:live_train]
x_eval, y_eval = test_images[:pick(smoke=500, laptop=10_000)], test_labels[:pick(smoke=500, laptop=10_000)]

print("BLAS threads (OPENBLAS_NUM_THREADS):", os.environ.get("OPENBLAS_NUM_THREADS", "not set"))
live_model = SequenceClassifier(28, 32, 10, forget_bias=1.0, seed=0)
start = time.perf_counter()
live = fit(live_model, Adam(live_model.params, lr=3e-3),
           lambda epoch: minibatches(x_live, y_live, batch_size=64, seed=epoch),
           epochs=live_epochs, clip_norm=5.0, name="live LSTM(32)",
           evaluate=lambda m: {f"test_{k}": v
                               for k, v in evaluate_classifier(m, x_eval, y_eval).items()})
print(f"{live_epochs} epochs on {live_train:,} images in {time.perf_counter() - start:.1f} s: "
      f"test accuracy per epoch {np.round(live['history']['test_accuracy'], 4)}")
assert len(live["history"]["test_accuracy"]) == live_epochs
assert profile == "smoke" or live["final"]["test_accuracy"] > 0.9

# %% [markdown]
# <!-- config: mnist-numpy-seed, mnist-numpy, mnist-torch -->
# ## The recorded runs
#
# Three experiments, each one command (`lstm-course run --list` shows them):
#
# | name | what |
# |---|---|
# | `mnist-numpy-seed` | the seeds' NumPy run, redone: first 10,000 training images, all 10,000 test images, LSTM + average pooling + linear, batch 64, SGD with lr_n = 1 / (1 + 0.2 n), LSTM weights 0.1 · N(0, 1), linear N(0, 1), 100 epochs |
# | `mnist-numpy` | the same NumPy core, trained well: 55,000 images (5,000 held out for validation), H = 128, Xavier / orthogonal initialisation, forget-gate bias 1, Adam with a decaying learning rate, gradient clipping at norm 5 |
# | `mnist-torch` | PyTorch `SequenceClassifier`: 2 stacked bidirectional LSTM(128) layers, last state, dropout 0.2, Adam with a decaying learning rate |
#
# The seeds' hidden size is not in their table; we use H = 32, as in their NumPy IMDB and PTB
# runs. `experiment_results` loads the laptop results (or, in the smoke profile, runs the tiny
# configuration right here).

# %%
from course_lib.plots import diagrams

diagrams.mnist_rows_bilstm()

# %% [markdown]
# *Figure: The PyTorch model of `mnist-torch`: each image read as 28 rows by two stacked bidirectional LSTM layers, then a linear layer.*

# %%
from course_lib.runs.notebook_support import experiment_results

records = {}
for name in ("mnist-numpy-seed", "mnist-numpy", "mnist-torch"):
    start = time.perf_counter()
    records[name] = experiment_results(name)
    print(f"{name}: profile {records[name]['profile']}, recorded wall time "
          f"{records[name]['wall_time_s']:.0f} s (loaded in {time.perf_counter() - start:.1f} s)")

# %% [markdown]
# <!-- config: mnist-numpy-seed -->
# ## The seeds' run, redone
#
# Their row: **93.4 % test, 97.2 % train, loss 0.13** after 100 epochs. Here is ours, epoch by
# epoch: accuracy on the 10,000 training images and on the 10,000 test images, and the learning
# rate 1 / (1 + 0.2 n) that shrinks twenty-fold over the run.

# %%
seed_run = records["mnist-numpy-seed"]["history"]["numpy"]
fig, (ax, ax_lr) = plt.subplots(1, 2, figsize=(11, 3.8))
ax.plot(seed_run["epoch"], 100 * np.array(seed_run["train_accuracy"]), label="train (10,000 images)")
ax.plot(seed_run["epoch"], 100 * np.array(seed_run["test_accuracy"]), label="test (10,000 images)")
ax.axhline(93.4, color="grey", linestyle="--", label="seed: test 93.4 %")
ax.axhline(97.2, color="grey", linestyle=":", label="seed: train 97.2 %")
ax.set(title="The seeds' NumPy recipe, redone", xlabel="epoch", ylabel="accuracy (%)")
ax.legend(fontsize="small")
ax.grid(alpha=0.3)
ax_lr.plot(seed_run["epoch"], seed_run["lr"])
ax_lr.set(title="SGD learning rate 1 / (1 + 0.2 n)", xlabel="epoch", ylabel="learning rate")
ax_lr.grid(alpha=0.3)
fig.tight_layout()
plt.show()
final = records["mnist-numpy-seed"]["final_metrics"]["numpy"]
print(f"ours after {len(seed_run['epoch'])} epochs: test {100 * final['test_accuracy']:.1f} %, "
      f"train {100 * final['train_accuracy']:.1f} %, training loss {final['train_loss']:.3f}")

# %% [markdown]
# Two things to read here. First, the schedule: by epoch 20 the learning rate is 0.2, by epoch
# 100 it is 0.05, and the curves flatten long before the 100 epochs are over (the seeds could
# have stopped at a quarter of the compute). Second, the gap between train and test accuracy:
# with only 10,000 training images the model learns its training set almost perfectly and stops
# improving on the test set.
#
# Our rerun of their recipe lands *above* their row, with a far lower training loss. Their
# hidden size is not published (we assumed 32), and their code may differ in details we cannot
# see (how the loss is averaged, how the data was shuffled); their train accuracy (97.2 %) and
# loss (0.13) say their model fitted its training set less closely than ours, which a smaller
# model could explain (we have not tested which detail it is). The honest conclusion: the
# recipe, run as described, gives the figure printed above; the seeds' 93.4 % is not a ceiling
# of plain SGD.

# %% [markdown]
# ## All three runs, and the seeds' table
#
# Test accuracy after every epoch for the three runs (the NumPy and PyTorch runs of our own also
# evaluate on their 5,000 validation images; only the *final* epoch's test accuracy is reported,
# nothing is picked by looking at the test set).

# %%
from course_lib.plots.classification import plot_accuracy_curves

labels = {"mnist-numpy-seed": "NumPy, seeds' recipe", "mnist-numpy": "NumPy, ours",
          "mnist-torch": "PyTorch BiLSTM, ours"}
curves = {}
for name, record in records.items():
    history = next(iter(record["history"].values()))
    curves[labels[name]] = (history["epoch"], history["test_accuracy"])
plot_accuracy_curves(curves, references={"seed NumPy 93.4 %": 0.934, "seed TensorFlow 96.8 %": 0.968,
                                         "target 99.0 %": 0.99},
                     ylim=pick(smoke=None, laptop=(90, 100)))
plt.show()

# %% [markdown]
# The table: the seeds' rows as published, ours from the results files (configuration, profile,
# machine, wall time, and the command that reproduces each).

# %%
from course_lib.runs.notebook_support import format_duration, markdown_table


def configuration(config):
    """A one-line summary of an experiment's configuration dict."""
    if "num_layers" in config:  # the PyTorch run
        kind = "BiLSTM" if config["bidirectional"] else "LSTM"
        return (f"{config['num_layers']} x {kind}({config['hidden_size']}), {config['pooling']} state, "
                f"dropout {config['dropout']}, Adam lr {config['lr']:g}, batch {config['batch_size']}, "
                f"{config['train_size']:,} images")
    step = (f"SGD lr {config['lr']:g}/(1+{config['decay']:g}n)" if config["optimizer"] == "sgd"
            else f"Adam lr {config['lr']:g} x {config['gamma']:g}^n")
    return (f"LSTM({config['hidden_size']}), mean pool, {step}, batch {config['batch_size']}, "
            f"{config['init']} init, {config['train_size']:,} images")


rows = [
    {"model": "seed: NumPy LSTM (100 epochs)", "configuration": "10,000 images, SGD lr 1/(1+0.2n), batch 64",
     "test": 0.934, "train": 0.972, "where": "seed project (published)", "wall time": "—", "command": "—"},
    {"model": "seed: TensorFlow LSTM", "configuration": "—", "test": "96.4–96.8 %", "train": None,
     "where": "seed project (published)", "wall time": "—", "command": "—"},
]
for name, record in records.items():
    run = next(iter(record["final_metrics"]))
    metrics = record["final_metrics"][run]
    device = record["device"]
    rows.append({
        "model": f"{labels[name]} ({record['runs'][run]['epochs_run']} epochs)",
        "configuration": configuration(record["config"]),
        "test": metrics["test_accuracy"], "train": metrics.get("train_accuracy"),
        "where": f"{record['profile']} profile, {device['name']} {device['type']}",
        "wall time": format_duration(record["wall_time_s"]),
        "command": f"`lstm-course run {name}`" + ("" if record["profile"] == "laptop"
                                                  else f" --profile {record['profile']}")})
display(Markdown(markdown_table(rows, percent=("test", "train"))))

# %% [markdown]
# All three ran on the course's 2-core CPU while other experiments shared it (each job on one
# BLAS / torch thread, two jobs at a time, sometimes more): the wall times are what they are on
# a busy machine, and a quiet one is faster. "train" means two things here: the NumPy runs
# re-evaluate 10,000 training images after each epoch; the PyTorch Trainer reports the running
# accuracy during the epoch, with dropout on.

# %%
numpy_test = records["mnist-numpy"]["final_metrics"]["numpy"]["test_accuracy"]
torch_test = records["mnist-torch"]["final_metrics"]["torch"]["test_accuracy"]
print(f"NumPy, ours: {100 * numpy_test:.2f} % (target >= 97.0 %); "
      f"PyTorch, ours: {100 * torch_test:.2f} % (target >= 99.0 %)")
if profile != "smoke":
    assert records["mnist-numpy-seed"]["config"]["epochs"] == 100
    assert numpy_test >= 0.97, "the NumPy target is 97.0 % test accuracy"
    assert torch_test >= 0.99, "the PyTorch target is 99.0 % test accuracy"

# %% [markdown]
# What changed between the seeds' recipe and ours (all at once; we did not measure each change
# alone): **5.5 times the data** (55,000 images instead of 10,000), **Adam** instead of SGD with
# a fast-shrinking step, a **better initialisation** (Xavier input weights, orthogonal recurrent
# weights, forget-gate bias 1 so that memory is kept by default; the seeds' linear layer started
# from N(0, 1), large random scores), gradient clipping, and, for PyTorch, a **bigger model**
# (two bidirectional layers: the backward direction reads the digit from the bottom up) with
# **dropout** and a learning rate that decays after a few epochs.

# %% [markdown]
# ## What the best model gets wrong
#
# The PyTorch run recorded its confusion matrix on the test set (rows: the true digit, columns:
# the prediction; the diagonal, the correct answers, is greyed so the mistakes stand out) and its
# mistakes, most confident first.

# %%
from course_lib.plots.classification import plot_confusion_matrix, plot_misclassified

report = records["mnist-torch"]["extra"]["torch"]
confusion = np.array(report["confusion"])  # (C, C), rows: true class
print(f"{report['errors']} of {confusion.sum():,} test images misclassified")
mistakes = confusion - np.diag(np.diag(confusion))
for flat in np.argsort(-mistakes, axis=None)[:3]:
    true, predicted = np.unravel_index(flat, mistakes.shape)
    print(f"  {true} read as {predicted}: {mistakes[true, predicted]} times")
plot_confusion_matrix(report["confusion"], title="PyTorch BiLSTM: test confusion matrix")
plt.show()

# %% [markdown]
# The confusions printed above are pairs that share strokes (a 7 with a bar across its stem
# against a 2, an open-topped 9 against a 4). The grid shows the most confident mistakes: many
# of them are digits a person would hesitate over too.

# %%
plot_misclassified(test_images, report["misclassified"][:24], title="PyTorch BiLSTM")
plt.show()

# %% [markdown]
# ## Inside the LSTM: reading a digit row by row
#
# Back to the small NumPy model trained live above. Because the classifier averages the hidden
# states, we can ask what it *would* answer after reading only the first t rows: the average of
# h_1 … h_t through the linear layer. Early rows are blank and the answer is a guess; it changes
# as the strokes arrive. For this 7 the bar at the top is not enough: other classes lead first,
# and the 7 wins once the downward stroke has been read.

# %%
from course_lib.experiments.mnist import softmax
from course_lib.numpy_core import lstm_forward
from course_lib.plots.classification import plot_belief_over_time

Wx, Wh, b = (live_model.params[f"lstm0.{w}"] for w in ("Wx", "Wh", "b"))
W_out, b_out = live_model.params["out.W"], live_model.params["out.b"]


def belief(image):
    """Class probabilities (T, C) after reading rows 1..t of one image (T, D)."""
    h, _ = lstm_forward(image[None], np.zeros((1, Wh.shape[0]), np.float32), Wx, Wh, b)  # (1, T, H)
    running_mean = np.cumsum(h[0], axis=0) / np.arange(1, len(image) + 1)[:, None]  # (T, H)
    return softmax(running_mean @ W_out + b_out)  # (T, C)


digit = 0
probabilities = belief(test_images[digit])
plot_belief_over_time(test_images[digit], probabilities, test_labels[digit])
plt.show()
assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
assert np.allclose(probabilities[-1], softmax(live_model.scores(test_images[digit:digit + 1]))[0],
                   atol=1e-5)  # after all 28 rows: exactly the model's answer

# %% [markdown]
# Now the gates themselves. `record_gates` (from notebook 01) runs the same LSTM step by step and
# keeps the input gate i, forget gate f, output gate o, cell state c and hidden state h at every
# step. Each panel below is a heat map with time running downwards, so that row t of every panel
# lines up with row t of the image; we show the 16 units whose cell state moves the most.

# %%
from course_lib.plots.classification import plot_gates_reading_image
from course_lib.plots.lstm import record_gates

trace = record_gates(test_images[digit:digit + 1], Wx, Wh, b)  # each (1, T, H)
units = np.argsort(-trace["c"][0].std(axis=0))[:16]
plot_gates_reading_image(test_images[digit], trace, units,
                         title=f"The live LSTM(32) reading a {test_labels[digit]}, row by row")
plt.show()
assert np.allclose(trace["h"][0], lstm_forward(test_images[digit:digit + 1], np.zeros((1, 32), np.float32),
                                               Wx, Wh, b)[0][0], atol=1e-5)

# %% [markdown]
# Read the panels from the top down. Over the blank rows at the top the input is zero, so the
# gates are driven only by their biases and the small recurrent state, and the cell states
# hardly move. When the first
# stroke arrives the gates switch: input gates open for some units, and their cell states start
# to grow. Most forget gates stay close to 1 (dark blue) for the rest of the digit: what was
# written is kept, which is how the top of the digit is still in memory when the last row is
# read. The cell states drift steadily as evidence accumulates, while h, squashed by tanh and
# scaled by the output gate, stays within (-1, 1).
#
# To look at other digits, move the slider (it needs a live Jupyter kernel; the figures above
# are the static version).

# %%
try:
    import ipywidgets as widgets

    def show(index=0):
        image = test_images[index]
        plot_belief_over_time(image, belief(image), test_labels[index])
        trace = record_gates(image[None], Wx, Wh, b)
        plot_gates_reading_image(image, trace, np.argsort(-trace["c"][0].std(axis=0))[:16])
        plt.show()

    show(0)  # the default digit as static figures, for GitHub and the site; the slider redraws
    widgets.interact(show, index=widgets.IntSlider(value=0, min=0, max=199, description="test digit"))
except ImportError:
    print("ipywidgets is not installed: the static figures above are all there is")

# %% [markdown]
# <!-- claims: mnist-numpy-seed, mnist-numpy, mnist-torch -->
# ## Recap
#
# - An image is a sequence: 28 rows of 28 pixels, input (N, T, D) = (N, 28, 28), no reshaping.
# - Evaluate after every epoch: one run gives the whole learning curve (and shows when to stop:
#   the seeds' recipe stops improving long before epoch 100).
# - The seeds' recipe, redone with the course's NumPy core, lands above their published row.
# - The same NumPy core, trained well (more data, Adam, Xavier / orthogonal weights, forget bias
#   1, clipping), reaches 98.52 % on test (SE 0.12), past the course's 97 % target; a stacked
#   bidirectional LSTM in PyTorch with dropout and a decaying learning rate reaches 99.30 %
#   (SE 0.08), past the 99 % target, in 36 min on one CPU thread.
# - The confusion matrix and the mistakes show *what* is hard; the running belief and the gates
#   show *how* the LSTM reads: it writes when strokes arrive and keeps what it wrote.
# - Practice (`exercises/06_mnist_rows`): write the evaluation loop and the confusion matrix.
