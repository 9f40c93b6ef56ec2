"""Checkers for practice notebook 09: bits per character, the word-level perplexity it is worth,
temperature sampling, and the entropy of the sampling distribution as the temperature changes.

Each ``check_<name>(fn)`` runs your function on fixed inputs (a seed chooses them; the hidden
tests use others), compares it with the reference below, prints ``PASS`` or the most specific
diagnosis it can, and returns True or False. The references take keyword options whose defaults
are correct and which compute the classic mistakes declared here.

The course's own sampling (:mod:`course_lib.torch_models.sampling`) is refused when a function
calls it. Dimension letters: N rows, V vocabulary size (symbols).
"""

from __future__ import annotations

import math
import sys

import numpy as np

from course_lib.checks.report import Mistake, Report, diagnose

LN2 = math.log(2)


def _course_references():
    """The course's sampling functions, when loaded (a function cannot call a module that was
    never imported, so nothing is imported here: this module stays free of torch)."""
    module = sys.modules.get("course_lib.torch_models.sampling")
    return () if module is None else (module.next_token_probs, module.complete)


# ---------------------------------------------------------------------------- references


def reference_bits_per_character(nats_sums, char_counts, *, unit="bits", average="over characters",
                                 exponentiate=False):
    """bpc = (total cross-entropy in nats) / (total characters) / ln 2: every character weighs
    the same. The keyword options compute the mistakes of :data:`BPC_MISTAKES`."""
    sums, counts = np.asarray(nats_sums, np.float64), np.asarray(char_counts, np.float64)
    nats = {"over characters": sums.sum() / counts.sum(), "of batch means": np.mean(sums / counts),
            "over batches": sums.sum() / len(sums)}[average]
    value = {"bits": nats / LN2, "nats": nats, "times ln 2": nats * LN2,
             "log10": nats / math.log(10), "log2 of the loss": math.log2(nats)}[unit]
    return float(2.0 ** value if exponentiate else value)


BPC_MISTAKES = [
    Mistake("still in nats", "your number is the mean cross-entropy in nats: bits are nats "
            "divided by ln 2 (log2(x) = ln(x) / ln 2)", {"unit": "nats"}),
    Mistake("times ln 2", "you multiplied by ln 2: one bit is ln 2 = 0.693 nats, so a loss "
            "has *more* bits than nats; divide the nats by ln 2", {"unit": "times ln 2"}),
    Mistake("log10", "you divided by ln 10: that gives decimal digits (bans) per character; "
            "bits use ln 2", {"unit": "log10"}),
    Mistake("log2 of the loss", "you took log2 of the mean loss; the loss is already a "
            "logarithm (of the probability), only its base changes: divide by ln 2",
            {"unit": "log2 of the loss"}),
    Mistake("per-character perplexity", "you exponentiated: 2 ** bpc is a per-character "
            "perplexity; bits per character is the exponent itself", {"exponentiate": True}),
    Mistake("mean of batch means", "you averaged each batch's mean: batches of unequal length "
            "then weigh the same; divide the *total* loss by the *total* number of characters",
            {"average": "of batch means"}),
    Mistake("per batch", "you divided the summed loss by the number of batches: bpc is per "
            "*character*, divide by the total number of characters", {"average": "over batches"}),
]


def reference_word_perplexity(bpc, chars_per_word, *, base=2.0, per="word", exponentiate=True):
    """The word-level perplexity a character model at ``bpc`` is worth: 2 ** (bpc * chars_per_word),
    each word spending chars_per_word characters' bits. Options: :data:`WORD_PPL_MISTAKES`."""
    bits = {"word": bpc * chars_per_word, "character": bpc, "divided": bpc / chars_per_word}[per]
    return float(base ** bits) if exponentiate else float(bits)


WORD_PPL_MISTAKES = [
    Mistake("base e", "bits are base 2: the perplexity is 2 ** (bits per word), not "
            "exp(bits per word)", {"base": math.e}),
    Mistake("per character", "2 ** bpc is the perplexity per *character*; a word costs "
            "chars_per_word characters' bits: 2 ** (bpc * chars_per_word)", {"per": "character"}),
    Mistake("divided", "a word is several characters, so it costs *more* bits than one "
            "character: multiply bpc by chars_per_word", {"per": "divided"}),
    Mistake("bits per word", "bpc * chars_per_word is the bits per word; the perplexity is 2 "
            "to that power", {"exponentiate": False}),
]


def reference_temperature_probs(logits, temperature, *, scale="divide", stable=True):
    """softmax(logits / temperature) over the last axis, (..., V) -> (..., V), computed after
    subtracting each row's maximum. Options: :data:`TEMPERATURE_MISTAKES`."""
    logits = np.asarray(logits, np.float64)
    scaled = {"divide": logits / temperature, "multiply": logits * temperature,
              "ignore": logits}[scale]
    if stable:
        scaled = scaled - scaled.max(axis=-1, keepdims=True)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(scaled)
        return e / e.sum(axis=-1, keepdims=True)


