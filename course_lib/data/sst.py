"""Stanford Sentiment Treebank (Socher et al., 2013): sentences as labelled binary parse trees.

Each line of ``trees/{train,dev,test}.txt`` is one tree in Penn Treebank bracket format,
``(3 (2 It) (4 (2 's) (4 good)))``: every node, phrase or word, carries a sentiment label from
0 (very negative) to 4 (very positive). The root's label is the sentence's.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from course_lib.data.archive import read_content
from course_lib.data.errors import CorruptFileError
from course_lib.data.fetch import check_choice, locate

SPLITS = ("train", "dev", "test")
LABEL_SETS = ("fine", "binary")
FINE_NAMES = ("very negative", "negative", "neutral", "positive", "very positive")
_BRACKET_TOKEN = re.compile(r"\(|\)|[^\s()]+")


@dataclass(slots=True)
class Tree:
    """A node of a sentiment tree: a label and either two children or one word."""

    label: int
    children: list[Tree] = field(default_factory=list)
    word: str | None = None

    def leaves(self) -> list[str]:
        """The words under this node, left to right."""
        if self.word is not None:
            return [self.word]
        return [word for child in self.children for word in child.leaves()]

    def subtrees(self) -> Iterator[Tree]:
        """This node and every node below it (pre-order)."""
        yield self
        for child in self.children:
            yield from child.subtrees()

    def __str__(self) -> str:
        inside = self.word if self.word is not None else " ".join(map(str, self.children))
        return f"({self.label} {inside})"


def parse_tree(line: str) -> Tree:
    """Parse one bracketed tree, e.g. ``"(3 (2 It) (4 good))"``."""
    stack: list[Tree] = []
    root = None
    tokens = _BRACKET_TOKEN.findall(line)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "(":
            if root is not None or i + 1 >= len(tokens) or not tokens[i + 1].isdigit():
                raise ValueError(f"expected '(label' at token {i}")
            if stack and stack[-1].word is not None:
                raise ValueError(f"a word node with children at token {i}")
            stack.append(Tree(int(tokens[i + 1])))
            i += 1
        elif token == ")":
            if not stack:
                raise ValueError(f"unbalanced ')' at token {i}")
            node = stack.pop()
            if stack:
                stack[-1].children.append(node)
            else:
                root = node
        elif stack and not stack[-1].children:
            # A word; a few leaves hold two, such as "8 1\/2" (the film): keep them as one.
            node = stack[-1]
            node.word = token if node.word is None else f"{node.word} {token}"
        else:
            raise ValueError(f"unexpected word {token!r} at token {i}")
        i += 1
    if root is None or stack:
        raise ValueError("unbalanced brackets")
    return root


def load_sst_trees(split: str = "train") -> list[Tree]:
    """Parse every tree of an SST split (8,544 / 1,101 / 2,210 for train / dev / test)."""
    name = f"sst/trees/{check_choice(split, SPLITS, 'SST split')}.txt"
    location = locate(name)
    trees = []
    lines = read_content(location.path, location.member).decode("utf-8").splitlines()
    with _no_cyclic_gc():
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    trees.append(parse_tree(line))
                except ValueError as error:
                    raise CorruptFileError(f"{location}, line {number}: {error}") from None
    return trees


@contextlib.contextmanager
def _no_cyclic_gc():
    """Pause the cyclic garbage collector, which otherwise rescans the 300k new nodes often
    (twice as slow). Trees hold no reference cycles, so nothing is lost."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_sst(
    split: str = "train", labels: str = "fine", phrases: bool = False
) -> tuple[list[list[str]], np.ndarray]:
    """Load SST sentences (or phrases) with their sentiment labels.

    Inputs:
    - split: "train", "dev" or "test"
    - labels: "fine" (5 classes, 0 = very negative ... 4 = very positive) or "binary"
      (0 = negative from labels 0-1, 1 = positive from labels 3-4; neutral dropped:
      6,920 / 872 / 1,821 sentences)
    - phrases: if True, every labelled node of every tree (318,582 in train) instead of
      only the roots; duplicates are kept

    Returns a tuple of:
    - sentences: list of N token lists, tokens as in the trees (case kept, ``-LRB-`` for "(")
    - labels: int64 (N,)
    """
    check_choice(labels, LABEL_SETS, "SST label set")
    examples: list[tuple[list[str], int]] = []
    trees = load_sst_trees(split)
    with _no_cyclic_gc():
        for tree in trees:
            if phrases:
                collect_phrases(tree, examples)
            else:
                examples.append((tree.leaves(), tree.label))
    if labels == "binary":
        examples = [(tokens, int(label > 2)) for tokens, label in examples if label != 2]
    sentences = [tokens for tokens, _ in examples]
    return sentences, np.array([label for _, label in examples], dtype=np.int64)


def collect_phrases(node: Tree, out: list) -> list[str]:
    """Every labelled phrase of a tree: append ``(leaves, label)`` to ``out`` for ``node`` and
    every node below it (pre-order, as ``load_sst(phrases=True)`` lists them); return the leaves.

    Each node's leaves are built from its children's, so the whole tree costs one pass.
    """
    slot = len(out)
    out.append(None)
    if node.word is not None:
        leaves = [node.word]
    else:
        leaves = [word for child in node.children for word in collect_phrases(child, out)]
    out[slot] = (leaves, node.label)
    return leaves
