"""Checkers for practice notebook 07: build a vocabulary, encode reviews, pad a batch (not to be
confused with :mod:`.check`, which verifies the data files).

Each ``check_<name>(fn)`` runs your function on fixed inputs, compares the result with the
course's reference (:class:`course_lib.data.text.Vocab`, :func:`course_lib.data.pad_batch`),
prints ``PASS`` or the most specific diagnosis it can (with a hint for the classic mistakes),
and returns True or False.

Dimension letters: N sequences in a batch, T the padded length.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from course_lib.checks.numpy_lstm import Report
from course_lib.data.batches import pad_batch
from course_lib.data.text import PAD, UNK, Vocab

# Counts chosen so that each mistake shows: a tie ("bad"/"film": 3 each), a word seen once
# ("meh"), a word more frequent than the specials' positions would suggest.
TEXTS = [
    ["a", "good", "film", "a", "good", "plot"],
    ["a", "bad", "film", ",", "bad", "acting"],
    ["good", "good", "film", "bad", "meh"],
    ["a", "plot", ",", "acting", ","],
]
MIN_FREQ = 2
SEQUENCES = [np.array([5, 3, 9, 2]), np.array([7]), np.array([4, 4, 8, 6, 2, 9, 3]),
             np.array([2, 6, 3])]
MAX_LEN = 5
SHORT_SEQUENCES = [np.array([4, 2]), np.array([6, 3, 8, 5]), np.array([9])]


def reference_vocab(texts, min_freq):
    """itos: ["<pad>", "<unk>", then words seen >= min_freq times, most frequent first, ties
    in alphabetical order]."""
    return Vocab.build(texts, min_freq=min_freq).itos


def check_build_vocab(fn):
    """Check ``fn(texts, min_freq) -> itos``, the list of tokens in id order."""
    report = Report("build_vocab")
    expected = reference_vocab(TEXTS, MIN_FREQ)
    ok, got = report.call(fn, [list(t) for t in TEXTS], MIN_FREQ)
    if not ok:
        return report.done("")
    if isinstance(got, dict):
        report.problem("it returned a dict", "return the list itos (id -> token); the dict "
                       "stoi = {token: id for id, token in enumerate(itos)} follows from it")
        return report.done("")
    if not hasattr(got, "__iter__"):
        report.problem(f"it should return the list itos (id -> token), got {type(got).__name__}")
        return report.done("")
    got = list(got)
    counts = Counter(token for text in TEXTS for token in text)
    if got[:2] != [PAD, UNK]:
        report.problem(f"the first two entries are {got[:2]}, expected {[PAD, UNK]}",
                       "put the specials first: <pad> must be id 0 (padding_idx, masks) and "
                       "<unk> id 1, whatever the word counts")
    words = [w for w in got if w not in (PAD, UNK)]
    rare = sorted(w for w in words if counts[w] < MIN_FREQ)
    if rare:
        report.problem(f"{rare} occur fewer than min_freq = {MIN_FREQ} times but are in it",
                       "keep a word only when count >= min_freq; rare words become <unk>")
    missing = sorted(set(expected) - set(got))
    if missing:
        report.problem(f"{missing} are missing", "every word with count >= min_freq belongs "
                       "in the vocabulary (count across all the texts, not one text)")
    if len(set(got)) != len(got):
        report.problem("some tokens appear twice", "each token gets exactly one id")
    if not report.problems and got != expected:
        by_count = sorted(words, key=lambda w: -counts[w])
        if words != by_count:
            report.problem(f"order {words}, expected {expected[2:]}",
                           "sort words by decreasing count: frequent words get small ids")
        else:
            report.problem(f"order {words}, expected {expected[2:]}",
                           "break ties alphabetically (sort by (-count, word)), so the same "
                           "texts always give the same ids")
    return report.done(f"{len(got)} entries: specials first, then by frequency, ties "
                       "alphabetical")


def check_encode(fn):
    """Check ``fn(tokens, stoi, unk_id) -> int64 array of ids``."""
    report = Report("encode")
    itos = reference_vocab(TEXTS, MIN_FREQ)
    stoi = {token: i for i, token in enumerate(itos)}
    tokens = ["a", "good", "plot", "twist", ",", "meh"]  # "twist" unseen, "meh" too rare
    expected = np.array([stoi.get(t, 1) for t in tokens], dtype=np.int64)
    ok, got = report.call(fn, list(tokens), dict(stoi), 1)
    if not ok:
        return report.done("")
    got = np.asarray(got)
    if got.shape != expected.shape:
        report.problem(f"{got.shape[0] if got.ndim else 0} ids for {len(tokens)} tokens",
                       "one id per token: unknown tokens map to unk_id, they are not skipped")
    elif not np.array_equal(got, expected):
        report.problem(f"ids {got.tolist()}, expected {expected.tolist()}",
                       "look each token up in stoi, and use unk_id when it is not there "
                       "(stoi.get(token, unk_id))")
    elif got.dtype != np.int64:
        report.problem(f"dtype {got.dtype}, expected int64",
                       "embedding lookups want integer ids: np.array(ids, dtype=np.int64)")
    return report.done("unknown and rare words map to <unk>")


def _pad_case(report, fn, sequences, max_len):
    """One call of the student's pad_batch, compared with the reference; False to stop."""
    expected = pad_batch(sequences, max_len, pad_id=0)
    before = [s.copy() for s in sequences]
    ok, got = report.call(fn, sequences, max_len, 0)
    if not ok:
        return False
    if not isinstance(got, tuple) or len(got) != 3:
        report.problem("it should return a tuple (ids, lengths, mask)")
        return False
    if any(not np.array_equal(a, b) for a, b in zip(before, sequences)):
        report.problem("it changed the input sequences", "copy into a new array; never "
                       "modify the caller's data")
    ids, lengths, mask = (np.asarray(a) for a in got)
    e_ids, e_lengths, e_mask = expected
    N, T = e_ids.shape
    where = f"(max_len = {max_len}, sequence lengths {[len(s) for s in sequences]})"
    if not np.array_equal(lengths, e_lengths):
        hint = None
        if np.array_equal(lengths, [len(s) for s in sequences]):
            hint = ("cap the lengths at max_len: they count the tokens kept, which is what the "
                    "mask and the pooling need")
        report.problem(f"lengths {lengths.tolist()}, expected {e_lengths.tolist()} {where}", hint)
    if ids.shape != (N, T):
        hint = None
        if ids.shape == (N, max_len):
            hint = (f"pad to the longest kept sequence (here T = {T}), not always to max_len: "
                    "shorter batches cost less")
        elif ids.shape == (T, N):
            hint = "the batch is (N, T): one row per sequence"
        report.problem(f"ids has shape {ids.shape}, expected (N, T) = {(N, T)} {where}", hint)
        return False
    if not np.array_equal(ids, e_ids):
        def rows(part, left):
            out = []
            for s in sequences:
                kept, pad = part(s), np.zeros(T - len(part(s)), np.int64)
                out.append(np.concatenate([pad, kept] if left else [kept, pad]))
            return np.stack(out)
        if np.array_equal(ids, rows(lambda s: s[:max_len], left=True)):
            report.problem("the padding is on the left", "right-pad: each sequence starts at "
                           "step 0 and the padding follows it (the course's encoders and "
                           "masks assume right padding)")
        elif np.array_equal(ids, rows(lambda s: s[-max_len:], left=False)):
            report.problem("long sequences keep their last max_len tokens",
                           "keep the first max_len tokens: sequence[:max_len]")
        else:
            report.problem(f"ids\n{ids}\nexpected\n{e_ids}\n{where}", "fill with pad_id, then "
                           "copy each (cut) sequence into the start of its row")
    if mask.shape != (N, T) or mask.dtype != bool:
        report.problem(f"mask: shape {mask.shape} dtype {mask.dtype}, expected {(N, T)} bool",
                       "mask = np.arange(T)[None, :] < lengths[:, None]")
    elif np.array_equal(mask, ~e_mask):
        report.problem("the mask is inverted", "True marks the real tokens, False the padding")
    elif not np.array_equal(mask, e_mask):
        report.problem(f"mask\n{mask.astype(int)}\nexpected\n{e_mask.astype(int)}",
                       "mask[n, t] is True exactly when t < lengths[n]")
    if ids.dtype != np.int64 or lengths.dtype != np.int64:
        report.problem(f"dtypes ids {ids.dtype}, lengths {lengths.dtype}: expected int64")
    return not report.problems


def check_pad_batch(fn):
    """Check ``fn(sequences, max_len, pad_id) -> (ids (N, T), lengths (N,), mask (N, T))``.

    Two batches: one with sequences longer than max_len (cut), one where all are shorter
    (T must then be the longest length, not max_len).
    """
    report = Report("pad_batch")
    if _pad_case(report, fn, SEQUENCES, MAX_LEN):
        _pad_case(report, fn, SHORT_SEQUENCES, 10)
    return report.done("right-padded, cut at max_len, T = longest kept length, lengths and "
                       "mask agree")
