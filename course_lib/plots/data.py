"""Pictures of the data: an MNIST digit read as a sequence of rows, an SST tree with its labels.

Each function draws on new axes (or the ``ax`` it is given) and returns the figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_lib.data.sst import FINE_NAMES, Tree

SENTIMENT_COLOURS = plt.get_cmap("RdYlGn")(np.linspace(0.05, 0.95, 5))  # label 0..4


def plot_digit_rows(image: np.ndarray, label: int, steps=(5, 9, 13, 17, 21)):
    """One digit as the LSTM sees it: time step t reads row t, a vector of 28 pixel values.

    - image: (28, 28) pixel intensities in [0, 1]
    - steps: the time steps (rows) to draw as input vectors
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), width_ratios=(1, 1.6))
    left.imshow(image, cmap="gray_r", vmin=0, vmax=1)
    for t in steps:
        left.axhline(t, color="tab:red", lw=1)
        left.text(28.5, t, f"t = {t}", va="center", color="tab:red", fontsize=8)
    left.set(title=f"digit {label}: 28 rows = 28 time steps", xlabel="column (feature)",
             ylabel="row (time step t)")
    offsets = np.arange(len(steps))[::-1] * 1.2
    for t, offset in zip(steps, offsets):
        right.plot(image[t] + offset, color="tab:red")
        right.text(-1, offset + 0.1, f"x_{t}", ha="right", fontsize=9)
    right.set(title="the input vector x_t at each marked step", xlabel="feature (column 0-27)",
              ylabel="pixel intensity (offset per step)", yticks=[], xlim=(-4, 28))
    fig.tight_layout()
    return fig


def _layout(tree: Tree, depth: int, positions: dict, leaves: list) -> float:
    """x position of each node: leaves in reading order, parents centred over their children."""
    if tree.word is not None:
        x = float(len(leaves))
        leaves.append(tree)
    else:
        x = float(np.mean([_layout(child, depth + 1, positions, leaves)
                           for child in tree.children]))
    positions[id(tree)] = (x, -depth)
    return x


def draw_tree(tree: Tree, ax=None, title: str = "An SST sentence: every node labelled"):
    """Draw a sentiment tree, each node coloured by its label 0-4; the words on one line below."""
    positions: dict = {}
    leaves: list = []
    _layout(tree, 0, positions, leaves)
    depth = -min(y for _, y in positions.values())
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6, 1.0 * len(leaves)), 0.55 * depth + 2.5))
    baseline = -depth - 0.8
    for node in tree.subtrees():
        x, y = positions[id(node)]
        for child in node.children:
            cx, cy = positions[id(child)]
            ax.plot([x, cx], [y, cy], color="grey", lw=0.8, zorder=1)
        ax.scatter([x], [y], s=260, color=SENTIMENT_COLOURS[node.label], edgecolor="black",
                   zorder=2)
        ax.text(x, y, str(node.label), ha="center", va="center", fontsize=8, zorder=3)
        if node.word is not None:
            ax.plot([x, x], [y, baseline + 0.3], color="grey", lw=0.6, ls=":", zorder=1)
            ax.text(x, baseline, node.word, ha="center", va="top", fontsize=10)
    handles = [plt.Line2D([], [], marker="o", ls="", color=SENTIMENT_COLOURS[i],
                          markeredgecolor="black", label=f"{i}: {name}")
               for i, name in enumerate(FINE_NAMES)]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
              title="label")
    ax.set(title=title, ylim=(baseline - 0.8, 0.6), xlim=(-0.7, len(leaves) - 0.3))
    ax.axis("off")
    return ax.figure