TEMPERATURE_MISTAKES = [
    Mistake("temperature multiplied", "you multiplied the logits by the temperature: divide "
            "them, so that a temperature below 1 sharpens the distribution and above 1 "
            "flattens it", {"scale": "multiply"}),
    Mistake("temperature ignored", "your probabilities do not change with the temperature: "
            "divide the logits by it before the softmax", {"scale": "ignore"}),
]


def entropy_bits_reference(p):
    """The entropy in bits of the distributions p (..., V) over the last axis; 0 log 0 = 0."""
    p = np.asarray(p, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log2(np.where(p > 0, p, 1.0)), 0.0)
    return terms.sum(axis=-1)


# ---------------------------------------------------------------------------- inputs


def bpc_inputs(seed=0, batches=4):
    """Summed nats and characters of ``batches`` batches of unequal length."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(5, 400, size=batches)
    counts[0] = 3  # one short batch, so that averaging batch means is visibly wrong
    return np.round(counts * rng.uniform(0.8, 1.6, size=batches), 3), counts


def logits_inputs(seed=0, shape=(6,)):
    """Logits of ``shape`` (..., V) drawn with ``seed``, spread like a trained model's."""
    return 3.0 * np.random.default_rng(seed).standard_normal(shape)


# The symbols of the entropy study: a trained character model's next-symbol logits after "th"
# would look like this, with two symbols exactly tied for the top.
STUDY_SYMBOLS = ("e", "a", "i", "o", "r", "_", "u", "y")
STUDY_LOGITS = np.array([3.1, 3.1, 1.4, 1.2, 0.3, -0.5, -1.0, -2.2])


# ---------------------------------------------------------------------------- bits per character


def _number(report, value, what="a number"):
    try:
        return float(value)
    except (TypeError, ValueError):
        report.problem(f"it should return {what} (a float), got {type(value).__name__}")
        return None


def check_bits_per_character(fn, seed=0, batches=4):
    """``fn(nats_sums (K,), char_counts (K,)) -> float``: bits per character over K batches."""
    report = Report("bits_per_character")
    sums, counts = bpc_inputs(seed, batches)
    ok, value = report.call(fn, sums.copy(), counts.copy())
    if not ok or (value := _number(report, value)) is None:
        return report.done("")
    want = reference_bits_per_character(sums, counts)
    if abs(value - want) > 1e-9 * max(1.0, abs(want)):
        report.problem(f"got {value:.6g}, expected {want:.6g}")
        diagnose(report, {"bpc": value}, {"bpc": want}, BPC_MISTAKES,
                 lambda **options: {"bpc": reference_bits_per_character(sums, counts, **options)},
                 tol=1e-9)
    return report.done(f"{want:.4f} bits = {sums.sum():.1f} nats / {counts.sum()} characters "
                       f"/ ln 2")


def check_word_perplexity(fn):
    """``fn(bpc, chars_per_word) -> float``: the word-level perplexity ``bpc`` is worth."""
    report = Report("word_perplexity")
    for bpc, chars_per_word in ((1.45, 5.6), (2.0, 3.0), (0.9, 4.25)):
        ok, value = report.call(fn, bpc, chars_per_word)
        if not ok or (value := _number(report, value)) is None:
            return report.done("")
        want = reference_word_perplexity(bpc, chars_per_word)
        if abs(value - want) > 1e-9 * want:
            report.problem(f"bpc {bpc}, {chars_per_word} characters per word: got {value:.6g}, "
                           f"expected {want:.6g}")
            diagnose(report, {"perplexity": value}, {"perplexity": want}, WORD_PPL_MISTAKES,
                     lambda b=bpc, k=chars_per_word, **options: {
                         "perplexity": reference_word_perplexity(b, k, **options)}, tol=1e-9)
            return report.done("")
    return report.done("three (bpc, characters per word) pairs")


# ---------------------------------------------------------------------------- temperature


