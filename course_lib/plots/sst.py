"""Tables and pictures of the SST experiment (notebook 10), drawn from its results record.

``python -m course_lib.plots.sst`` writes ``results/sst-{overfitting,confusion,attention}.png``
from ``results/sst.json``.

Every plotting function returns the matplotlib figure; titles, axis labels and units are set
here. The record is what ``lstm-course run sst`` writes (``results/sst.json``); its
``extra["rows"]`` holds, per row of the table, the per-seed test accuracies at the best dev
epoch, the best-dev checkpoints' test predictions and a few attention maps.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_lib.data.sst import FINE_NAMES

POOLING_NAMES = {"last": "last state", "mean": "mean", "max": "max",
                 "attention": "additive attention", "seed_attention": "seeds' attention",
                 "max+attention": "max + additive attention"}


def describe(recipe: dict) -> str:
    """A recipe in words: "BiLSTM, max + additive attention, GloVe (lr x0.1), phrases"."""
    layers = f"{recipe['layers']}-layer " if recipe["layers"] > 1 else ""
    cell = f"{layers}{'BiLSTM' if recipe['bidirectional'] else 'LSTM'}"
    embedding = "GloVe-50" if recipe["embedding"] == "glove" else "random 50-d"
    if recipe["embedding"] == "glove" and recipe["embedding_lr_scale"] != 1:
        embedding += f" (lr x{recipe['embedding_lr_scale']:g})"
    extras = [f"label smoothing {recipe['label_smoothing']:g}"] if recipe["label_smoothing"] else []
    if recipe.get("halve_after") is not None:
        extras.append("lr halved per round")
    return ", ".join([cell, POOLING_NAMES[recipe["pooling"]], embedding, *extras])


def results_table(record: dict, minutes=True) -> list[dict]:
    """Rows for :func:`~course_lib.runs.notebook_support.markdown_table`: ours (mean ± std
    over seeds of the test accuracy at the best dev epoch), then the seeds' and the papers'."""
    extra, rows = record["extra"], []
    for name, row in extra["rows"].items():
        recipe = row["recipe"]
        wall = row["wall_time_s"] / 60 if minutes else row["wall_time_s"]
        rows.append({
            "row": name, "task": "SST-2" if recipe["labels"] == "binary" else "SST-5",
            "model": describe(recipe),
            "trained on": f"{row['train_examples']:,} {'phrases' if recipe['phrases'] else 'sentences'}",
            "test accuracy (%)": f"{100 * row['test_mean']:.2f} ± {100 * row['test_std']:.2f}",
            "seeds": row["seeds"], "best-dev epochs": ", ".join(map(str, row["best_epoch"])),
            "wall time": f"{wall:.1f} min" if minutes else f"{wall:.0f} s",
        })
    published = [("SST-5", label, value) for label, value in
                 {**extra["seed_rows"], **extra["references"]}.items()]
    published += [("SST-2", label, value) for label, value in extra.get("sst2_references", {}).items()]
    for task, label, value in published:
        rows.append({"row": label, "task": task, "model": "(published)", "trained on": "",
                     "test accuracy (%)": f"{100 * value:.1f}", "seeds": "", "best-dev epochs": "",
                     "wall time": ""})
    return rows


def epoch_curves(record: dict, row: str, split: str = "test") -> tuple[np.ndarray, np.ndarray]:
    """Per-epoch accuracy of ``row`` over its seeds: (epochs (E,), accuracies (S, E))."""
    runs = [h for name, h in record["history"].items() if name.startswith(f"{row}/")]
    return np.array(runs[0]["epoch"]), np.array([h[f"{split}_accuracy"] for h in runs])


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


def confusion(predictions, labels, num_classes=5) -> np.ndarray:
    """(C, C) counts, rows = true class, columns = prediction, summed over the given runs."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    for predicted in predictions:
        np.add.at(matrix, (np.asarray(labels), np.asarray(predicted)), 1)
    return matrix


