"""Checkers for practice notebook 04: a vocabulary with ``<unk>``, encoding, the BPTT layout
(batchify and windows), and the ``<unk>`` rate of held-out text as the vocabulary grows.

Each ``check_<name>(fn)`` runs your function on fixed synthetic text (a seed and a size choose
it; the hidden tests use others), compares it with the reference below, prints ``PASS`` or the
most specific diagnosis it can, and returns True or False. The references take keyword options
whose defaults are correct and which compute the classic mistakes of :data:`VOCAB_MISTAKES`
and :data:`UNK_RATE_MISTAKES`; the layouts and windows are judged by their shapes and contents.

The course's own implementations (:class:`course_lib.data.Vocab`, :func:`course_lib.data.batchify`,
:func:`course_lib.data.bptt_windows`) are the references, and a function that calls them fails.
:func:`check_batchify` and :func:`check_windows` serve practice 08 too (its checker module
passes torch data and its letters); this module never imports torch itself.

Dimension letters: L tokens in a stream, B rows, T steps per window, V vocabulary size.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from course_lib.checks.report import Mistake, Report, diagnose
from course_lib.data.batches import batchify, bptt_windows, num_windows
from course_lib.data.text import UNK, Vocab

COURSE_REFERENCES = (Vocab, Vocab.build, Vocab.encode, Vocab.__getitem__, batchify, bptt_windows,
                     num_windows)

# ---------------------------------------------------------------------------- synthetic text

WORDS = ("the", "a", "of", "cat", "dog", "sat", "ran", "on", "mat", "rug", "and", "big", "red",
         "old", "ate", "fish", "saw", "hat", "tree", "sun", "moon", "sky", "car", "bus", "pen",
         "cup", "box", "fox", "owl", "bee")


def synthetic_tokens(seed=0, length=400, words=WORDS):
    """A token list with Zipf-like word frequencies, ties in the counts, and a few literal
    ``<unk>`` tokens (as in PTB, whose text already has them)."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(words) + 1)
    tokens = list(rng.choice(np.array(words), size=length, p=weights / weights.sum()))
    for i in rng.choice(length, size=max(length // 40, 2), replace=False):
        tokens[int(i)] = UNK
    tokens = [str(t) for t in tokens]
    # force ties: two words with the same count, first seen in reverse alphabetical order
    tokens += ["zebra", "yak", "yak", "zebra"]
    return tokens


# ---------------------------------------------------------------------------- references


def reference_build_vocab(tokens, max_size=None, min_count=1, *, order="count, then alphabet",
                          unk="first", size_includes_unk=True, min_rule=">=",
                          unk_in_text="merged"):
    """The course's rule (:class:`course_lib.data.Vocab` with the one special ``<unk>``):
    ``<unk>`` at id 0, then the words seen at least ``min_count`` times by decreasing count,
    ties broken alphabetically, at most ``max_size`` entries in all (``<unk>`` included).

    The keyword options compute the mistakes of :data:`VOCAB_MISTAKES`.
    """
    counts = Counter(tokens)
    if unk_in_text == "merged":
        counts.pop(UNK, None)
    keep = (lambda c: c >= min_count) if min_rule == ">=" else (lambda c: c > min_count)
    words = [w for w in counts if keep(counts[w])]  # in order of first appearance
    if order == "count, then alphabet":
        words.sort(key=lambda w: (-counts[w], w))
    elif order == "count, then first seen":
        words.sort(key=lambda w: -counts[w])  # stable: ties stay in order of first appearance
    elif order == "alphabet":
        words.sort()
    elif order == "increasing count":
        words.sort(key=lambda w: (counts[w], w))
    room = None if max_size is None else max(max_size - (1 if size_includes_unk else 0), 0)
    words = words[:room]
    if unk == "missing":
        return words
    return words + [UNK] if unk == "last" else [UNK] + words


VOCAB_MISTAKES = [
    Mistake("ties by first appearance", "your order breaks ties in the counts by first "
            "appearance (Counter.most_common or a stable sort on the count alone); the course "
            "breaks them alphabetically, sort on the key (-count, word), so that the same counts "
            "always give the same ids whatever the order of the text", {"order": "count, then first seen"}),
    Mistake("alphabetical order", "your words are in alphabetical order; the most frequent "
            "words come first (sort on -count), and max_size keeps the most frequent",
            {"order": "alphabet"}),
    Mistake("increasing count", "your words come rarest first: sort by *decreasing* count, "
            "so that max_size keeps the frequent words", {"order": "increasing count"}),
    Mistake("<unk> missing", "the vocabulary has no <unk>: put it first, at id 0, so that "
            "every unknown word has an id", {"unk": "missing"}),
    Mistake("<unk> last", "<unk> belongs at id 0, before the words (the course's layout): "
            "its id then does not change with max_size", {"unk": "last"}),
    Mistake("<unk> not counted in max_size", "your vocabulary has max_size words plus <unk>, "
            "one entry too many: max_size counts every entry, <unk> included",
            {"size_includes_unk": False}),
    Mistake("min_count exclusive", "a word seen exactly min_count times is kept "
            "(count >= min_count), you dropped it", {"min_rule": ">"}),
    Mistake("<unk> twice", "the text already contains the token <unk> (PTB's does): it is the "
            "special at id 0, not a word of its own; leave it out of the counted words",
            {"unk_in_text": "counted"}),
]


def reference_encode(tokens, itos):
    """int64 (N,): the id of each token in ``itos``, the id of ``<unk>`` for unknown ones."""
    stoi = {word: i for i, word in enumerate(itos)}
    unk = stoi[UNK]
    return np.array([stoi.get(t, unk) for t in tokens], dtype=np.int64)


def reference_unk_rate(train_tokens, held_out_tokens, max_size, *, measured_on="held-out",
                       vocab_from="train", literal_unk="counted", per="token"):
    """The fraction of held-out tokens that a vocabulary of ``max_size`` entries built on the
    training tokens maps to ``<unk>`` (the text's own ``<unk>`` tokens included).

    The keyword options compute the mistakes of :data:`UNK_RATE_MISTAKES`.
    """
    source = train_tokens if vocab_from == "train" else held_out_tokens
    itos = reference_build_vocab(source, max_size)
    tokens = held_out_tokens if measured_on == "held-out" else train_tokens
    if literal_unk == "left out":
        tokens = [t for t in tokens if t != UNK]
    if per == "type":
        tokens = sorted(set(tokens))
    ids = reference_encode(tokens, itos)
    return float(np.mean(ids == 0)) if len(ids) else 0.0


UNK_RATE_MISTAKES = [
    Mistake("measured on train", "you measured the rate on the training tokens, the text the "
            "vocabulary was built from; the question is how much *new* text it misses: "
            "encode the held-out tokens", {"measured_on": "train"}),
    Mistake("vocabulary from held-out", "your vocabulary was built on the held-out text itself; "
            "build it on the training tokens (the held-out text is what it has never seen)",
            {"vocab_from": "held-out"}),
    Mistake("literal <unk> left out", "the held-out text's own <unk> tokens count: the model "
            "sees id 0 for them too (they are PTB's rare words, replaced before you got the text)",
            {"literal_unk": "left out"}),
    Mistake("per word type", "you counted distinct words (types); the rate is over tokens, every "
            "occurrence counts: a frequent unknown word costs more than a rare one",
            {"per": "type"}),
]

# ---------------------------------------------------------------------------- vocabulary

VOCAB_CASES = ((None, 1), (8, 1), (None, 3), (6, 2))  # (max_size, min_count)


def check_build_vocab(fn, seed=0, length=400):
    """``fn(tokens, max_size=None, min_count=1) -> itos``, the list of the vocabulary's tokens,
    ``<unk>`` first; checked on synthetic text (``seed``, ``length`` tokens)."""
    report = Report("build_vocab")
    report.forbid(fn, *COURSE_REFERENCES)
    tokens = synthetic_tokens(seed, length)
    for max_size, min_count in VOCAB_CASES:
        where = f"max_size={max_size}, min_count={min_count}"
        ok, out = report.call(fn, list(tokens), max_size, min_count)
        if not ok:
            return report.done("")
        if not isinstance(out, (list, tuple)) or not all(isinstance(w, str) for w in out):
            report.problem(f"{where}: it should return a list of tokens (str), got "
                           f"{type(out).__name__}", "return the vocabulary's tokens in id "
                           "order: itos[i] is the token of id i")
            return report.done("")
        out = list(out)
        want = reference_build_vocab(tokens, max_size, min_count)
        if out == want:
            continue
        report.problem(f"{where}: {len(out)} entries, first {out[:6]}; expected {len(want)}, "
                       f"first {want[:6]}")
        if len(out) != len(set(out)):
            report.hint("a token appears twice in your vocabulary: each token gets one id")
        universe = sorted(set(tokens) | set(out) | {UNK})
        found = diagnose(report, {"itos": _ids_of(out, universe)},
                         {"itos": _ids_of(want, universe)}, VOCAB_MISTAKES,
                         lambda size=max_size, least=min_count, universe=universe, **options: {
                             "itos": _ids_of(reference_build_vocab(tokens, size, least, **options),
                                             universe)})
        if not found and len(out) == len(want) and sorted(out) == sorted(want):
            report.hint("the right tokens, in another order: <unk> first, then by decreasing "
                        "count, ties alphabetically")
        return report.done("")
    ok, shuffled = report.call(fn, tokens[::-1], None, 1)
    if ok and list(shuffled) != reference_build_vocab(tokens):
        report.problem("the text read backwards gives another vocabulary: your ids depend on "
                       "the order of the text", "break ties in the counts alphabetically")
    return report.done(f"{len(VOCAB_CASES)} settings of max_size and min_count, <unk> at id 0, "
                       "ties broken alphabetically")


def _ids_of(itos, universe):
    """A vocabulary as numbers (for diagnose): each entry's index in ``universe`` (every token
    there is), padded to a fixed length so that vocabularies of different sizes differ."""
    width = 2 * len(universe) + 2
    codes = [universe.index(w) for w in itos]
    return np.array((codes + [-2] * width)[:width], dtype=np.float64)


def check_encode(fn, seed=1, length=300):
    """``fn(tokens, itos) -> ids`` int (N,): each token's id, ``<unk>``'s for unknown ones."""
    report = Report("encode")
    report.forbid(fn, *COURSE_REFERENCES)
    train, held_out = synthetic_tokens(seed, length), synthetic_tokens(seed + 100, length // 2,
                                                                       WORDS + ("gnu", "emu"))
    itos = reference_build_vocab(train, max_size=12)
    ok, out = report.call(fn, list(held_out), list(itos))
    if not ok:
        if isinstance(report.error, (KeyError, ValueError)):
            report.hint("a held-out word that is not in the vocabulary gets <unk>'s id: "
                        "stoi.get(token, unk_id)")
        return report.done("")
    want = reference_encode(held_out, itos)
    out = np.asarray(out)
    if out.shape != want.shape:
        report.problem(f"{out.shape[0] if out.ndim else out.shape} ids for {len(held_out)} tokens",
                       "every token gets an id, unknown ones too: do not drop them")
    elif not np.issubdtype(out.dtype, np.integer):
        report.problem(f"dtype {out.dtype}, expected integer ids (np.int64)")
    elif not np.array_equal(out, want):
        unknown = want == 0
        if np.array_equal(out[~unknown], want[~unknown]):
            report.problem(f"the known words are right, the unknown ones get "
                           f"{sorted(set(out[unknown].tolist()))[:4]}",
                           "unknown words get the id of <unk>, itos.index('<unk>') = 0")
        else:
            wrong = int(np.argmax(out != want))
            report.problem(f"token {wrong} ({held_out[wrong]!r}) got id {out[wrong]}, expected "
                           f"{want[wrong]}", "id i is the position of the token in itos: build "
                           "the dict stoi = {token: i for i, token in enumerate(itos)}")
    return report.done(f"{len(want)} tokens, {int((want == 0).sum())} of them <unk>")


# ---------------------------------------------------------------------------- BPTT layout
# One checker per function, shared by practice 04 (NumPy, rows called B) and practice 08
# (torch windows, rows called N streams): ``letter`` and ``noun`` say how the practice names
# the rows, ``array`` what the windows' data is.


def batchify_variant(ids, B, *, layout="rows"):
    """:func:`course_lib.data.batchify` (B, L // B), or a classic mistake of layout
    (:func:`batchify_mistakes`)."""
    if layout == "rows":
        return batchify(ids, B)
    kept = np.asarray(ids)[:B * (len(ids) // B)]
    return {"columns": kept.reshape(-1, B), "interleaved": kept.reshape(-1, B).T}[layout]


def batchify_mistakes(letter="B"):
    """The classic mistakes of layout, their hints written with the practice's ``letter``."""
    X, x = letter, letter.lower()
    return [
        Mistake("rows as columns", f"shape (L // {X}, {X}): each *row* is one stream of "
                f"L // {X} consecutive tokens: reshape({X}, L // {X}), not "
                f"reshape(L // {X}, {X})", {"layout": "columns"}),
        Mistake("interleaved rows", f"your rows are interleaved (row 0 holds tokens 0, {X}, "
                f"2{X}, ...): reshape({X}, -1), not reshape(-1, {X}).T: row {x} must be the "
                f"{x}-th *contiguous* slice of the text, so that reading a row left to right "
                "continues the text and the hidden state carried from one window to the next "
                "belongs to the same text", {"layout": "interleaved"}),
    ]


def check_batchify(fn, length=23, rows=4, *, letter="B", noun="rows"):
    """``fn(ids (L,), B) -> (B, L // B)``: B contiguous rows, the last L % B tokens dropped
    (L = ``length``, B = ``rows``; the result may be any array type NumPy can read)."""
    report = Report("batchify")
    report.forbid(fn, *COURSE_REFERENCES, batchify_variant)
    ids, X = np.arange(length), letter
    ok, out = report.call(fn, ids.copy(), rows)
    if not ok:
        return report.done("")
    want = batchify(ids, rows)
    try:
        out = np.asarray(out)
    except (TypeError, ValueError) as error:
        report.problem(f"it should return an array ({X}, L // {X}): {error}")
        return report.done("")
    if out.size != want.size:
        report.problem(f"shape {out.shape}, expected ({X}, L // {X}) = {want.shape} for "
                       f"L = {length}, {X} = {rows}", f"drop the last L % {X} tokens first "
                       f"(ids[:{X} * (L // {X})]) so that the {noun} have equal length; pad "
                       "nothing")
    elif out.shape != want.shape:
        report.problem(f"shape {out.shape}, expected ({X}, L // {X}) = {want.shape}")
    elif not np.array_equal(out, want):
        report.problem(f"row 0 is {out[0].tolist()}, expected {want[0].tolist()}")
    if report.problems and out.size == want.size:
        diagnose(report, {noun: out}, {noun: want}, batchify_mistakes(letter),
                 lambda **options: {noun: batchify_variant(ids, rows, **options)})
    return report.done(f"{rows} contiguous {noun} of {want.shape[1]} tokens")


def _layout_data(rows, columns, array):
    """(rows, columns) of 0, 1, 2, ...: a NumPy array, or a torch tensor (torch imported here
    only, so that practice 04 never loads it)."""
    data = np.arange(rows * columns).reshape(rows, columns)
    if array == "torch":
        import torch

        return torch.as_tensor(data)
    return data


def check_windows(fn, rows=2, columns=15, steps=4, *, array="numpy"):
    """``fn(data (B, L), T)``: the list (or generator) of ``(inputs, targets)`` windows, each
    (B, k) with k = T but for a shorter last window, targets shifted by one token (B = ``rows``,
    L = ``columns``, T = ``steps``; ``array``: "numpy" or "torch", the type of ``data``)."""
    report = Report("windows")
    report.forbid(fn, *COURSE_REFERENCES)
    data = _layout_data(rows, columns, array)
    ok, out = report.call(fn, data.clone() if array == "torch" else data.copy(), steps)
    if not ok:
        return report.done("")
    want = [(np.asarray(x), np.asarray(y)) for x, y in bptt_windows(np.asarray(data), steps)]
    try:
        out = [(np.asarray(x), np.asarray(y)) for x, y in out]
    except (TypeError, ValueError) as error:
        report.problem(f"it should give (inputs, targets) pairs: {error}")
        return report.done("")
    where = f"L = {columns}, T = {steps}"
    if out and all(x.shape == y.shape and np.array_equal(x, y) for x, y in out):
        report.problem("targets equal inputs", "the targets are the *next* tokens: "
                       "data[:, i + 1:i + 1 + k]")
    elif len(out) != len(want):
        starts = [int(x[0, 0]) if x.size else -1 for x, _ in out]
        hint = None
        if starts[:3] == [0, 1, 2]:
            hint = "windows do not overlap: step through the columns by T (range(0, L - 1, T))"
        elif len(out) == len(want) - 1:
            hint = (f"keep the last, shorter window: a row has L - 1 = {columns - 1} targets, "
                    f"that is {(columns - 1) // steps} windows of {steps} and one of "
                    f"{(columns - 1) % steps}, and every token is predicted once")
        elif len(out) == len(want) + 1:
            hint = "the last target is data[:, L - 1]: the inputs stop at column L - 2"
        report.problem(f"{len(out)} windows, expected {len(want)} for {where}", hint)
    else:
        for k, ((x, y), (wx, wy)) in enumerate(zip(out, want)):
            if x.shape != wx.shape or y.shape != wy.shape:
                report.problem(f"window {k}: inputs {x.shape}, targets {y.shape}, expected "
                               f"{wx.shape} each", "the window at column i has "
                               "k = min(T, L - 1 - i) steps")
                break
            if not (np.array_equal(x, wx) and np.array_equal(y, wy)):
                hint = ("targets are the inputs shifted by exactly one step"
                        if np.array_equal(x, wx) else "window k starts at column k * T")
                report.problem(f"window {k} differs: inputs {x[0].tolist()}, targets "
                               f"{y[0].tolist()}; expected {wx[0].tolist()} -> {wy[0].tolist()}",
                               hint)
                break
    last = want[-1][0].shape[1]
    return report.done(f"{len(want)} window{'s' * (len(want) != 1)} for {where}, the last one "
                       f"of {last} step{'s' * (last != 1)}, targets shifted by one")


# ---------------------------------------------------------------------------- the <unk> rate

UNK_RATE_SIZES = (4, 8, 16, 64)


def check_unk_rate(fn, seed=2, length=600):
    """``fn(train_tokens, held_out_tokens, max_size) -> float``: the fraction of held-out
    tokens mapped to ``<unk>`` by a vocabulary of ``max_size`` built on the training tokens."""
    report = Report("unk_rate")
    report.forbid(fn, *COURSE_REFERENCES)
    train = synthetic_tokens(seed, length)
    held_out = synthetic_tokens(seed + 1, length // 2, WORDS + ("gnu", "emu", "elk"))
    for size in UNK_RATE_SIZES:
        ok, out = report.call(fn, list(train), list(held_out), size)
        if not ok:
            return report.done("")
        try:
            out = float(out)
        except (TypeError, ValueError):
            report.problem(f"it should return a fraction (a float), got {type(out).__name__}")
            return report.done("")
        want = reference_unk_rate(train, held_out, size)
        if abs(out - want) <= 1e-9:
            continue
        report.problem(f"max_size={size}: got {out:.4f}, expected {want:.4f}")
        if abs(out - 100 * want) <= 1e-7:
            report.hint("a fraction between 0 and 1, not a percentage")
        else:
            diagnose(report, {"rate": out}, {"rate": want}, UNK_RATE_MISTAKES,
                     lambda size=size, **options: {"rate": reference_unk_rate(
                         train, held_out, size, **options)}, tol=1e-9)
        return report.done("")
    return report.done(f"vocabulary sizes {', '.join(map(str, UNK_RATE_SIZES))}")


def check_unk_study(rates, text_unk_fraction, train_tokens, held_out_tokens):
    """The measured study: ``rates`` maps each vocabulary size to the held-out ``<unk>`` rate,
    ``text_unk_fraction`` is the share of held-out tokens that already are ``<unk>`` in the text.

    Both are recomputed from ``train_tokens`` and ``held_out_tokens`` with the course's rule.
    """
    report = Report("unk study")
    try:
        rates = {int(size): float(rate) for size, rate in dict(rates).items()}
    except (TypeError, ValueError) as error:
        report.problem(f"rates should map each vocabulary size to a float: {error}")
        return report.done("")
    if not rates:
        report.problem("rates is empty: measure at least the sizes of the table")
        return report.done("")
    counts = Counter(train_tokens)
    for size, rate in sorted(rates.items()):
        itos = Vocab(counts, max_size=size, specials=(UNK,)).itos
        want = float(np.mean(reference_encode(held_out_tokens, itos) == 0))
        if abs(rate - want) > 1e-9:
            report.problem(f"size {size}: your rate is {rate:.4f}, expected {want:.4f}")
            diagnose(report, {"rate": rate}, {"rate": want}, UNK_RATE_MISTAKES,
                     lambda size=size, **options: {"rate": reference_unk_rate(
                         train_tokens, held_out_tokens, size, **options)}, tol=1e-9)
            break
    floor = held_out_tokens.count(UNK) / len(held_out_tokens)
    try:
        text_unk_fraction = float(text_unk_fraction)
    except (TypeError, ValueError):
        report.problem("text_unk_fraction should be a number (a fraction)")
        return report.done("")
    if abs(text_unk_fraction - floor) > 1e-9:
        report.problem(f"text_unk_fraction is {text_unk_fraction:.4f}, expected {floor:.4f}",
                       "count the held-out tokens that *are* the string '<unk>', "
                       "divided by the number of held-out tokens")
    return report.done(f"{len(rates)} sizes; the text's own <unk> tokens are {floor:.1%} of "
                       "the held-out text, the floor of every rate")
