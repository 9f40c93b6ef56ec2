"""Practice notebook 11: a study that chooses on dev, reads test once and states the seed noise.

:class:`Study` trains the course's NumPy LSTM classifier on a toy task (the adding problem of
notebook 01 as a yes/no question: is the sum of the two marked values above 1?) and hands out
its scores only through two doors, each logged in :attr:`Study.reads`, in order:

- ``dev_score(config, seed)``: the dev accuracy of ``config`` trained with ``seed`` (as often as
  you like);
- ``choose(config)``: the choice, final;
- ``test_score(config)``: the chosen configuration's test accuracy, the mean over the seeds read on
  dev, **once**, and only after ``choose``.

A test read before the choice, or a second one, raises :class:`StudyError` (and stays in the
log). The log is what :func:`check_study` reads: it proves that no test number entered the
choice. Scores are named as everywhere in the course (``val_accuracy``, ``test_accuracy``), and
the best configuration is the one :func:`course_lib.env.selection.best_index` picks from the
mean dev accuracies. Taught in notebook 11 ("choose on dev, report test once").

A guard against accidents, as :mod:`course_lib.env.selection` is, not against fraud: a second
``Study`` object keeps a log of its own.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from course_lib.checks.report import Report
from course_lib.env.selection import best_index
from course_lib.numpy_core.models import SequenceClassifier
from course_lib.numpy_core.optim import Adam, clip_grad_norm
from course_lib.numpy_core.toy_tasks import adding_problem
from course_lib.numpy_core.train import evaluate_classifier
from course_lib.runs.claims import standard_error_points

GRID = {"hidden_size": (4, 16), "learning_rate": (0.003, 0.03, 0.3)}
STEPS, SIZES = 8, {"train": 256, "dev": 500, "test": 2000}  # T, and examples per split
EPOCHS, BATCH_SIZE, CLIP = 6, 32, 5.0
MIN_SEEDS = 3
_TRAINED = {}  # (data_seed, config key, seed) -> (dev accuracy, test accuracy), per process


class StudyError(RuntimeError):
    """The study's rule is broken: test read before the choice, or twice; a choice changed."""


@dataclass(frozen=True)
class Read:
    """One entry of the log: what was read (``"dev"``, ``"choose"``, ``"test"``), of which
    configuration, with which seed, and the value handed out (None when refused)."""

    split: str
    config: tuple
    seed: int | None = None
    value: float | None = None


def toy_split(name, data_seed=0):
    """(x, y) of one split: x (N, T, 2) float32 sequences, y (N,) 1 when the sum is above 1."""
    offset = {"train": 0, "dev": 1, "test": 2}[name]
    x, total = adding_problem(SIZES[name], STEPS, 1000 * data_seed + offset, np.float32)
    return x, (total > 1).astype(np.int64)


def train_and_score(config, seed, data_seed=0):
    """Train one model of ``config`` (hidden_size, learning_rate) with ``seed``; return its
    (dev accuracy, test accuracy). Adam, clipping at norm 5, EPOCHS epochs of BATCH_SIZE."""
    (x, y), dev, test = (toy_split(s, data_seed) for s in ("train", "dev", "test"))
    model = SequenceClassifier(2, config["hidden_size"], 2, seed=seed)
    optimizer = Adam(model.params, lr=config["learning_rate"])
    rng = np.random.default_rng(seed)
    for _ in range(EPOCHS):
        order = rng.permutation(len(y))
        for start in range(0, len(y), BATCH_SIZE):
            rows = order[start:start + BATCH_SIZE]
            _, grads = model.loss(x[rows], y[rows])
            clip_grad_norm(grads, CLIP)
            optimizer.step(grads)
    return (evaluate_classifier(model, *dev)["accuracy"],
            evaluate_classifier(model, *test)["accuracy"])


