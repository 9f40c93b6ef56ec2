"""Checkers for practice notebook 07: build a vocabulary, encode reviews, pad a batch (not to be
confused with :mod:`.check`, which verifies the data files).

Each ``check_<name>(fn)`` runs your function on fixed inputs, compares the result with the
course's reference (:class:`course_lib.data.text.Vocab`, :func:`course_lib.data.pad_batch`),
prints ``PASS`` or the most specific diagnosis it can, and returns True or False. A vocabulary
or an encoding is judged by the rules it must keep (specials first, counts, order); the classic
mistakes of padding are declared in ``mistakes.PAD_MISTAKES``.

Dimension letters: N sequences in a batch, T the padded length. With a ``seed``, each check
draws other texts, tokens or sequences (other sizes; the hidden tests of the graded cells use
them) instead of the fixed ones below.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from course_lib.checks import mistakes as m
from course_lib.checks.report import Report, diagnose
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
WORDS = ["the", "plot", "twist", "actor", "dull", "great", "scene", "music", "ending", "why",
         "!", "?", "slow", "funny", "sad", "cast"]


def random_texts(seed, num_texts=9):
    """Texts of 2 to 11 tokens drawn from WORDS with skewed frequencies (ties and rare words
    likely): the inputs of a hidden test."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, len(WORDS) + 1)
    words = rng.permutation(WORDS)
    return [[str(w) for w in rng.choice(words, size=rng.integers(2, 12), p=p / p.sum())]
            for _ in range(num_texts)]


def random_sequences(seed, num_sequences=6):
    """(sequences, max_len): id arrays of 1 to 12 ids, some longer than max_len."""
    rng = np.random.default_rng(seed)
    return [rng.integers(2, 30, rng.integers(1, 13)) for _ in range(num_sequences)], 7


def reference_vocab(texts, min_freq):
    """itos: ["<pad>", "<unk>", then words seen >= min_freq times, most frequent first, ties
    in alphabetical order]."""
    return Vocab.build(texts, min_freq=min_freq).itos