def plot_confusion(matrix, names=FINE_NAMES, title="SST-5 test confusion"):
    """Row-normalised confusion (per cent of each true class), counts in the cells."""
    matrix = np.asarray(matrix)
    share = 100 * matrix / matrix.sum(1, keepdims=True)
    fig, ax = plt.subplots(figsize=(6.4, 5.2))
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=100)
    for r in range(len(matrix)):
        for c in range(len(matrix)):
            ax.text(c, r, f"{share[r, c]:.0f} %\n({matrix[r, c]})", ha="center", va="center",
                    fontsize=7.5, color="white" if share[r, c] > 60 else "black")
    ax.set(title=title, xlabel="predicted class", ylabel="true class",
           xticks=range(len(names)), yticks=range(len(names)))
    ax.set_xticklabels(names, rotation=30, ha="right")
    ax.set_yticklabels(names)
    fig.colorbar(image, ax=ax, label="per cent of the true class's test sentences")
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


def tree_layout(flat) -> np.ndarray:
    """(x, y) (2n-1, 2) of every node of a :class:`~course_lib.torch_models.tree_lstm.FlatTree`:
    leaves at x = 0, 1, ... and y = 0; an inner node centred over its children, at its level."""
    n = len(flat.words)
    xy = np.zeros((2 * n - 1, 2))
    xy[:n, 0] = np.arange(n)
    for j, (left, right) in enumerate(zip(flat.left, flat.right)):  # post-order: children first
        xy[n + j] = (xy[left, 0] + xy[right, 0]) / 2, flat.level[j]
    return xy


def plot_tree_predictions(examples, names=FINE_NAMES, title="Tree-LSTM labels at every node"):
    """Each example sentence as its parse tree, every node coloured by the label the model
    gave it (red: very negative ... blue: very positive); a node whose gold label differs has
    a black ring and its gold label written beside it. examples: dicts with "tree" (brackets)
    and "predicted" (labels in ``flatten_tree``'s numbering), as ``sst-tree`` stores them."""
    from matplotlib.lines import Line2D

    from course_lib.data.sst import parse_tree
    from course_lib.torch_models.tree_lstm import flatten_tree

    colours = plt.get_cmap("RdBu")(np.linspace(0.05, 0.95, len(names)))
    fig, axes = plt.subplots(len(examples), 1, figsize=(11, 2.4 * len(examples) + 0.6),
                             squeeze=False)
    for ax, example in zip(axes[:, 0], examples):
        tree = parse_tree(example["tree"])
        flat = flatten_tree(tree, lambda word: 0)
        xy, gold, predicted = tree_layout(flat), flat.labels, np.asarray(example["predicted"])
        n = len(flat.words)
        for j, children in enumerate(zip(flat.left, flat.right)):
            for child in children:
                ax.plot(*xy[[child, n + j]].T, color="0.75", linewidth=0.8, zorder=1)
        wrong = predicted != gold
        ax.scatter(*xy.T, s=90, c=colours[predicted],
                   edgecolors=["k" if w else "0.55" for w in wrong],
                   linewidths=[1.8 if w else 0.6 for w in wrong], zorder=2)
        for k in np.flatnonzero(wrong):
            ax.annotate(str(gold[k]), xy[k], xytext=(6, 4), textcoords="offset points",
                        fontsize=7)
        for x, word in enumerate(tree.leaves()):
            ax.text(x, -0.4, word, ha="center", va="top", fontsize=8, rotation=30)
        verdict = "right" if predicted[-1] == gold[-1] else "WRONG"
        ax.set_title(f"{verdict}: gold {names[gold[-1]]}, predicted {names[predicted[-1]]}",
                     fontsize=9, loc="left")
        ax.set_xlim(-0.8, n - 0.2)
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
    the overfitting curves, the best SST-5 row's confusion and its attention maps."""
    from pathlib import Path

    stem, rows = Path(stem), record["extra"]["rows"]
    fine = {n: r for n, r in rows.items() if r["recipe"]["labels"] == "fine"}
    best = max(fine, key=lambda n: fine[n]["test_mean"])
    curves = [r for r in ("lstm-glove", "attention-glove", "lstm-random") if r in rows]
    labels = record["extra"]["test_labels"]["fine"]
    figures = {"overfitting": plot_overfitting(record, curves, references={"seed best 47.3 %": 0.473}),
               "confusion": plot_confusion(confusion(fine[best]["test_predictions"], labels),
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