class Study:
    """A hyperparameter study whose every read is logged (see the module docstring).

    - grid: name -> candidate values (default :data:`GRID`); :meth:`configs` lists them all
    - data_seed: which draw of the toy task's train / dev / test splits
    """

    def __init__(self, grid=None, data_seed=0):
        self.grid = dict(GRID if grid is None else grid)
        self.data_seed = data_seed
        self.reads: list[Read] = []
        self.chosen = None

    def configs(self) -> list[dict]:
        """Every configuration of the grid, as dicts {"hidden_size": .., "learning_rate": ..}."""
        names = list(self.grid)
        return [dict(zip(names, values)) for values in itertools.product(*self.grid.values())]

    def _key(self, config):
        if not isinstance(config, dict) or set(config) != set(self.grid):
            raise StudyError(f"a configuration is a dict with the keys {sorted(self.grid)}, "
                             f"got {config!r}")
        for name, value in config.items():
            if value not in self.grid[name]:
                raise StudyError(f"{name}={value!r} is not in the grid: {self.grid[name]}")
        return tuple((name, config[name]) for name in self.grid)

    def _scores(self, key, seed):
        cached = (self.data_seed, key, seed)
        if cached not in _TRAINED:
            _TRAINED[cached] = train_and_score(dict(key), seed, self.data_seed)
        return _TRAINED[cached]

    def dev_score(self, config, seed) -> float:
        """The dev accuracy (val_accuracy) of ``config`` trained with the integer ``seed``."""
        key = self._key(config)
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise StudyError(f"a seed is an integer, got {seed!r}")
        value = self._scores(key, int(seed))[0]
        self.reads.append(Read("dev", key, int(seed), value))
        return value

    def dev_seeds(self, config) -> list[int]:
        """The seeds of ``config`` read on dev so far (each once, in order)."""
        key = self._key(config)
        return list(dict.fromkeys(r.seed for r in self.reads if r.split == "dev" and r.config == key))

    def choose(self, config) -> None:
        """Make ``config`` the study's choice: final, and before any test read."""
        key = self._key(config)
        if self.chosen is not None and self.chosen != key:
            self.reads.append(Read("choose", key))
            raise StudyError(f"the choice is final: {dict(self.chosen)} was chosen already")
        if not self.dev_seeds(config):
            raise StudyError(f"{config} was never scored on dev: choose among what you measured")
        self.chosen = key
        self.reads.append(Read("choose", key))

    def test_score(self, config) -> float:
        """The test accuracy (test_accuracy) of the chosen ``config``, averaged over the seeds
        read on dev for it. Once, and only after :meth:`choose`."""
        key = self._key(config)
        if self.chosen is None:
            self.reads.append(Read("test", key))
            raise StudyError("test is read once, for the configuration chosen on dev: call "
                             "study.choose(config) first")
        if key != self.chosen:
            self.reads.append(Read("test", key))
            raise StudyError(f"test is read for the chosen configuration only, "
                             f"{dict(self.chosen)}; got {config}")
        if any(r.split == "test" and r.value is not None for r in self.reads):
            self.reads.append(Read("test", key))
            raise StudyError("test was read already: it is read once, for the chosen "
                             "configuration (a second look would let it influence you)")
        seeds = self.dev_seeds(config)
        value = float(np.mean([self._scores(key, s)[1] for s in seeds]))
        self.reads.append(Read("test", key, None, value))
        return value


# ---------------------------------------------------------------- the checkers
def reference_standard_error(accuracy, n):
    """Standard error of an accuracy measured on n independent examples: sqrt(p (1 - p) / n)."""
    return math.sqrt(accuracy * (1 - accuracy) / n)


def check_test_standard_error(fn):
    """Check ``fn(accuracy, n) -> float``, the standard error of a test accuracy (a fraction)."""
    report = Report("test_standard_error")
    report.forbid(fn, standard_error_points)
    cases = [(0.8, 2000), (0.5, 100), (0.93, 25_000), (0.6, 1)]
    for accuracy, n in cases:
        ok, out = report.call(fn, accuracy, n)
        if not ok:
            return report.done("")
        want = reference_standard_error(accuracy, n)
        if not isinstance(out, (float, np.floating)) or not math.isfinite(out):
            report.problem(f"test_standard_error({accuracy}, {n}) returned {out!r}, a float "
                           "was expected")
            return report.done("")
        if abs(out - want) > 1e-9 * max(want, 1):
            report.problem(f"test_standard_error({accuracy}, {n}) = {out:.6g}, expected "
                           f"{want:.6g}")
            guesses = {100 * want: "yours is in percentage points: keep fractions (0.8, not 80)",
                       want**2: "that is the variance p (1 - p) / n: take its square root",
                       math.sqrt(accuracy * (1 - accuracy)): "divide by n under the root: "
                       "sqrt(p (1 - p) / n)",
                       accuracy * (1 - accuracy) / math.sqrt(n): "the root covers the whole "
                       "fraction: sqrt(p (1 - p) / n)"}
            for value, hint in guesses.items():
                if abs(out - value) < 1e-9 * max(value, 1):
                    report.hint(hint)
            return report.done("")
    return report.done(f"{len(cases)} cases match sqrt(p (1 - p) / n)")


REPORT_KEYS = ("config", "dev_mean", "seed_std", "test_accuracy", "test_standard_error")