def check_temperature_probs(fn, seed=0, shape=(6,)):
    """``fn(logits (..., V), temperature) -> probabilities (..., V)``, temperature > 0."""
    report = Report("temperature_probs")
    report.forbid(fn, *_course_references())
    logits = logits_inputs(seed, shape)
    cases = [(logits, 1.0), (logits, 0.5), (logits, 2.5),
             (np.stack([logits, -logits]), 0.7),  # a batch of rows: softmax over the last axis
             (logits + 800.0, 0.5)]  # large logits: exp overflows without the max subtracted
    for x, temperature in cases:
        with np.errstate(all="ignore"):
            ok, out = report.call(fn, x.copy(), temperature)
        if not ok:
            return report.done("")
        want = reference_temperature_probs(x, temperature)
        where = f"temperature {temperature}, logits of shape {x.shape}" + (
            ", values near 800" if x.max() > 100 else "")
        try:
            out = np.asarray(out, dtype=np.float64)
        except (TypeError, ValueError):
            report.problem(f"{where}: it should return an array of probabilities, got "
                           f"{type(out).__name__}")
            return report.done("")
        if out.shape != want.shape:
            report.problem(f"{where}: shape {out.shape}, expected {want.shape}",
                           "one distribution per row: sum over the last axis, keepdims=True")
            return report.done("")
        if np.allclose(out, want, rtol=1e-7, atol=1e-10):
            continue
        report.problem(f"{where}: got {np.round(out, 4).ravel()[:6].tolist()}, expected "
                       f"{np.round(want, 4).ravel()[:6].tolist()}")
        if not np.all(np.isfinite(out)):
            report.hint("your probabilities overflowed (inf or nan): exp(800) is beyond float64. "
                        "Subtract each row's maximum from the scaled logits before exp: softmax "
                        "does not change, and the largest exponent is exp(0) = 1")
        elif x.ndim == 2 and np.allclose(out.sum(axis=0), 1.0):
            report.hint("your softmax normalises the columns: each *row* is one distribution, "
                        "sum over axis=-1")
        elif not diagnose(report, {"p": out}, {"p": want}, TEMPERATURE_MISTAKES,
                          lambda x=x, t=temperature, **options: {
                              "p": reference_temperature_probs(x, t, **options)}):
            report.hint("softmax(logits / temperature): exp of the scaled logits, divided by "
                        "their sum over the last axis")
        return report.done("")
    return report.done("temperatures 0.5, 0.7, 1 and 2.5, a batch of rows, logits near 800")


def check_sample(fn, temperature_probs=reference_temperature_probs, seed=0, draws=3000):
    """``fn(logits (V,), temperature, rng) -> int``: one symbol drawn from
    softmax(logits / temperature) with the generator ``rng`` (a ``np.random.Generator``)."""
    report = Report("sample")
    report.forbid(fn, *_course_references())
    logits = logits_inputs(seed + 1, (6,))
    V = logits.size

    def run(temperature, generator_seed, n):
        rng = np.random.default_rng(generator_seed)
        out = []
        for _ in range(n):
            ok, index = report.call(fn, logits.copy(), temperature, rng)
            if not ok:
                return None
            out.append(index)
        return out

    first = run(1.0, 7, 1)
    if first is None:
        return report.done("")
    index = first[0]
    if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
        report.problem(f"it should return one symbol's index (an int), got {type(index).__name__}",
                       "rng.choice(V, p=probs) returns an index; wrap it in int(...)")
        return report.done("")
    np.random.seed(1)
    a = run(1.0, 7, 40)
    np.random.seed(2)
    b = run(1.0, 7, 40)
    c = run(1.0, 8, 40)
    if a is None or b is None or c is None:
        return report.done("")
    if any(not 0 <= int(i) < V for i in a + c):
        report.problem(f"an index out of range: {sorted(set(a + c))}, expected 0 to {V - 1}")
        return report.done("")
    if a != b:
        report.problem("two generators seeded alike gave different draws: your function uses "
                       "another source of randomness", "draw with the rng it is given "
                       "(rng.choice, rng.random), never np.random.* or random.*, so that a "
                       "seed reproduces the text")
        return report.done("")
    for temperature in (1.0, 0.5, 2.0):
        got = run(temperature, 100 + int(10 * temperature), draws)
        if got is None:
            return report.done("")
        frequencies = np.bincount(np.asarray(got, dtype=np.int64), minlength=V) / draws
        want = temperature_probs(logits, temperature)
        if np.abs(frequencies - want).max() <= 0.05:  # 3000 draws: a frequency's std <= 0.009
            continue
        report.problem(f"temperature {temperature}: the symbols' frequencies over {draws} draws "
                       f"are {np.round(frequencies, 3).tolist()}, expected about "
                       f"{np.round(want, 3).tolist()}")
        if frequencies.max() == 1.0 and int(np.argmax(frequencies)) == int(np.argmax(logits)):
            report.hint("you always return the most likely symbol (argmax): that is greedy "
                        "decoding; sampling draws each symbol with its probability, "
                        "rng.choice(V, p=probs)")
        elif np.abs(frequencies - 1 / V).max() <= 0.05:
            report.hint("your draws are uniform: pass the probabilities, rng.choice(V, p=probs)")
        else:
            for mistake in TEMPERATURE_MISTAKES:
                other = reference_temperature_probs(logits, temperature, **mistake.options)
                if np.abs(frequencies - other).max() <= 0.05:
                    report.hint(mistake.hint)
                    break
        return report.done("")
    return report.done(f"seeded draws reproducible, frequencies over {draws} draws match at "
                       "temperatures 0.5, 1 and 2")


