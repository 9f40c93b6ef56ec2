"""Claims bound to measurements: every number that prose states must be found in its record.

A *claim* is a number as the prose writes it ("90.00 %", "201.8", "3.2 min"). It holds against a
results record (``results/<name>.json``) when some number recorded there, written with the
claim's decimals, reads the same: a fraction as a percentage ("%"), seconds as minutes ("min"),
anything else as it is. ``tests/test_claims.py`` checks README's results table this way, row by
row against the record its command writes; a notebook checks a sentence with :func:`claim`
right after it::

    claim("imdb-best", "extra.ensemble_accuracy", "90.00 %")   # raises ClaimError if not so

A failure names the file, the stated number and the nearest recorded one.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from course_lib.env.paths import RESULTS_DIR

# a number (thousands separators allowed), then optionally a unit the rules below understand
_NUMBER = re.compile(r"(?<![\w.])[-−]?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(%|min\b|s\b|h\b)?")
_SE = re.compile(r"\bSE\s*$")  # "test SE 0.12": the number after it is a standard error


class ClaimError(AssertionError):
    """A stated number that its record does not hold."""


@dataclass(frozen=True)
class Stated:
    text: str  # as written, e.g. "98.52 %"
    value: float  # 98.52
    decimals: int  # 2
    unit: str  # "%", "min", "s", "h", "SE" (a standard error in points) or ""


def stated_numbers(text: str) -> list[Stated]:
    """The numbers in ``text`` with their decimals and units (integers without a unit skipped:
    they count things, e.g. "3 seeds", "12 points", and are not measurements).

    A unit carries back over " / ", " ± " and "–" to the numbers before it: in "82.20 / 85.50 %"
    and "47.62 ± 0.77 %" every number is a percentage."""
    matches = list(_NUMBER.finditer(text))
    units = ["SE" if _SE.search(text[:m.start()]) else m.group(3) or "" for m in matches]
    for i in range(len(matches) - 2, -1, -1):
        between = text[matches[i].end():matches[i + 1].start()]
        if not units[i] and between.strip() in ("/", "±", "–", "-", "to"):
            units[i] = units[i + 1]
    found = []
    for match, unit in zip(matches, units):
        whole, fraction = match.group(1), match.group(2)
        if fraction is None and not unit:
            continue
        sign = -1.0 if match.group(0).lstrip()[0] in "-−" else 1.0
        value = sign * float(whole.replace(",", "") + ("." + fraction if fraction else ""))
        found.append(Stated(match.group(0).strip(), value, len(fraction or ""), unit))
    return found


# What a record says about how it ran, not what it measured: a claim never matches these (and
# a claim about one epoch of a curve must come from a field the experiment records for it).
NOT_MEASUREMENTS = {"config", "overrides", "history", "code", "threads", "versions", "device",
                    "parts", "git_commit", "data", "seed", "plots",
                    # per-example lists (a mistake's confidence), never a figure prose states
                    "misclassified", "confidently_wrong"}


def recorded_numbers(record, path="") -> list[tuple[str, float]]:
    """Every measured number in a JSON record, with its path (``runs.lstm.final.test_accuracy``);
    the fields in :data:`NOT_MEASUREMENTS` are left out at any depth."""
    if isinstance(record, bool):
        return []
    if isinstance(record, (int, float)):
        return [(path, float(record))] if math.isfinite(record) else []
    items = (record.items() if isinstance(record, dict)
             else enumerate(record) if isinstance(record, list) else [])
    out = []
    for key, value in items:
        if key in NOT_MEASUREMENTS:
            continue
        out += recorded_numbers(value, f"{path}.{key}" if path else str(key))
    return out


# Test-set sizes, for the standard error sqrt(p (1 - p) / n) of a recorded test accuracy p.
TEST_EXAMPLES = {"mnist": 10_000, "imdb": 25_000, "sst": 2_210, "sst-2": 1_821}


def standard_error_points(accuracy: float, n: int) -> float:
    """The standard error of an accuracy measured on n examples, in percentage points."""
    return 100 * math.sqrt(accuracy * (1 - accuracy) / n)


def readings(stated: Stated, value: float, path: str, test_sizes=()) -> list[float]:
    """How a recorded ``value`` at ``path`` may be written for a claim in ``stated.unit``."""
    if stated.unit == "SE":
        if "test" not in path or "accuracy" not in path or not 0 < value < 1:
            return []
        return [standard_error_points(value, n) for n in test_sizes]
    if stated.unit == "%":
        return [100 * value, value]  # a fraction, or already a percentage
    if stated.unit in ("min", "s", "h"):
        if not re.search(r"(time|_s$|seconds)", path):
            return []
        return [value / {"min": 60, "s": 1, "h": 3600}[stated.unit]]
    return [value]


def holds(stated: Stated, value: float, path: str, test_sizes=()) -> bool:
    """True when ``value`` written with the claim's decimals reads as the claim (±1 in the last
    digit for a rounding of a rounding: the prose may round 0.12345 to 0.123 then to 0.12)."""
    step = 10.0 ** -stated.decimals
    return any(abs(reading - stated.value) <= 0.5 * step + 1e-9
               for reading in readings(stated, value, path, test_sizes))


def nearest(stated: Stated, numbers, test_sizes=()) -> str:
    """The recorded number closest to the claim, for the failure message."""
    best = None
    for path, value in numbers:
        for reading in readings(stated, value, path, test_sizes):
            gap = abs(reading - stated.value)
            if best is None or gap < best[0]:
                best = (gap, path, reading)
    if best is None:
        return "nothing comparable recorded"
    return f"nearest {best[2]:.{max(stated.decimals, 2)}f} at {best[1]}"


def derived_numbers(record) -> list[tuple[str, float]]:
    """Totals and shares that prose states and no single field holds, for every record nested in
    ``record``: the wall time of all the models a record trained (``runs.*.wall_time_s``
    summed), and the share kept of a count recorded as ``X_kept`` beside ``X_total``
    (``train_tokens_kept / train_tokens_total``: "98 % of the training tokens")."""
    out = []
    if isinstance(record, dict):
        runs = record.get("runs")
        if isinstance(runs, dict) and runs:
            times = [r.get("wall_time_s") for r in runs.values() if isinstance(r, dict)]
            if times and all(isinstance(t, (int, float)) for t in times):
                out.append(("derived.runs_total_wall_time_s", float(sum(times))))
        for key, kept in record.items():
            total = record.get(key[:-len("_kept")] + "_total") if key.endswith("_kept") else None
            if isinstance(kept, (int, float)) and isinstance(total, (int, float)) and total:
                out.append((f"derived.{key}_fraction", kept / total))
        for value in record.values():
            out += derived_numbers(value)
    elif isinstance(record, list):
        for value in record:
            out += derived_numbers(value)
    return out


def test_sizes(record) -> set[int]:
    """How many test examples the records in ``record`` scored: a recorded count, else the size
    of the test split of each data set a record read (:data:`TEST_EXAMPLES`)."""
    sizes = set()
    if isinstance(record, dict):
        for key in ("test_reviews", "test_size", "test_examples"):
            if isinstance(record.get(key), int):
                sizes.add(record[key])
        names = list(record.get("data", {}) if isinstance(record.get("data"), dict) else ())
        if isinstance(record.get("experiment"), str):  # older records name no data sets
            names.append(record["experiment"].split("-")[0])
        for name in names:
            sizes.update(n for d, n in TEST_EXAMPLES.items() if d.split("-")[0] == name)
        for value in record.values():
            sizes |= test_sizes(value)
    elif isinstance(record, list):
        for value in record:
            sizes |= test_sizes(value)
    return sizes


def check_text(text: str, record: dict, where: str) -> list[str]:
    """The problems of ``text`` against ``record``: one line per number the record lacks."""
    numbers = recorded_numbers(record) + derived_numbers(record)
    sizes = test_sizes(record)
    return [f"{where}: states {s.text!r}, which {record.get('_file', 'the record')} does not "
            f"hold ({nearest(s, numbers, sizes)})"
            for s in stated_numbers(text) if not any(holds(s, v, p, sizes) for p, v in numbers)]


def load_record(name: str, results_dir=RESULTS_DIR) -> dict:
    path = Path(results_dir) / f"{name}.json"
    record = json.loads(path.read_text())
    record["_file"] = str(path.relative_to(path.parent.parent)) if path.parent.parent else str(path)
    return record


def lookup(record: dict, key: str):
    """``record["extra"]["ensemble_accuracy"]`` for key ``"extra.ensemble_accuracy"``."""
    value = record
    for part in key.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def claim(name: str, key: str, text: str, results_dir=RESULTS_DIR) -> float:
    """Check that the number ``text`` (as the prose states it) is what ``results/<name>.json``
    records under ``key``; returns the recorded value. Raises :class:`ClaimError` otherwise."""
    record = load_record(name, results_dir)
    value = float(lookup(record, key))
    stated = stated_numbers(text)
    if len(stated) != 1:
        raise ClaimError(f"claim {text!r}: state exactly one number")
    if not holds(stated[0], value, key):
        raise ClaimError(f"{record['_file']}: the prose states {text!r} but {key} records {value!r}")
    return value
