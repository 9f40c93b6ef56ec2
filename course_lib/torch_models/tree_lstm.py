"""The binary Tree-LSTM of Tai, Socher and Manning (2015), batched level by level.

A sequence LSTM reads a sentence left to right; a Tree-LSTM follows its parse tree instead: a
leaf reads its word, and an inner node combines the states of its two children,

    i   = sigmoid(U_i  [h_l; h_r] + b_i)         input gate
    f_l = sigmoid(U_fl [h_l; h_r] + b_fl)        forget gate of the left child's memory
    f_r = sigmoid(U_fr [h_l; h_r] + b_fr)        forget gate of the right child's memory
    o   = sigmoid(U_o  [h_l; h_r] + b_o)
    u   = tanh(U_u [h_l; h_r] + b_u)             candidate memory
    c   = i * u + f_l * c_l + f_r * c_r
    h   = o * tanh(c)

(Tai et al.'s "N-ary Tree-LSTM" with N = 2, their equations 9-14). One forget gate per child
lets a node keep the memory of "not" and drop that of "bad". Every node of the Stanford
Sentiment Treebank has a label, so every node gets a prediction and a loss.

Batching: a node can be computed once its children are, so all nodes of the same *level*
(1 + the larger level of the two children; leaves are level 0) across a batch of trees are
computed in one matrix product. A batch of 25 training sentences has ~930 nodes on average
(340-1,560) but only ~14 levels (7-20; 29 at most), thanks to length bucketing.

Node numbering of a batch (:func:`batch_trees`): first every leaf, tree by tree, left to right
(so ``h[length_mask]`` of a padded (N, T, .) leaf tensor lists them in order), then the inner
nodes sorted by level. A child therefore always has a smaller index than its parent.

Dimension letters: N trees, T words (longest sentence), L leaves, M inner nodes, D leaf input
size, H hidden size, C classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from course_lib.torch_models.recurrent import RecurrentEncoder, length_mask


@dataclass(frozen=True)
class FlatTree:
    """One binary tree as arrays, nodes numbered leaves first (0..n-1), then inner nodes in
    post-order (n..2n-2): the root is node 2n-2 (node 0 for a one-word sentence).

    words (n,) word ids; labels (2n-1,); left, right (n-1,) child numbers of the inner nodes;
    level (n-1,) of the inner nodes (leaves are level 0)."""

    words: np.ndarray
    labels: np.ndarray
    left: np.ndarray
    right: np.ndarray
    level: np.ndarray


def flatten_tree(tree, word_id) -> FlatTree:
    """A :class:`~course_lib.data.sst.Tree` as a :class:`FlatTree`; ``word_id(word) -> int``."""
    words, leaf_labels, inner = [], [], []  # inner: (label, left, right, level), post-order

    def visit(node):
        """Number of ``node`` (leaf: its position; inner: -1 - its post-order rank) and level."""
        if node.word is not None:
            words.append(word_id(node.word))
            leaf_labels.append(node.label)
            return len(words) - 1, 0
        if len(node.children) != 2:
            raise ValueError(f"a binary tree was expected; a node has {len(node.children)} "
                             f"children: {node}")
        (left, level_l), (right, level_r) = visit(node.children[0]), visit(node.children[1])
        inner.append((node.label, left, right, 1 + max(level_l, level_r)))
        return -len(inner), inner[-1][3]

    visit(tree)
    n = len(words)

    def number(k):  # inner nodes were numbered -1, -2, ... while the leaf count was unknown
        return k if k >= 0 else n - 1 - k

    return FlatTree(words=np.array(words, dtype=np.int64),
                    labels=np.array(leaf_labels + [x[0] for x in inner], dtype=np.int64),
                    left=np.array([number(x[1]) for x in inner], dtype=np.int64),
                    right=np.array([number(x[2]) for x in inner], dtype=np.int64),
                    level=np.array([x[3] for x in inner], dtype=np.int64))


def batch_trees(trees: list[FlatTree], pad_id: int = 0) -> dict[str, torch.Tensor]:
    """Tensors of a batch of N trees, numbered as the module docstring says:

    - ``words`` (N, T) word ids, right-padded with ``pad_id``; ``lengths`` (N,);
    - ``left``, ``right`` (M,) the children of the inner nodes, in level order;
    - ``level_sizes`` (K,) how many inner nodes each level 1..K has;
    - ``labels`` (L + M,) of every node; ``roots`` (N,) the number of each tree's root.
    """
    sizes = np.array([len(t.words) for t in trees])
    L = int(sizes.sum())
    leaf_start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    inner_start = leaf_start - np.arange(len(trees))  # tree b's inner nodes: n_b - 1 each
    level = np.concatenate([t.level for t in trees])
    order = np.argsort(level, kind="stable")  # level order; within a level, tree order
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))

    def number(local, b):
        """Batch numbers of tree b's local node numbers."""
        n, numbers = sizes[b], leaf_start[b] + local
        inner = local >= n
        numbers[inner] = L + rank[inner_start[b] + local[inner] - n]
        return numbers

    left = np.concatenate([number(t.left, b) for b, t in enumerate(trees)])[order]
    right = np.concatenate([number(t.right, b) for b, t in enumerate(trees)])[order]
    roots = np.array([number(np.array([2 * sizes[b] - 2]), b)[0] for b in range(len(trees))])
    inner_labels = np.concatenate([t.labels[len(t.words):] for t in trees])[order]
    labels = np.concatenate([t.labels[:len(t.words)] for t in trees] + [inner_labels])
    words = np.full((len(trees), int(sizes.max())), pad_id, dtype=np.int64)
    for b, t in enumerate(trees):
        words[b, :sizes[b]] = t.words
    level_sizes = np.bincount(level, minlength=int(level.max(initial=0)) + 1)[1:]
    return {"words": torch.from_numpy(words), "lengths": torch.from_numpy(sizes),
            "left": torch.from_numpy(left), "right": torch.from_numpy(right),
            "level_sizes": torch.from_numpy(level_sizes), "labels": torch.from_numpy(labels),
            "roots": torch.from_numpy(roots)}


