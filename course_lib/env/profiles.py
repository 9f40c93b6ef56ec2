"""Run profiles: one environment variable chooses how big every experiment and notebook is.

- ``smoke``  : tiny subsets, seconds. What CI runs.
- ``laptop`` : real data, minutes on a laptop CPU, real results. The default.
- ``full``   : the papers' configurations (GPU recommended).

Experiments keep one configuration dataclass and three instances of it (one per profile);
notebooks ask :func:`pick` for a value per profile. Nothing hard-codes sizes.
"""

from __future__ import annotations

import os

PROFILES = ("smoke", "laptop", "full")
PROFILE_ENV = "LSTM_COURSE_PROFILE"
DEFAULT_PROFILE = "laptop"


def check_profile(name: str) -> str:
    """Return ``name`` if it is a known profile, else raise a ValueError naming the allowed ones."""
    if name not in PROFILES:
        raise ValueError(
            f"unknown run profile {name!r}: choose one of {', '.join(PROFILES)} "
            f"(set {PROFILE_ENV} or pass --profile)"
        )
    return name


def active_profile() -> str:
    """The profile named by ``LSTM_COURSE_PROFILE`` (default ``laptop``)."""
    name = os.environ.get(PROFILE_ENV, "").strip() or DEFAULT_PROFILE
    return check_profile(name)


def pick(smoke, laptop, full=None, profile: str | None = None):
    """Return the value for the active profile (``full`` falls back to ``laptop``).

    >>> pick(smoke=100, laptop=10_000, full=60_000, profile="smoke")
    100
    """
    profile = check_profile(profile) if profile else active_profile()
    values = {"smoke": smoke, "laptop": laptop, "full": laptop if full is None else full}
    return values[profile]
