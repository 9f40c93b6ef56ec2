"""What every checker shares: the :class:`Report`, the :class:`Mistake`, and :func:`diagnose`.

A checker calls the student's function through a :class:`Report`, compares what it returns
with the reference, and reports problems. To recognise a classic mistake it runs the reference
*with that mistake* on the same inputs (a variant: the reference computation with keyword
options whose defaults are correct); :func:`diagnose` prints the hint of each declared
:class:`Mistake` whose variant gives what the student's function gave.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np

from course_lib.numpy_core.gradcheck import rel_error

MATCH = 1e-6  # a student's output "is" a mistake's output when they agree this well

_LAST = {"text": "", "error": None}  # the text of the last report printed (what graded() raises with)

NOT_IMPLEMENTED = ("not implemented yet: replace `raise NotImplementedError()` with your code, "
                   "run its cell, then this one")


class Report:
    """One check's verdict: problems (each with an optional hint), then PASS or FAIL.

    Every checker in the course follows the same steps::

        report = Report("my_function")
        ok, out = report.call(fn, x, W)  # your function; an exception becomes a problem
        if ok and rel_error(out, reference) > TOL:
            report.problem("out is off ...", hint="what to look at")
        return report.done("out matches the reference")  # prints; True when nothing was wrong
    """

    def __init__(self, name):
        self.name, self.problems, self.hints = name, [], []
        self.error = None  # the exception the last call raised (None when it returned)

    def call(self, fn, /, *args, **kwargs):
        """Run ``fn(*args, **kwargs)``: (True, what it returned), or (False, None) when it raised.

        The exception becomes a problem (and ``self.error``), so that a bug in your function
        shows as a clear message and the notebook keeps going.
        """
        self.error = None
        try:
            return True, fn(*args, **kwargs)
        except NotImplementedError as error:
            self.error = error
            self.problem(NOT_IMPLEMENTED)
        except Exception as error:  # the student's bug: show it, keep the notebook going
            self.error = error
            self.problem(f"calling it raised {type(error).__name__}: {error}")
        return False, None

    def problem(self, text, hint=None):
        """Something is wrong (``text``), and what to look at (``hint``, optional)."""
        self.problems.append(text)
        if hint:
            self.hint(hint)

    def hint(self, text):
        """A hint without a problem of its own (each hint is printed once)."""
        if text not in self.hints:
            self.hints.append(text)

    def done(self, passed_detail):
        """Print PASS (with ``passed_detail``) or FAIL, each problem and each hint; True on PASS."""
        _LAST["error"] = self.error
        if not self.problems:
            _LAST["text"] = f"{self.name}: PASS ({passed_detail})"
            print(_LAST["text"])
            return True
        lines = [f"{self.name}: FAIL"] + [f"  - {text}" for text in self.problems]
        lines += [f"  Hint: {hint}" for hint in self.hints]
        _LAST["text"] = "\n".join(lines)
        print(_LAST["text"])
        return False

    def forbid(self, fn, *references):
        """A problem when ``fn`` is, or calls, one of the course's own ``references`` (the
        implementations of what the student is asked to write)."""
        for reference in references:
            if uses(fn, reference):
                self.problem(f"your function hands in the course's own `{reference.__name__}` "
                             f"(from {reference.__module__}); write the computation yourself")
                return


def uses(fn, reference):
    """True when ``fn`` is ``reference`` or names it: directly, as an attribute of a module or a
    class it names (``course_lib.data.batchify``, ``Vocab.build``), in a nested function, or in
    a helper function of its own module that it calls."""
    if _same(fn, reference):
        return True
    seen, stack = set(), [fn]
    while stack:
        fn = stack.pop()
        code, names = getattr(fn, "__code__", None), dict(getattr(fn, "__globals__", {}))
        if code is None or id(code) in seen:
            continue
        for name, cell in zip(code.co_freevars, getattr(fn, "__closure__", None) or ()):
            try:  # the variables it reads from an enclosing function
                names[name] = cell.cell_contents
            except ValueError:  # a cell not filled yet
                pass
        codes = [code]
        while codes:  # the function's code and the code of the functions nested in it
            code = codes.pop()
            seen.add(id(code))
            for value in _named(code.co_names + code.co_freevars, names):
                if _same(value, reference):
                    return True
                if (inspect.isfunction(value) and value.__module__ == fn.__module__
                        and id(value.__code__) not in seen):
                    stack.append(value)  # a helper of the same notebook: look inside it too
            codes += [c for c in code.co_consts if hasattr(c, "co_names")]
    return False


def _same(value, reference):
    """``value`` is ``reference`` (a method's function counts, a ``functools.wraps`` or a
    ``functools.partial`` of it too)."""
    target = getattr(reference, "__func__", reference)
    return any(v is target for v in (value, getattr(value, "__wrapped__", None),
                                     getattr(value, "__func__", None),
                                     getattr(value, "func", None)))


def _named(co_names, names, depth=4):
    """The objects that ``co_names`` name: globals, and their attributes ``a.b.c`` up to
    ``depth`` levels down for modules and classes."""
    found = [names[n] for n in co_names if n in names]
    layer = found
    for _ in range(depth):
        layer = [getattr(owner, n) for owner in layer
                 if inspect.ismodule(owner) or inspect.isclass(owner)
                 for n in co_names if n in getattr(owner, "__dict__", {})]
        found += layer
    return found


class CheckFailed(AssertionError):
    """A graded check failed; the message is the check's full report (problems and hints)."""