def batch_numbers(tree: FlatTree) -> np.ndarray:
    """Where each node of ``tree`` (its own numbering) sits in ``batch_trees([tree])``: the
    leaves stay in place, the inner nodes move to level order."""
    n = len(tree.words)
    level_order = np.argsort(tree.level, kind="stable")
    return np.concatenate([np.arange(n), n + np.argsort(level_order)]).astype(np.int64)


class BinaryTreeLSTM(nn.Module):
    """Leaf inputs x (L, D) and the tree structure -> states h, c (L + M, H) of every node.

    A leaf is an LSTM step from x with no children: c = i * u, h = o * tanh(c). An inner node
    applies the equations of the module docstring to its two children."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.hidden_size = hidden_size
        self.leaf = nn.Linear(input_size, 3 * hidden_size)  # i, o, u
        self.compose = nn.Linear(2 * hidden_size, 5 * hidden_size)  # i, f_l, f_r, o, u
        with torch.no_grad():  # forget gates start half-open towards "keep": bias 1
            self.compose.bias[hidden_size:3 * hidden_size].fill_(1.0)

    def forward(self, x, left, right, level_sizes):
        """x (L, D); left, right (M,); level_sizes (K,) -> h, c (L + M, H)."""
        i, o, u = self.leaf(x).chunk(3, dim=1)
        c = torch.sigmoid(i) * torch.tanh(u)
        hs, cs = [torch.sigmoid(o) * torch.tanh(c)], [c]
        start = 0
        for size in level_sizes.tolist():
            h_all, c_all = torch.cat(hs), torch.cat(cs)  # every node computed so far
            l, r = left[start:start + size], right[start:start + size]
            gates = self.compose(torch.cat([h_all[l], h_all[r]], dim=1))
            i, f_l, f_r, o, u = gates.chunk(5, dim=1)
            c = (torch.sigmoid(i) * torch.tanh(u) + torch.sigmoid(f_l) * c_all[l]
                 + torch.sigmoid(f_r) * c_all[r])
            hs.append(torch.sigmoid(o) * torch.tanh(c))
            cs.append(c)
            start += size
        return torch.cat(hs), torch.cat(cs)


class TreeLSTMClassifier(nn.Module):
    """Embedding -> (optional BiLSTM over the sentence) -> binary Tree-LSTM -> a label per node.

    - ``vocab_size``, ``embed_dim`` or ``pretrained`` (V, E): the word embedding (fine-tuned);
    - ``leaf_encoder``: "embedding" (Tai et al.: each leaf reads its word vector) or "bilstm"
      (each leaf reads a bidirectional LSTM's state at its word, so it knows its context);
      the BiLSTM has ``encoder_size`` units per direction and the ``embedding``/``encoder``
      names of :class:`~course_lib.torch_models.SequenceClassifier`, so a pre-trained one loads;
    - ``hidden_size`` H of the Tree-LSTM; ``dropout`` on the word vectors and on every node's
      state before the linear head H -> C.

    ``forward(words, lengths, left, right, level_sizes)`` returns logits (L + M, C), one row per
    node of :func:`batch_trees`'s numbering.
    """

    def __init__(self, num_classes, *, vocab_size=None, embed_dim=None, pretrained=None,
                 hidden_size=150, leaf_encoder="embedding", encoder_size=150, dropout=0.5,
                 padding_idx=0):
        super().__init__()
        if leaf_encoder not in ("embedding", "bilstm"):
            raise ValueError(f"leaf_encoder must be 'embedding' or 'bilstm', got {leaf_encoder!r}")
        if pretrained is not None:
            pretrained = torch.as_tensor(pretrained, dtype=torch.get_default_dtype())
            self.embedding = nn.Embedding.from_pretrained(pretrained.clone(), freeze=False,
                                                          padding_idx=padding_idx)
        elif vocab_size is not None and embed_dim is not None:
            self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=padding_idx)
        else:
            raise ValueError("give vocab_size and embed_dim, or a pretrained matrix")
        size = self.embedding.embedding_dim
        self.encoder = None
        if leaf_encoder == "bilstm":
            self.encoder = RecurrentEncoder(size, encoder_size, bidirectional=True)
            size = self.encoder.output_size
        self.drop = nn.Dropout(dropout)
        self.tree = BinaryTreeLSTM(size, hidden_size)
        self.head = nn.Linear(hidden_size, num_classes)

    def forward(self, words, lengths, left, right, level_sizes):
        """words (N, T), lengths (N,), left/right (M,), level_sizes (K,) -> logits (L + M, C)."""
        x = self.drop(self.embedding(words))  # (N, T, E)
        if self.encoder is not None:
            x = self.drop(self.encoder(x, lengths))  # (N, T, 2 * encoder_size)
        leaves = x[length_mask(lengths.to(x.device), x.shape[1])]  # (L, D), tree by tree
        h, _ = self.tree(leaves, left, right, level_sizes)  # (L + M, H)
        return self.head(self.drop(h))