def check_build_vocab(fn, seed=None, min_freq=MIN_FREQ):
    """Check ``fn(texts, min_freq) -> itos``, the list of tokens in id order (on TEXTS, or on
    :func:`random_texts` drawn with ``seed``)."""
    report = Report("build_vocab")
    report.forbid(fn, reference_vocab, Vocab)
    texts = TEXTS if seed is None else random_texts(seed)
    expected = reference_vocab(texts, min_freq)
    ok, got = report.call(fn, [list(t) for t in texts], min_freq)
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
    counts = Counter(token for text in texts for token in text)
    if got[:2] != [PAD, UNK]:
        report.problem(f"the first two entries are {got[:2]}, expected {[PAD, UNK]}",
                       "put the specials first: <pad> must be id 0 (padding_idx, masks) and "
                       "<unk> id 1, whatever the word counts")
    words = [w for w in got if w not in (PAD, UNK)]
    rare = sorted(w for w in words if counts[w] < min_freq)
    if rare:
        report.problem(f"{rare} occur fewer than min_freq = {min_freq} times but are in it",
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


def check_encode(fn, seed=None):
    """Check ``fn(tokens, stoi, unk_id) -> int64 array of ids`` (with a ``seed``: a vocabulary
    of :func:`random_texts`, other tokens, and an unk_id that is not 1)."""
    report = Report("encode")
    report.forbid(fn, Vocab)
    itos = reference_vocab(TEXTS, MIN_FREQ)
    tokens = ["a", "good", "plot", "twist", ",", "meh"]  # "twist" unseen, "meh" too rare
    unk_id = 1
    if seed is not None:  # <unk> last, so that a hard-coded 1 shows
        itos = [PAD] + reference_vocab(random_texts(seed), 2)[2:] + [UNK]
        unk_id = len(itos) - 1
        rng = np.random.default_rng(seed + 1)
        tokens = [str(t) for t in rng.choice(WORDS + ["unseen", "words"], size=15)]
    stoi = {token: i for i, token in enumerate(itos)}
    expected = np.array([stoi.get(t, unk_id) for t in tokens], dtype=np.int64)
    ok, got = report.call(fn, list(tokens), dict(stoi), unk_id)
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


def pad_batch_variant(sequences, max_len, pad_id=0, *, side="right", keep="first",
                      width="longest kept", lengths="kept", marks="real tokens",
                      layout="(N, T)"):
    """What :func:`course_lib.data.pad_batch` returns (a dict of ids, lengths, mask), with the
    classic mistake that the keyword options select (the defaults are correct)."""
    kept = [s[:max_len] if keep == "first" else s[-max_len:] for s in sequences]
    kept_lengths = np.array([len(k) for k in kept], dtype=np.int64)  # (N,)
    T = int(kept_lengths.max()) if width == "longest kept" else max_len
    ids = np.full((len(kept), T), pad_id, dtype=np.int64)  # (N, T)
    for row, tokens in enumerate(kept):
        start = 0 if side == "right" else T - len(tokens)
        ids[row, start:start + len(tokens)] = tokens
    real = np.arange(T)[None, :] < kept_lengths[:, None]  # (N, T)
    mask = real if marks == "real tokens" else ~real
    if layout == "(T, N)":
        ids, mask = ids.T, mask.T
    if lengths == "uncapped":
        kept_lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    return {"ids": ids, "lengths": kept_lengths, "mask": mask}


FALLBACK_HINTS = {
    "ids": "fill with pad_id, then copy each (cut) sequence into the start of its row",
    "lengths": "lengths[n] is the number of tokens kept from sequence n",
    "mask": "mask[n, t] is True exactly when t < lengths[n]",
}


def _difference(name, got, want, where):
    """The problem to report when output ``name`` is ``got`` instead of ``want``."""
    if got.shape != want.shape:
        letters = "(N,)" if name == "lengths" else "(N, T)"
        return f"{name} has shape {got.shape}, expected {letters} = {want.shape} {where}"
    if name == "lengths":
        return f"lengths {got.tolist()}, expected {want.tolist()} {where}"
    return f"{name}\n{got.astype(int)}\nexpected\n{want.astype(int)}\n{where}"


def _pad_case(report, fn, sequences, max_len, pad_id=0):
    """One call of the student's pad_batch, compared with the reference; False to stop."""
    reference = dict(zip(("ids", "lengths", "mask"), pad_batch(sequences, max_len,
                                                               pad_id=pad_id)))
    before = [s.copy() for s in sequences]
    ok, got = report.call(fn, sequences, max_len, pad_id)
    if not ok:
        return False
    if not isinstance(got, tuple) or len(got) != 3:
        report.problem("it should return a tuple (ids, lengths, mask)")
        return False
    if any(not np.array_equal(a, b) for a, b in zip(before, sequences)):
        report.problem("it changed the input sequences", "copy into a new array; never "
                       "modify the caller's data")
    outputs = dict(zip(reference, (np.asarray(a) for a in got)))
    where = (f"(max_len = {max_len}, pad_id = {pad_id}, sequence lengths "
             f"{[len(s) for s in before]})")
    wrong = [k for k in outputs if not np.array_equal(outputs[k], reference[k])]
    for k in wrong:
        report.problem(_difference(k, outputs[k], reference[k], where))
    if wrong and not diagnose(report, outputs, reference, m.PAD_MISTAKES,
                              lambda **options: pad_batch_variant(before, max_len, pad_id,
                                                                  **options)):
        for k in wrong:
            report.hint(FALLBACK_HINTS[k])
    if outputs["mask"].dtype != bool:
        report.problem(f"mask has dtype {outputs['mask'].dtype}, expected bool",
                       "mask = np.arange(T)[None, :] < lengths[:, None]")
    if outputs["ids"].dtype != np.int64 or outputs["lengths"].dtype != np.int64:
        report.problem(f"dtypes ids {outputs['ids'].dtype}, lengths {outputs['lengths'].dtype}: "
                       "expected int64")
    return not report.problems


def check_pad_batch(fn, seed=None, pad_id=0):
    """Check ``fn(sequences, max_len, pad_id) -> (ids (N, T), lengths (N,), mask (N, T))``.

    Two batches: one with sequences longer than max_len (cut), one where all are shorter
    (T must then be the longest length, not max_len). With a ``seed``: the first batch is
    drawn by :func:`random_sequences`, padded with ``pad_id``.
    """
    report = Report("pad_batch")
    report.forbid(fn, pad_batch, pad_batch_variant)
    if seed is not None:
        sequences, max_len = random_sequences(seed)
        if _pad_case(report, fn, sequences, max_len, pad_id):
            _pad_case(report, fn, [s[:3] for s in sequences], 10, pad_id)
        return report.done(f"right-padded with {pad_id}, cut at max_len, T = longest kept "
                           "length, lengths and mask agree")
    if _pad_case(report, fn, SEQUENCES, MAX_LEN):
        _pad_case(report, fn, SHORT_SEQUENCES, 10)
    return report.done("right-padded, cut at max_len, T = longest kept length, lengths and "
                       "mask agree")