# ---------------------------------------------------------------------------- entropy


def check_entropy_bits(fn, seed=0):
    """``fn(p (..., V)) -> entropy in bits (...)``, with 0 log 0 = 0."""
    report = Report("entropy_bits")
    p = reference_temperature_probs(logits_inputs(seed, (3, 5)), 1.0)
    p[1] = [0.5, 0.5, 0.0, 0.0, 0.0]  # zeros: 0 log 0 counts 0
    p[2] = np.full(5, 0.2)
    with np.errstate(all="ignore"):
        ok, out = report.call(fn, p.copy())
    if not ok:
        return report.done("")
    want = entropy_bits_reference(p)
    try:
        out = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        report.problem(f"it should return an array of entropies, got {type(out).__name__}")
        return report.done("")
    if out.shape != want.shape:
        report.problem(f"shape {out.shape} for p of shape {p.shape}, expected {want.shape}",
                       "one entropy per distribution: sum over the last axis")
    elif not np.allclose(out, want, atol=1e-9):
        report.problem(f"got {np.round(out, 4).tolist()}, expected {np.round(want, 4).tolist()} "
                       "(the second row is (0.5, 0.5, 0, 0, 0): 1 bit; the third uniform over 5)")
        if not np.isfinite(out[1]):
            report.hint("0 * log2(0) is nan in floating point, but its limit is 0: a symbol of "
                        "probability 0 adds nothing (np.where(p > 0, ...), or keep p > 0 only)")
        elif np.allclose(out, want * LN2, atol=1e-9):
            report.hint("those are nats (np.log): bits use np.log2")
        elif np.allclose(out, -want, atol=1e-9):
            report.hint("the sign: entropy is -sum p log2 p, which is >= 0")
    return report.done("three distributions, one with zeros, one uniform")


def check_temperature_study(entropies, low_limit, high_limit, logits=STUDY_LOGITS):
    """The study: ``entropies`` maps each temperature to the entropy (bits) of
    softmax(logits / T); ``low_limit`` and ``high_limit`` are the entropies as T -> 0 and
    T -> infinity."""
    report = Report("temperature study")
    logits = np.asarray(logits, np.float64)
    try:
        entropies = {float(t): float(h) for t, h in dict(entropies).items()}
        low_limit, high_limit = float(low_limit), float(high_limit)
    except (TypeError, ValueError) as error:
        report.problem(f"entropies maps temperatures to numbers, the limits are numbers: {error}")
        return report.done("")
    if len(entropies) < 4:
        report.problem(f"{len(entropies)} temperatures measured: measure the whole table")
    for t, h in sorted(entropies.items()):
        want = float(entropy_bits_reference(reference_temperature_probs(logits, t)))
        if abs(h - want) > 1e-6:
            report.problem(f"temperature {t}: entropy {h:.4f}, expected {want:.4f} bits")
            if abs(h - want * LN2) < 1e-6:
                report.hint("those are nats: bits use log2")
            elif abs(h - float(entropy_bits_reference(reference_temperature_probs(
                    logits, t, scale="multiply")))) < 1e-6:
                report.hint(TEMPERATURE_MISTAKES[0].hint)
            break
    V = logits.size
    tied = int(np.sum(logits == logits.max()))
    want_low, want_high = math.log2(tied), math.log2(V)
    if abs(low_limit - want_low) > 1e-3:
        hint = None
        if abs(low_limit) < 1e-3 and tied > 1:
            hint = (f"not 0 here: look at the logits, {tied} symbols tie for the largest. As "
                    "T -> 0 the mass goes to the largest logits, split equally among the tied "
                    f"ones: log2({tied}) bits. T -> 0 is greedy decoding only without ties")
        elif abs(low_limit - math.log(tied)) < 1e-3:
            hint = "that is in nats: bits use log2"
        report.problem(f"low_limit is {low_limit:.4g}, expected {want_low:.4g} bits as T -> 0",
                       hint or "measure at smaller and smaller T (1e-2, 1e-3, ...) and watch "
                       "what the probabilities become")
    if abs(high_limit - want_high) > 1e-3:
        hint = None
        if abs(high_limit - math.log(V)) < 1e-3:
            hint = "that is in nats: bits use log2"
        elif high_limit > want_high:
            hint = (f"no distribution over {V} symbols has more than log2({V}) bits: that of "
                    "the uniform distribution")
        report.problem(f"high_limit is {high_limit:.4g}, expected {want_high:.4g} bits as "
                       "T -> infinity", hint or "measure at larger and larger T (10, 100, 1e4) "
                       "and watch what the probabilities become")
    return report.done(f"the entropy grows from log2({tied}) = {want_low:g} bit(s) as T -> 0 to "
                       f"log2({V}) = {want_high:g} bits as T -> infinity")
