"""Shared test settings.

In CI (``CI`` or ``LSTM_COURSE_CI`` set) nothing that needs data or a browser may skip:
``requires_ci_or_skip`` turns a missing prerequisite into a failure there.
"""

import os

import pytest

IN_CI = bool(os.environ.get("CI") or os.environ.get("LSTM_COURSE_CI"))


def requires_ci_or_skip(available: bool, reason: str) -> None:
    """Skip when ``available`` is False outside CI; fail inside CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI must not skip this test)")
    pytest.skip(reason)