def study_problems(report, study, result):
    """Add a problem for every way ``study``'s log or the ``result`` dict breaks the rules."""
    reads = study.reads
    tests = [k for k, r in enumerate(reads) if r.split == "test"]
    chooses = [k for k, r in enumerate(reads) if r.split == "choose"]
    if not tests:
        report.problem("test was never read: report the chosen configuration's test accuracy, "
                       "study.test_score(config), once")
    elif tests[0] < (chooses[0] if chooses else math.inf):
        report.problem(f"test was read (read {tests[0] + 1} of {len(reads)}) before the choice "
                       "was final: a test number could have entered the choice",
                       "read dev for every configuration you consider, compute the means, "
                       "study.choose(best), and only then study.test_score(best)")
    elif len(tests) > 1:
        report.problem(f"test was read {len(tests)} times: it is read once, for the choice")
    if len(chooses) > 1:
        report.problem("study.choose was called more than once: the choice is final")
    if study.chosen is None:
        report.problem("nothing was chosen: call study.choose(config) with the best "
                       "configuration on dev")
        return
    dev = {}
    for r in reads:
        if r.split == "dev":
            dev.setdefault(r.config, {})[r.seed] = r.value
    if len(dev) < 2:
        report.problem(f"only {len(dev)} configuration(s) read on dev: a choice needs "
                       "candidates (try the whole grid, study.configs())")
    chosen = dict(study.chosen)
    scores = list(dev[study.chosen].values())
    if len(scores) < MIN_SEEDS:
        report.problem(f"the chosen configuration was trained with {len(scores)} seed(s): "
                       f"use at least {MIN_SEEDS} to measure the seed noise")
    means = {key: float(np.mean(list(v.values()))) for key, v in dev.items()}
    keys = list(means)
    best = keys[best_index([means[k] for k in keys], "val_accuracy")]
    if best != study.chosen:
        report.problem(f"you chose {chosen} (mean dev accuracy {means[study.chosen]:.4f}), but "
                       f"{dict(best)} has the best mean dev accuracy, {means[best]:.4f}",
                       "choose by the mean over seeds of the dev accuracy: "
                       "best_index(means, 'val_accuracy')")
    if result is None:  # the function raised: that is reported already
        return
    if not isinstance(result, dict) or set(result) != set(REPORT_KEYS):
        got = sorted(result) if isinstance(result, dict) else type(result).__name__
        report.problem(f"return a dict with the keys {', '.join(REPORT_KEYS)}; got {got}")
        return
    if result["config"] != chosen:
        report.problem(f"result['config'] is {result['config']!r}, but the study chose {chosen}")
    truth = {"dev_mean": float(np.mean(scores)),
             "seed_std": float(np.std(scores, ddof=1)) if len(scores) > 1 else math.nan}
    test_reads = [reads[k].value for k in tests if reads[k].value is not None]
    if test_reads:
        truth["test_accuracy"] = test_reads[0]
        truth["test_standard_error"] = reference_standard_error(test_reads[0], SIZES["test"])
    for name, want in truth.items():
        got = result[name]
        if not isinstance(got, (int, float, np.floating)) or not math.isfinite(got):
            report.problem(f"result[{name!r}] should be a number, got {got!r}")
        elif not abs(got - want) <= 1e-9 + 1e-6 * abs(want):
            report.problem(f"result[{name!r}] is {got:.6g}, but the study's reads give "
                           f"{want:.6g}")
            if name == "seed_std" and abs(got - np.std(scores)) < 1e-9:
                report.hint("that is the standard deviation of the whole population "
                            "(np.std's default, ddof=0); a few seeds are a sample: "
                            "np.std(scores, ddof=1)")
            if name == "test_standard_error":
                report.hint(f"the test split has {SIZES['test']} examples: "
                            "sqrt(p (1 - p) / n)")


def check_study(fn, grid=None, data_seed=0):
    """Check ``fn(study) -> dict``: run it on a fresh :class:`Study`, then verify its log (dev
    only before the choice, test once, after it) and the dict it returns (REPORT_KEYS)."""
    report = Report("run_study")
    study = Study(grid=grid, data_seed=data_seed)
    ok, result = report.call(fn, study)
    if ok or isinstance(report.error, StudyError):
        study_problems(report, study, result if ok else None)
    if report.problems:
        return report.done("")
    return report.done(f"chose {result['config']} on dev (mean {result['dev_mean']:.3f} over "
                       f"{len(study.dev_seeds(result['config']))} seeds, seed std "
                       f"{result['seed_std']:.3f}), then read test once: "
                       f"{result['test_accuracy']:.3f}")
