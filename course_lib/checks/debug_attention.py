"""The debugging exercise of practice notebook 10: a colleague's attention pooling with one of
four classic masking bugs, found by measuring its weights.

:func:`planted_bug_pooling` turns a student's seed (their student number, or their name) into
an ``attention_pooling(h, mask, W, b, v) -> (pooled, weights)`` with one of the four mistakes
of ``mistakes.ATTENTION_MISTAKES`` planted. Each bug leaves its own mark on three measurable
*symptoms* of the weights on a padded batch (:data:`SYMPTOMS`): do the weights of each sequence
sum to 1, do padded steps get exactly no weight, do the weights stay the same when only the
padded steps' states change? Four checks:

- :func:`check_predicted_symptoms`: the student's table, derived before any measurement, of
  the three symptoms of each bug (graded against what the checker measures on the bugs);
- :func:`check_measure_symptoms`: the student's measurement of the three symptoms of a pooling;
- :func:`check_attention_bug_name`: the bug the student names for their own seed;
- :func:`check_attention_bug_finder` (its hidden test): the student's naming procedure, run on
  other students' broken poolings, one per bug, names each one.

Nothing a check prints names the bug of the student's seed. Taught in notebook 10, section 2
(attention pooling, with a mask). Dimension letters: N sequences, T steps (the longest), H
features, A attention units.
"""

from __future__ import annotations

import hashlib

import torch

from course_lib.checks import mistakes as m
from course_lib.checks.report import Mistake, Report, diagnose, one_seed_each
from course_lib.checks.sst5_attention import (
    LENGTHS,
    A,
    H,
    N,
    T,
    _inputs,
    reference_attention_pooling,
)

BUGS = {mistake.name: mistake for mistake in m.ATTENTION_MISTAKES}  # name -> Mistake
SYMPTOMS = ("weights sum to 1", "padding gets no weight", "weights ignore the padding")
TOL = 1e-9

# Why each bug shows (or not) each symptom: the diagnosis of a wrong prediction.
WHY = {
    ("softmax over the batch", 0): "a softmax over dim 0 makes each *time step's* weights sum "
    "to 1 across the batch; the weights of one sequence over its steps sum to anything",
    ("softmax over the batch", 1): "the padded scores are still -inf, and exp(-inf) = 0 "
    "whatever the axis of the softmax",
    ("softmax over the batch", 2): "-inf scores do not depend on the padded states: other "
    "padded values, the same weights",
    ("mask after the softmax", 0): "the softmax normalised over every step, padding included; "
    "zeroing the padded weights afterwards leaves the real ones summing to less than 1 (to 1 "
    "only in a sequence without padding)",
    ("mask after the softmax", 1): "the padded weights are multiplied by 0 after the softmax: "
    "exactly 0",
    ("mask after the softmax", 2): "the padded scores entered the softmax's denominator before "
    "they were zeroed: other padded states, other weights on the real steps",
    ("no mask", 0): "nothing is removed after the softmax: each sequence's weights sum to 1, "
    "padding included",
    ("no mask", 1): "a padded step gets a score like any other step, and its exp is > 0",
    ("no mask", 2): "the padded states make the padded scores, which enter the denominator",
    ("zero scores", 0): "a softmax always sums to 1, and nothing is zeroed after it",
    ("zero scores", 1): "a score of 0 is not 'no weight': exp(0) = 1, so each padded step "
    "weighs as much as a real step of score 0",
    ("zero scores", 2): "the padded scores are 0 whatever the padded states hold, so the "
    "weights do not move (the pooled vector does: the padded states enter it with their weight)",
}


def planted_bug(seed) -> str:
    """The name of the bug (a key of :data:`BUGS`) planted in the pooling of ``seed``."""
    digest = hashlib.sha256(f"lstm-course-10/{seed}".encode()).digest()
    return list(BUGS)[int.from_bytes(digest[:4], "big") % len(BUGS)]


class BrokenAttentionPooling:
    """``attention_pooling(h, mask, W, b, v) -> (pooled (N, H), weights (N, T))`` with one
    planted bug, chosen by a seed; right shapes, wrong masking."""

    __name__ = "broken_attention_pooling"

    def __init__(self, seed):
        self.seed = seed

    def __call__(self, h, mask, W, b, v):
        return reference_attention_pooling(h, mask, W, b, v, **BUGS[planted_bug(self.seed)].options)

    def __repr__(self):
        return f"<attention_pooling with a planted bug, seed {self.seed!r}>"


def planted_bug_pooling(seed) -> BrokenAttentionPooling:
    """The broken attention pooling of a student: ``seed`` is their student number or name."""
    if not isinstance(seed, (int, str)) or isinstance(seed, bool) or seed == "":
        raise TypeError(f"the seed is your student number (an int) or your name (a string), "
                        f"got {seed!r}")
    return BrokenAttentionPooling(seed)


