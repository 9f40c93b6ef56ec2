"""The registry of experiments: name -> (description, one configuration per profile, run function).

Experiment modules register themselves with the :func:`register` decorator when imported;
:func:`load_all` imports every module of :mod:`course_lib.experiments`, so a new module is all a new
experiment needs (see the package docstring).
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from course_lib.env.profiles import PROFILES


@dataclass(frozen=True)
class Experiment:
    name: str
    description: str  # one line, shown by `lstm-course run --list`
    profiles: dict[str, Any]  # "smoke" / "laptop" / "full" -> an instance of the config dataclass
    run: Callable  # run(config, ctx: RunContext) -> dict of extra results, or None


EXPERIMENTS: dict[str, Experiment] = {}
LOAD_ERRORS: dict[str, str] = {}  # module -> the error that stopped its import


def register(name: str, description: str, profiles: dict[str, Any]):
    """Decorator that registers ``run(config, ctx)`` as experiment ``name``.

    ``profiles`` maps each of smoke, laptop, full to an instance of one config dataclass that has
    a ``seed`` field.
    """
    missing = set(PROFILES) - set(profiles)
    if missing:
        raise ValueError(f"experiment {name!r} has no configuration for {sorted(missing)}")
    for config in profiles.values():
        if not dataclasses.is_dataclass(config) or not hasattr(config, "seed"):
            raise TypeError(f"experiment {name!r}: configs must be dataclass instances with a seed")

    def decorator(run):
        if name in EXPERIMENTS and EXPERIMENTS[name].run is not run:
            raise ValueError(f"two experiments are named {name!r}")
        EXPERIMENTS[name] = Experiment(name, description, dict(profiles), run)
        return run

    return decorator


def load_all() -> dict[str, Experiment]:
    """Import every experiment module of this package; returns the registry.

    A module that fails to import is recorded in ``LOAD_ERRORS`` (and named by
    :func:`get_experiment`) instead of hiding every other experiment.
    """
    import course_lib.experiments as package

    for module in pkgutil.iter_modules(package.__path__):
        # every module is an experiment; sub-packages (common/) hold what experiments share
        if not module.ispkg and not module.name.startswith("_"):
            try:
                importlib.import_module(f"{package.__name__}.{module.name}")
            except Exception as error:  # one broken module must not hide the others
                LOAD_ERRORS[module.name] = f"{type(error).__name__}: {error}"
    return EXPERIMENTS


def get_experiment(name: str) -> Experiment:
    """The experiment called ``name``, or a ValueError listing the known ones."""
    experiments = load_all()
    if name not in experiments:
        broken = "".join(f"; module {m} failed to import ({e})" for m, e in LOAD_ERRORS.items())
        raise ValueError(f"no experiment {name!r}; known: {', '.join(sorted(experiments)) or 'none'}"
                         f" (lstm-course run --list){broken}")
    return experiments[name]


def apply_overrides(config, overrides: dict[str, str]):
    """A copy of the dataclass ``config`` with fields set from strings ("epochs" -> "5").

    Each string is parsed to the type of the current value (bool accepts true/false/1/0;
    tuples and lists take comma-separated items; None-valued fields take Python literals).
    """
    import ast

    changes = {}
    fields = {f.name for f in dataclasses.fields(config)}
    for key, text in overrides.items():
        if key not in fields:
            raise ValueError(f"{type(config).__name__} has no field {key!r}; fields: {sorted(fields)}")
        current = getattr(config, key)
        if isinstance(current, bool):
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError(f"{key} takes true or false, got {text!r}")
            changes[key] = text.lower() in ("true", "1")
        elif isinstance(current, (tuple, list)):
            items = [s.strip() for s in text.split(",") if s.strip()]
            kind = type(current[0]) if current else str
            changes[key] = type(current)(kind(s) for s in items)
        elif current is None:
            changes[key] = ast.literal_eval(text)
        else:
            changes[key] = type(current)(text)
    return dataclasses.replace(config, **changes)
