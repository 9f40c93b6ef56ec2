"""Pictures of the data: an MNIST digit read as a sequence of rows, an SST tree with its labels.

Each drawing function returns the figure. :func:`tree_layout` places the nodes of a parse tree
for every tree picture of the course (this module's and :mod:`course_lib.plots.sst`'s).
"""

from __future__ import annotations

import itertools

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


def tree_layout(tree: Tree) -> tuple[list[Tree], np.ndarray, list[tuple[int, int]]]:
    """Where to draw every node of a parse tree (the one layout of the course's tree pictures).

    Nodes are numbered as :func:`~course_lib.torch_models.tree_lstm.flatten_tree` numbers
    them: the n leaves 0..n-1 in reading order, then the inner nodes in post-order (children
    before their parent, the root last).
    Returns (nodes, xy, edges): the nodes in that order; xy (number of nodes, 2): a leaf at
    x = its position, y = 0, an inner node centred over its children, one level above the
    higher one (y = its level); edges: (parent, child) pairs of node numbers.
    """
    n, size = len(tree.leaves()), sum(1 for _ in tree.subtrees())
    nodes, xy, edges = [None] * size, np.zeros((size, 2)), []
    leaf_numbers, inner_numbers = itertools.count(), itertools.count(n)

    def place(node: Tree) -> int:
        if node.word is not None:
            k = next(leaf_numbers)
            xy[k] = k, 0
        else:
            children = [place(child) for child in node.children]
            k = next(inner_numbers)
            xy[k] = xy[children, 0].mean(), 1 + xy[children, 1].max()
            edges.extend((k, child) for child in children)
        nodes[k] = node
        return k

    place(tree)
    return nodes, xy, edges


def draw_tree(tree: Tree, ax=None, title: str = "An SST sentence: every node labelled"):
    """Draw a sentiment tree, each node coloured by its label 0-4; the words on one line below."""
    nodes, xy, edges = tree_layout(tree)
    words, height = tree.leaves(), xy[:, 1].max()
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6, 1.0 * len(words)), 0.55 * height + 2.5))
    for parent, child in edges:
        ax.plot(*xy[[parent, child]].T, color="grey", lw=0.8, zorder=1)
    ax.scatter(*xy.T, s=260, color=SENTIMENT_COLOURS[[node.label for node in nodes]],
               edgecolor="black", zorder=2)
    for (x, y), node in zip(xy, nodes):
        ax.text(x, y, str(node.label), ha="center", va="center", fontsize=8, zorder=3)
    for x, word in enumerate(words):
        ax.text(x, -0.5, word, ha="center", va="top", fontsize=10)
    handles = [plt.Line2D([], [], marker="o", ls="", color=SENTIMENT_COLOURS[i],
                          markeredgecolor="black", label=f"{i}: {name}")
               for i, name in enumerate(FINE_NAMES)]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
              title="label")
    ax.set(title=title, ylim=(-1.3, height + 0.6), xlim=(-0.7, len(words) - 0.3))
    ax.axis("off")
    return ax.figure