def attention_inputs(seed=0, dims=(N, T, H, A), lengths=LENGTHS):
    """(h (N, T, H), mask (N, T), W (H, A), b (A,), v (A,)), float64, sequence n of
    ``lengths[n]`` steps (one of them T), the padded steps holding 50.0."""
    return _inputs(seed, dims=dims, lengths=lengths)


def reference_measure_symptoms(pooling, h, mask, W, b, v, *, sum_dim=1, changed="padding",
                               no_weight_on="padding"):
    """The three :data:`SYMPTOMS` of ``pooling`` on the padded batch, as a tuple of bools.

    The keyword options compute the mistakes of :data:`MEASURE_MISTAKES`.
    """
    _, weights = pooling(h, mask, W, b, v)
    sums = weights.sum(dim=sum_dim)
    sums_to_one = bool(torch.allclose(sums, torch.ones_like(sums), atol=1e-6, rtol=0))
    looked_at = ~mask if no_weight_on == "padding" else torch.ones_like(mask)
    no_weight = bool((weights.masked_select(looked_at) == 0).all())
    region = {"padding": ~mask, "everything": torch.ones_like(mask),
              "nothing": torch.zeros_like(mask)}[changed]
    other_h = torch.where(region.unsqueeze(2), -h - 1.0, h)  # other values where ``region``
    _, other = pooling(other_h, mask, W, b, v)
    ignores = bool(torch.allclose(other, weights, atol=TOL, rtol=0))
    return sums_to_one, no_weight, ignores


MEASURE_MISTAKES = [
    Mistake("sums over the batch", "sum each sequence's weights over its time steps, "
            "weights.sum(dim=1), not over the batch", {"sum_dim": 0}),
    Mistake("padding not changed", "to see whether the weights ignore the padding, call the "
            "pooling a second time with *other values on the padded steps* (the real steps "
            "unchanged) and compare the weights", {"changed": "nothing"}),
    Mistake("real steps changed too", "change only the padded steps' states (e.g. "
            "torch.where(~mask[..., None], -h - 1, h)); changing the real steps changes every "
            "pooling's weights",
            {"changed": "everything"}),
    Mistake("no weight on every step", "look at the weights of the padded steps only, "
            "weights[~mask]: the real steps must have weight", {"no_weight_on": "every step"}),
]


def _poolings():
    """(label, pooling) of the correct pooling and of one broken pooling per bug."""
    def correct(h, mask, W, b, v):
        return reference_attention_pooling(h, mask, W, b, v)
    return [("the correct pooling", correct)] + [
        (f"broken pooling {k + 1}", lambda h, mask, W, b, v, options=mistake.options:
         reference_attention_pooling(h, mask, W, b, v, **options))
        for k, mistake in enumerate(BUGS.values())]


def true_symptoms(seed=0, dims=(N, T, H, A), lengths=LENGTHS):
    """{bug name: its three symptoms}, measured on :func:`attention_inputs`."""
    inputs = attention_inputs(seed, dims, lengths)
    return {name: reference_measure_symptoms(
        lambda h, mask, W, b, v, options=mistake.options: reference_attention_pooling(
            h, mask, W, b, v, **options), *inputs) for name, mistake in BUGS.items()}


def _as_symptoms(value):
    """A tuple of three bools, or None."""
    try:
        value = tuple(value)
    except TypeError:
        return None
    if len(value) != len(SYMPTOMS) or any(isinstance(x, str) or x not in (0, 1) for x in value):
        return None
    return tuple(bool(x) for x in value)


def check_predicted_symptoms(table, seed=0, dims=(N, T, H, A), lengths=LENGTHS):
    """``table``: {bug name: (weights sum to 1, padding gets no weight, weights ignore the
    padding)} for each of the four bugs, three bools each; graded against the symptoms measured
    on the bugs (inputs drawn with ``seed``, of sizes ``dims``, ``lengths``)."""
    report = Report("predicted_symptoms")
    if not isinstance(table, dict):
        report.problem(f"predicted_symptoms should be a dict bug name -> three bools, got "
                       f"{type(table).__name__}")
        return report.done("")
    missing, extra = [k for k in BUGS if k not in table], [k for k in table if k not in BUGS]
    if missing or extra:
        report.problem(f"the table needs exactly the four bugs {list(BUGS)}"
                       + (f"; missing {missing}" if missing else "")
                       + (f"; unknown {extra}" if extra else ""))
        return report.done("")
    truth = true_symptoms(seed, dims, lengths)
    for name, measured in truth.items():
        predicted = _as_symptoms(table[name])
        if predicted is None:
            report.problem(f"{name!r}: three bools, in the order {SYMPTOMS}, got "
                           f"{table[name]!r}")
            continue
        for k, (said, true) in enumerate(zip(predicted, measured)):
            if said != true:
                report.problem(f"{name!r}: '{SYMPTOMS[k]}' is {true}, you said {said}",
                               WHY[name, k])
    return report.done(f"all {len(BUGS) * len(SYMPTOMS)} predictions hold; no two bugs "
                       "share their symptoms, so the three measurements name the bug")


