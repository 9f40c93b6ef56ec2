"""Pictures of a trained sequence classifier: learning curves side by side, a confusion matrix,
the mistakes it makes, and its gates as it reads an image row by row.

Every function returns the matplotlib figure; titles, axis labels and units are set here.
Dimension letters: T time steps (image rows), H hidden units, C classes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def plot_accuracy_curves(curves, references=None, title="Test accuracy after every epoch",
                         ylim=None):
    """One line per run: label -> (epochs, accuracies as fractions); drawn in per cent.

    references: label -> accuracy fraction, drawn as grey horizontal lines (the seeds' rows).
    """
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for label, (epochs, values) in curves.items():
        ax.plot(epochs, 100 * np.asarray(values), marker=".", label=label)
    styles = ["--", "-.", ":"]
    for k, (label, value) in enumerate((references or {}).items()):
        ax.axhline(100 * value, color="grey", linestyle=styles[k % 3], label=label)
    ax.set(title=title, xlabel="epoch", ylabel="test accuracy (%)")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
    fig.tight_layout()
    return fig


def plot_confusion_matrix(confusion, class_names=None, title="Confusion matrix (test set)",
                          per_class=False):
    """confusion (C, C): rows the true class, columns the prediction (as
    :func:`course_lib.numpy_core.metrics.confusion_matrix` counts them).

    - per_class=False: counts in the cells; the diagonal (correct answers) is greyed out so
      that the mistakes stand out in colour (MNIST's balanced classes)
    - per_class=True: each row in per cent of its true class, the count in brackets (SST's
      unbalanced classes: a rare class's row reads as well as a common one's)
    """
    confusion = np.asarray(confusion)
    C = len(confusion)
    names = class_names or [str(c) for c in range(C)]
    fig, ax = plt.subplots(figsize=(6.4, 5.4))
    if per_class:
        share = 100 * confusion / np.maximum(confusion.sum(1, keepdims=True), 1)  # (C, C)
        image = ax.imshow(share, cmap="Blues", vmin=0, vmax=100)
        label = "per cent of the true class's test examples"
    else:
        errors = confusion.astype(float)
        np.fill_diagonal(errors, np.nan)
        image = ax.imshow(errors, cmap="Reds")
        label = "number of test examples (mistakes only)"
    for r in range(C):
        for c in range(C):
            if per_class:
                text = f"{share[r, c]:.0f} %\n({confusion[r, c]})"
                colour = "white" if share[r, c] > 60 else "black"
            else:
                text, colour = str(confusion[r, c]), "grey" if r == c else "black"
            ax.text(c, r, text, ha="center", va="center", fontsize=7.5, color=colour)
    long_names = max(map(len, names)) > 2
    ax.set(title=title, xlabel="predicted class", ylabel="true class",
           xticks=range(C), yticks=range(C))
    ax.set_xticklabels(names, rotation=30 if long_names else 0,
                       ha="right" if long_names else "center")
    ax.set_yticklabels(names)
    fig.colorbar(image, ax=ax, label=label)
    fig.tight_layout()
    return fig


def plot_misclassified(images, examples, columns=8, title="Misclassified test digits"):
    """A grid of the mistakes: ``examples`` are dicts with index, label, predicted, confidence
    (as recorded by the experiment); ``images`` (N, 28, 28) the test images they index."""
    rows = max(1, -(-len(examples) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.35 * columns, 1.6 * rows + 0.4))
    for ax in np.ravel(axes):
        ax.axis("off")
    for ax, example in zip(np.ravel(axes), examples):
        ax.imshow(images[example["index"]], cmap="gray_r")
        ax.set_title(f"{example['label']} → {example['predicted']} "
                     f"({100 * example['confidence']:.0f} %)", fontsize=8)
    fig.suptitle(f"{title}: true → predicted (confidence)")
    fig.tight_layout()
    return fig


def plot_gates_reading_image(image, trace, units, title="The LSTM reading a digit row by row"):
    """The image beside its gates and states over the T rows, for a few hidden units.

    - image: (T, D) the digit; trace: from :func:`course_lib.plots.lstm.record_gates` for this one
      image, each entry (1, T, H); units: indices of the hidden units to show
    Each panel is a heat map: time (row read) downwards, one column per unit, so it lines up
    with the image on the left.
    """
    panels = [("i", "input gate i", "Greens", (0, 1)), ("f", "forget gate f", "Blues", (0, 1)),
              ("o", "output gate o", "Oranges", (0, 1)), ("c", "cell state c", "RdBu_r", None),
              ("h", "hidden state h", "RdBu_r", (-1, 1))]
    fig, axes = plt.subplots(1, len(panels) + 1, figsize=(14, 4.4),
                             gridspec_kw={"width_ratios": [1.4] + [1] * len(panels)})
    axes[0].imshow(image, cmap="gray_r", aspect="auto")
    axes[0].set(title="input: row t at step t", xlabel="pixel (column)", ylabel="time step t (row)")
    for ax, (key, name, cmap, limits) in zip(axes[1:], panels):
        values = trace[key][0][:, units]  # (T, len(units))
        if limits is None:
            bound = float(np.abs(values).max()) or 1.0
            limits = (-bound, bound)
        shown = ax.imshow(values, cmap=cmap, vmin=limits[0], vmax=limits[1], aspect="auto")
        ax.set(title=name, xlabel="hidden unit", xticks=range(len(units)),
               xticklabels=[str(u) for u in units])
        ax.tick_params(axis="x", labelsize=7, rotation=90)
        ax.set_yticks([])
        fig.colorbar(shown, ax=ax, fraction=0.08, pad=0.03)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_belief_over_time(image, probabilities, label, title="What the model believes after each row"):
    """The class probabilities (T, C) the classifier would output after reading rows 1..t,
    beside the image: when does it make up its mind?"""
    probabilities = np.asarray(probabilities)
    T, C = probabilities.shape
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), width_ratios=(1, 2.2))
    left.imshow(image, cmap="gray_r")
    left.set(title=f"a test digit (label {label})", xlabel="pixel (column)", ylabel="row")
    steps = np.arange(1, T + 1)
    top = np.argsort(-probabilities.max(axis=0))[:4]  # the classes that ever looked likely
    for c in range(C):
        style = {"lw": 2.2, "label": f"class {c}"} if c in top else {"lw": 0.8, "color": "0.75"}
        right.plot(steps, probabilities[:, c], **style)
    right.set(title=title, xlabel="rows read t", ylabel="probability", ylim=(-0.02, 1.02))
    right.grid(alpha=0.3)
    right.legend(fontsize="small", loc="center left")
    fig.tight_layout()
    return fig
