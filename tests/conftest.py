"""Shared test settings.

In CI (``CI`` or ``LSTM_COURSE_CI`` set) nothing that needs data or a browser may skip:
``requires_ci_or_skip`` turns a missing prerequisite into a failure there.
"""

import os

import pytest

from course_lib.env.threads import THREAD_VARIABLES  # imports neither numpy nor torch

IN_CI = bool(os.environ.get("CI") or os.environ.get("LSTM_COURSE_CI"))

# Under pytest-xdist (``make test`` runs 2 workers) every worker, and every kernel, server and
# subprocess it starts, uses one BLAS/OpenMP thread: two workers of two threads each on a
# 2-core machine made notebook runs about 3 times slower. Set here, before torch or numpy is
# imported by any test module; a setting already in the environment wins.
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _name in THREAD_VARIABLES:
        os.environ.setdefault(_name, "1")


def requires_ci_or_skip(available: bool, reason: str) -> None:
    """Skip when ``available`` is False outside CI; fail inside CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI must not skip this test)")
    pytest.skip(reason)