def graded(check, *args, **kwargs):
    """Run ``check(*args, **kwargs)`` (it prints PASS or its diagnosis); raise
    :class:`CheckFailed` with that diagnosis when it fails, so that nbgrader scores the cell 0."""
    _LAST["text"], _LAST["error"] = "", None
    passed = check(*args, **kwargs)
    if passed is False or passed is None:  # chained to what your function raised, if it did
        raise CheckFailed(_LAST["text"] or f"{getattr(check, '__name__', 'check')} failed"
                          ) from _LAST["error"]
    return passed


@dataclass(frozen=True)
class Mistake:
    """One classic mistake: a short name, the hint a student sees, the variant's options.

    ``options`` are the keyword arguments that make the checker's variant function compute
    this mistake instead of the correct answer.
    """

    name: str
    hint: str
    options: dict = field(default_factory=dict)


def distance(a, b):
    """Norm-wise relative error between two outputs (arrays, tensors or numbers); inf when
    their shapes differ."""
    a, b = (np.asarray(v.detach().cpu() if hasattr(v, "detach") else v, dtype=np.float64)
            for v in (a, b))
    return rel_error(a, b) if a.shape == b.shape else float("inf")


def diagnose(report, outputs, reference, mistakes, run_variant, tol=MATCH):
    """Add the hint of each mistake that explains the student's wrong outputs; return those.

    - outputs, reference: dicts output name -> the student's value, the correct value
    - mistakes: the :class:`Mistake` list to try
    - run_variant(**options) -> the outputs of the mistaken computation (the same names)
    - tol: an output matches when its :func:`distance` to the variant's is below it

    A mistake that explains every output earns its hint. When none does, each mistake that
    explains some of the wrong outputs earns its hint, prefixed with their names.
    """
    variants = [(mistake, run_variant(**mistake.options)) for mistake in mistakes]

    def agree(name, a, b):
        return distance(a[name], b[name]) < tol

    whole = [mistake for mistake, out in variants  # several when two have the same effect
             if all(agree(k, outputs, out) for k in reference)]
    for mistake in whole:
        report.hint(mistake.hint)
    if whole:
        return whole
    wrong = [k for k in reference if not agree(k, outputs, reference)]
    partial = []
    for mistake, out in variants:
        explained = [k for k in wrong if not agree(k, out, reference) and agree(k, outputs, out)]
        if explained:
            report.hint(f"({', '.join(explained)}) {mistake.hint}")
            partial.append(mistake)
    return partial


def one_seed_each(planted, answers, first=1000):
    """For a seeded exercise whose seed picks one of ``answers`` via ``planted(seed)``: the
    smallest seed from ``first`` on for each answer, {answer: seed} (the other students of a
    hidden test)."""
    seeds, seed = {}, first
    while len(seeds) < len(answers):
        seeds.setdefault(planted(seed), seed)
        seed += 1
    return seeds