def check_measure_symptoms(fn, seed=1, dims=(N, T, H, A), lengths=LENGTHS):
    """``fn(pooling, h, mask, W, b, v) -> (weights sum to 1, padding gets no weight, weights
    ignore the padding)``, three bools, measured on the correct pooling and on one broken
    pooling per bug (unnamed in what it prints)."""
    report = Report("measure_symptoms")
    report.forbid(fn, reference_measure_symptoms, true_symptoms)
    inputs = attention_inputs(seed, dims, lengths)
    got, want = [], []
    for label, pooling in _poolings():
        copies = [x.clone() for x in inputs]
        ok, out = report.call(fn, pooling, *copies)
        if not ok:
            report.problem(f"that was on {label}")
            return report.done("")
        if any(not torch.equal(a, c) for a, c in zip(inputs, copies)):
            report.problem("it changed an input in place", "work on copies: h + shift, "
                           "masked_fill (not masked_fill_)")
            return report.done("")
        symptoms = _as_symptoms(out)
        if symptoms is None:
            report.problem(f"on {label}: it should return three bools, {SYMPTOMS}, got {out!r}")
            return report.done("")
        got.append(symptoms)
        want.append(reference_measure_symptoms(pooling, *inputs))
    if got == want:
        return report.done(f"the three symptoms measured right on {len(got)} poolings, the "
                           "correct one among them")
    for k in range(len(SYMPTOMS)):  # the correct pooling in full, the broken ones counted
        if got[0][k] != want[0][k]:
            report.problem(f"on the correct pooling, you measured '{SYMPTOMS[k]}' as "
                           f"{got[0][k]}; it is {want[0][k]}")
    off = sum(g != w for g, w in zip(got[1:], want[1:]))
    if off:
        report.problem(f"on {off} of the {len(want) - 1} broken poolings, your measurement "
                       "disagrees with the checker's")
    codes = torch.tensor(got, dtype=torch.float64).flatten()
    diagnose(report, {"symptoms": codes}, {"symptoms": torch.tensor(want, dtype=torch.float64)
                                           .flatten()}, MEASURE_MISTAKES,
             lambda **options: {"symptoms": torch.tensor(
                 [reference_measure_symptoms(pooling, *inputs, **options)
                  for _, pooling in _poolings()], dtype=torch.float64).flatten()}, tol=1e-12)
    return report.done("")


def check_attention_bug_name(name, seed):
    """``name``: the bug (a key of :data:`BUGS`) of the broken pooling of ``seed``."""
    report = Report("attention bug")
    if not isinstance(name, str) or name not in BUGS:
        report.problem(f"name the bug as one of {list(BUGS)}; got {name!r}")
        return report.done("")
    if name != planted_bug(seed):
        report.problem(f"{name!r} is not the bug of your broken pooling (seed {seed!r})",
                       "measure, don't guess: the three symptoms of broken_attention_pooling, "
                       "then the bug whose row of your (checked) table they match")
        return report.done("")
    return report.done(f"{name!r} it is: {BUGS[name].hint}")


def other_students_seeds(first=1000):
    """One seed per bug, the smallest from ``first`` on: {bug name: seed}."""
    return one_seed_each(planted_bug, BUGS, first)


def check_attention_bug_finder(fn, first_seed=1000, seed=2, dims=(N, T, H, A), lengths=LENGTHS):
    """``fn(pooling, inputs) -> bug name``, ``inputs`` = (h, mask, W, b, v): run on four other
    students' broken poolings (one per bug, seeds from ``first_seed`` on), it must name each
    one. Nothing printed names a bug."""
    report = Report("find_attention_bug")
    report.forbid(fn, planted_bug, true_symptoms)
    names = {}
    for bug, student in other_students_seeds(first_seed).items():
        ok, name = report.call(fn, planted_bug_pooling(student), attention_inputs(seed, dims,
                                                                                   lengths))
        if not ok:
            report.problem(f"that was on another student's broken pooling (seed {student})")
            return report.done("")
        if not isinstance(name, str) or name not in BUGS:
            report.problem(f"it should return one of {list(BUGS)}, got {name!r}")
            return report.done("")
        names[student] = (name, bug)
    wrong = [(student, said) for student, (said, bug) in names.items() if said != bug]
    if not wrong:
        return report.done(f"it names the bug of {len(names)} other broken poolings, one per "
                           f"bug (N, T, H, A = {dims})")
    if len({said for said, _ in names.values()}) == 1:
        report.problem(f"it names {wrong[0][1]!r} for every broken pooling, whatever its bug",
                       "the name must come out of the measurement: measure the three symptoms "
                       "of the pooling it is given, then look them up in your table")
        return report.done("")
    for student, said in wrong:
        report.problem(f"on the broken pooling of seed {student}, it names {said!r}, which is "
                       "not its bug")
    report.hint("measure the pooling it is given, on the inputs it is given (padded sequences "
                "and a full one), and check your table and your measurement first: their "
                "checks above must pass")
    return report.done("")
