"""Penn Treebank, Mikolov's language-modelling version: 10,000 words, one sentence per line.

Word level: lower-cased words, numbers replaced by ``N``, rare words by ``<unk>``; the loader adds
one ``<eos>`` token at the end of every line. Character level: the same text with words joined by
``_`` and every character followed by a space; again one ``<eos>`` per line.
"""

from __future__ import annotations

from course_lib.data.archive import read_content
from course_lib.data.fetch import check_choice, locate
from course_lib.data.text import EOS

SPLITS = ("train", "valid", "test")
LEVELS = ("word", "char")


def ptb_file(split: str, level: str = "word") -> str:
    """The registry name of a PTB file, e.g. ``"ptb/ptb.char.valid.txt"``."""
    check_choice(split, SPLITS, "PTB split")
    check_choice(level, LEVELS, "PTB level")
    return f"ptb/ptb.{'char.' if level == 'char' else ''}{split}.txt"


def tokens_of(text: str) -> list[str]:
    """The token stream of a PTB text: each line's whitespace-separated tokens, then ``<eos>``.

    >>> tokens_of(" the cat sat \\n a dog \\n")
    ['the', 'cat', 'sat', '<eos>', 'a', 'dog', '<eos>']
    """
    lines = text.split("\n")
    if lines and not lines[-1].strip():
        lines.pop()  # the text after the final newline
    stream: list[str] = []
    for line in lines:
        stream.extend(line.split())
        stream.append(EOS)
    return stream


def load_ptb(split: str = "train", level: str = "word") -> list[str]:
    """Load a PTB split as one token stream.

    Inputs:
    - split: "train", "valid" or "test"
    - level: "word" (929,589 / 73,760 / 82,430 tokens, vocabulary 10,000 with ``<eos>``)
      or "char" (characters and ``_`` for spaces; vocabulary 50 with ``<eos>``)

    Returns the list of tokens, ``<eos>`` at the end of every sentence.
    """
    location = locate(ptb_file(split, level))
    return tokens_of(read_content(location.path, location.member).decode("utf-8"))
