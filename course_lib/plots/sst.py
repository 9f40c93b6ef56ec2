"""Pictures of the SST experiments (notebook 10), drawn from their results records.

``python -m course_lib.plots.sst`` writes ``results/sst-{overfitting,confusion,attention}.png``
from ``results/sst.json``.

Every plotting function returns the matplotlib figure; titles, axis labels and units are set
here. What a record holds, and the functions that read it for tables, are in
:mod:`course_lib.experiments.common.sst_results`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_lib.data.sst import FINE_NAMES
from course_lib.experiments.common.sst_results import epoch_curves
from course_lib.numpy_core.metrics import confusion_matrix
from course_lib.plots.classification import plot_confusion_matrix
from course_lib.plots.data import tree_layout


def plot_overfitting(record: dict, rows: list[str], marks=(2, 10), references=None,
                     title="SST-5 sentence-level training: accuracy after every epoch "
                           "(mean of seeds)"):
    """Dev and test accuracy after every epoch (mean over seeds, band = min..max) for ``rows``;
    vertical lines at the epoch counts in ``marks`` (the seeds compared 2 and 10 epochs);
    horizontal ones at ``references`` ({label: accuracy})."""
    fig, ax = plt.subplots(figsize=(7.5, 4.3))
    for k, row in enumerate(rows):
        for split, style in (("val", "--"), ("test", "-")):
            epochs, acc = epoch_curves(record, row, split)
            ax.plot(epochs, 100 * acc.mean(0), style, marker=".", color=f"C{k}",
                    label=f"{row} {'dev' if split == 'val' else 'test'}")
            if split == "test":
                ax.fill_between(epochs, 100 * acc.min(0), 100 * acc.max(0), color=f"C{k}",
                                alpha=0.15)
    for mark in marks:
        ax.axvline(mark, color="grey", linewidth=0.8)
    for j, (label, value) in enumerate((references or {}).items()):
        ax.axhline(100 * value, color="grey", linestyle=[":", "-."][j % 2], label=label)
    ax.set(title=title, xlabel="epoch", ylabel="accuracy (%)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", ncol=2)
    fig.tight_layout()
    return fig


def plot_attention(examples, names=FINE_NAMES, title="Attention weights over test sentences"):
    """One heat-map strip per sentence: the weight of every token (darker = more attention).

    examples: dicts with tokens, weights (summing to 1), label, predicted.
    """
    fig, axes = plt.subplots(len(examples), 1, figsize=(11, 0.75 * len(examples) + 0.8),
                             squeeze=False)
    vmax = max(max(e["weights"]) for e in examples)
    for ax, example in zip(axes[:, 0], examples):
        weights = np.asarray(example["weights"])[None, :]  # (1, T)
        ax.imshow(weights, cmap="Oranges", vmin=0, vmax=vmax, aspect="auto")
        for t, token in enumerate(example["tokens"]):
            ax.text(t, 0, token, ha="center", va="center", fontsize=8)
        verdict = "right" if example["label"] == example["predicted"] else "WRONG"
        ax.set_yticks([])
        ax.set_xticks([])
        ax.set_ylabel(f"{verdict}\ntrue {names[example['label']]}\nsaid {names[example['predicted']]}",
                      rotation=0, ha="right", va="center", fontsize=7.5)
    fig.suptitle(f"{title} (colour: weight of each token, 0 to {vmax:.2f})")
    fig.tight_layout()
    return fig


def plot_tree_predictions(examples, names=FINE_NAMES, title="Tree-LSTM labels at every node"):
    """Each example sentence as its parse tree, every node coloured by the label the model
    gave it (red: very negative ... blue: very positive); a node whose gold label differs has
    a black ring and its gold label written beside it. examples: dicts with "tree" (brackets)
    and "predicted" (labels in ``flatten_tree``'s numbering, which :func:`tree_layout`
    keeps), as ``sst-tree`` stores them."""
    from matplotlib.lines import Line2D

    from course_lib.data.sst import parse_tree

    colours = plt.get_cmap("RdBu")(np.linspace(0.05, 0.95, len(names)))
    fig, axes = plt.subplots(len(examples), 1, figsize=(11, 2.4 * len(examples) + 0.6),
                             squeeze=False)
    for ax, example in zip(axes[:, 0], examples):
        tree = parse_tree(example["tree"])
        nodes, xy, edges = tree_layout(tree)
        gold, predicted = np.array([node.label for node in nodes]), np.asarray(example["predicted"])
        for parent, child in edges:
            ax.plot(*xy[[child, parent]].T, color="0.75", linewidth=0.8, zorder=1)
        wrong = predicted != gold
        ax.scatter(*xy.T, s=90, c=colours[predicted],
                   edgecolors=["k" if w else "0.55" for w in wrong],
                   linewidths=[1.8 if w else 0.6 for w in wrong], zorder=2)
        for k in np.flatnonzero(wrong):
            ax.annotate(str(gold[k]), xy[k], xytext=(6, 4), textcoords="offset points",
                        fontsize=7)
        words = tree.leaves()
        for x, word in enumerate(words):
            ax.text(x, -0.4, word, ha="center", va="top", fontsize=8, rotation=30)
        verdict = "right" if predicted[-1] == gold[-1] else "WRONG"
        ax.set_title(f"{verdict}: gold {names[gold[-1]]}, predicted {names[predicted[-1]]}",
                     fontsize=9, loc="left")
        ax.set_xlim(-0.8, len(words) - 0.2)
        ax.set_ylim(-2.0, xy[:, 1].max() + 0.6)
        ax.axis("off")
    handles = [Line2D([], [], marker="o", linestyle="", color=colours[k], label=f"{k} {name}")
               for k, name in enumerate(names)]
    handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="white",
                          markeredgecolor="k", label="wrong (gold label beside it)"))
    fig.legend(handles=handles, loc="upper right", fontsize=7.5, ncol=len(handles))
    fig.suptitle(title, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def write_figures(record: dict, stem) -> list:
    """Save the notebook's three summary pictures of a results record as ``<stem>-*.png``:
    the overfitting curves, and the confusion and attention maps of the SST-5 row with the best
    mean dev accuracy."""
    from pathlib import Path

    stem, rows = Path(stem), record["extra"]["rows"]
    fine = {n: r for n, r in rows.items() if r["recipe"]["labels"] == "fine"}
    best = max(fine, key=lambda n: np.mean(fine[n]["val_accuracy"]))  # chosen on dev, never test
    curves = [r for r in ("lstm-glove", "attention-glove", "lstm-random") if r in rows]
    labels = record["extra"]["test_labels"]["fine"]
    matrix = confusion_matrix(fine[best]["test_predictions"], labels, len(FINE_NAMES))
    figures = {"overfitting": plot_overfitting(record, curves, references={"seed best 47.3 %": 0.473}),
               "confusion": plot_confusion_matrix(matrix, FINE_NAMES, per_class=True,
                                                  title=f"SST-5 test confusion, {best} (seeds summed)")}
    if "examples" in fine[best]:
        figures["attention"] = plot_attention(fine[best]["examples"],
                                              title=f"{best}: attention over test sentences")
    paths = []
    for name, fig in figures.items():
        paths.append(stem.with_name(f"{stem.name}-{name}.png"))
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)
    return paths


if __name__ == "__main__":  # python -m course_lib.plots.sst [results/sst.json]
    import json
    import sys

    from course_lib.env.paths import RESULTS_DIR

    source = sys.argv[1] if len(sys.argv) > 1 else RESULTS_DIR / "sst.json"
    for path in write_figures(json.loads(open(source).read()), str(source).removesuffix(".json")):
        print(path)
