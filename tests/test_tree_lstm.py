"""The batched binary Tree-LSTM against a plain recursive one, and the tree numbering."""

import numpy as np
import pytest
import torch

from course_lib.data.sst import parse_tree
from course_lib.torch_models.tree_lstm import (
    BinaryTreeLSTM,
    TreeLSTMClassifier,
    batch_numbers,
    batch_trees,
    flatten_tree,
)

LINES = ["(3 (2 It) (4 (2 's) (4 good)))",
         "(1 (2 (2 not) (2 (2 a) (3 (2 very) (3 good)))) (1 film))",
         "(4 Wonderful)",
         "(2 (1 (2 the) (1 plot)) (2 (2 (2 moves) (2 slowly)) (2 .)))"]
VOCAB = {w: i + 1 for i, w in enumerate(
    "It 's good not a very film Wonderful the plot moves slowly .".split())}


def flat(lines=LINES):
    return [flatten_tree(parse_tree(line), VOCAB.__getitem__) for line in lines]


def test_flatten_numbers_leaves_then_inner_nodes_in_post_order():
    t = flat()[0]
    assert t.words.tolist() == [VOCAB["It"], VOCAB["'s"], VOCAB["good"]]
    assert t.labels.tolist() == [2, 2, 4, 4, 3]  # leaves, then ('s good), then the root
    assert t.left.tolist() == [1, 0] and t.right.tolist() == [2, 3]
    assert t.level.tolist() == [1, 2]
    one = flat()[2]
    assert one.labels.tolist() == [4] and len(one.left) == 0


def test_flatten_refuses_a_node_with_one_child():
    with pytest.raises(ValueError, match="binary"):
        flatten_tree(parse_tree("(2 (3 good))"), VOCAB.__getitem__)


def test_batch_numbering_children_first_labels_and_roots():
    trees = flat()
    b = batch_trees(trees, pad_id=0)
    sizes = [len(t.words) for t in trees]
    L = sum(sizes)
    assert b["words"].shape == (4, max(sizes)) and b["lengths"].tolist() == sizes
    assert b["words"][2, 1:].eq(0).all()  # padding
    assert int(b["level_sizes"].sum()) == len(b["left"]) == L - len(trees)
    parents = L + torch.arange(len(b["left"]))
    assert (b["left"] < parents).all() and (b["right"] < parents).all()
    # every level's children were computed at an earlier level
    level_of = torch.zeros(len(b["labels"]), dtype=torch.long)
    start = 0
    for k, size in enumerate(b["level_sizes"].tolist(), start=1):
        level_of[L + start:L + start + size] = k
        start += size
    assert (level_of[b["left"]] < level_of[L:]).all() and (level_of[b["right"]] < level_of[L:]).all()
    assert b["labels"][b["roots"]].tolist() == [3, 1, 4, 2]
    assert b["roots"][2] == sizes[0] + sizes[1]  # the one-word sentence: its leaf is its root
    # each node appears once: its labels are a permutation of the trees' labels
    assert sorted(b["labels"].tolist()) == sorted(np.concatenate([t.labels for t in trees]).tolist())


def reference_states(cell, x, tree, leaf_index):
    """(h, c) of ``tree``'s root computed recursively, one node at a time."""
    H = cell.hidden_size
    if tree.word is not None:
        i, o, u = cell.leaf(x[leaf_index[0]]).split(H)
        leaf_index[0] += 1
        c = torch.sigmoid(i) * torch.tanh(u)
        return torch.sigmoid(o) * torch.tanh(c), c
    (h_l, c_l), (h_r, c_r) = (reference_states(cell, x, child, leaf_index)
                              for child in tree.children)
    i, f_l, f_r, o, u = cell.compose(torch.cat([h_l, h_r])).split(H)
    c = torch.sigmoid(i) * torch.tanh(u) + torch.sigmoid(f_l) * c_l + torch.sigmoid(f_r) * c_r
    return torch.sigmoid(o) * torch.tanh(c), c


def test_batched_cell_matches_the_recursive_definition_values_and_gradients():
    torch.manual_seed(0)
    cell = BinaryTreeLSTM(3, 4).double()
    b = batch_trees(flat())
    L = int(b["lengths"].sum())
    x = torch.randn(L, 3, dtype=torch.float64, requires_grad=True)
    h, c = cell(x, b["left"], b["right"], b["level_sizes"])
    assert h.shape == c.shape == (L + len(b["left"]), 4)
    roots_batched = h[b["roots"]]
    roots_reference, start = [], 0
    for line, n in zip(LINES, b["lengths"].tolist()):
        roots_reference.append(reference_states(cell, x[start:start + n], parse_tree(line), [0])[0])
        start += n
    roots_reference = torch.stack(roots_reference)
    assert torch.allclose(roots_batched, roots_reference, atol=1e-12)
    weights = torch.randn(4, 4, dtype=torch.float64)
    grads = [torch.autograd.grad((r * weights).sum(), [x, cell.compose.weight, cell.leaf.weight])
             for r in (roots_batched, roots_reference)]
    for g_batched, g_reference in zip(*grads):
        assert torch.allclose(g_batched, g_reference, atol=1e-12)


@pytest.mark.parametrize("leaf_encoder", ["embedding", "bilstm"])
def test_classifier_one_row_per_node_and_padding_never_matters(leaf_encoder):
    torch.manual_seed(0)
    model = TreeLSTMClassifier(5, vocab_size=20, embed_dim=6, hidden_size=5,
                               leaf_encoder=leaf_encoder, encoder_size=3).eval()
    b = batch_trees(flat())
    args = [b[k] for k in ("words", "lengths", "left", "right", "level_sizes")]
    logits = model(*args)
    assert logits.shape == (len(b["labels"]), 5)
    padded = b["words"].clone()
    padded[padded == 0] = 17
    assert torch.allclose(model(padded, *args[1:]), logits, atol=1e-6)
    # a tree alone gives the same logits as inside the batch
    alone = batch_trees(flat(LINES[1:2]))
    alone_logits = model(*[alone[k] for k in ("words", "lengths", "left", "right", "level_sizes")])
    assert torch.allclose(alone_logits[alone["roots"]], logits[b["roots"][1:2]], atol=1e-6)


def test_classifier_rejects_an_unknown_leaf_encoder():
    with pytest.raises(ValueError, match="leaf_encoder"):
        TreeLSTMClassifier(5, vocab_size=5, embed_dim=2, leaf_encoder="cnn")


def test_batch_numbers_map_a_trees_own_numbering_to_the_batch():
    for tree in flat():
        b = batch_trees([tree])
        assert b["labels"][batch_numbers(tree)].tolist() == tree.labels.tolist()
        assert batch_numbers(tree)[-1] == b["roots"][0]


def test_batch_numbers_when_post_order_and_level_order_differ():
    tree = flatten_tree(parse_tree("(8 (7 (6 (0 a) (1 b)) (2 c)) (5 (3 d) (4 e)))"),
                        lambda w: ord(w) - 96)
    assert tree.labels.tolist() == [0, 1, 2, 3, 4, 6, 7, 5, 8]  # leaves, then post-order
    b = batch_trees([tree])
    assert b["labels"].tolist() == [0, 1, 2, 3, 4, 6, 5, 7, 8]  # leaves, then level order
    assert b["labels"][batch_numbers(tree)].tolist() == tree.labels.tolist()
