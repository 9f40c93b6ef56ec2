"""Choose where torch runs: cuda, then mps, then cpu, unless told otherwise.

Override with ``get_device("cpu")`` or the environment variable ``LSTM_COURSE_DEVICE``.
torch is imported lazily so that NumPy-only code never pays for it.
"""

from __future__ import annotations

import os

DEVICE_ENV = "LSTM_COURSE_DEVICE"
DEVICE_CHOICES = ("auto", "cuda", "mps", "cpu")


def _available(kind: str) -> bool:
    import torch

    if kind == "cuda":
        return torch.cuda.is_available()
    if kind == "mps":
        return getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    return kind == "cpu"


def resolve_device_name(requested: str | None = None, *, available=_available) -> str:
    """Return ``'cuda'``, ``'cuda:1'``, ``'mps'`` or ``'cpu'`` for a request (None/'auto' picks).

    ``available(kind) -> bool`` is injectable so the choice logic is testable without a GPU.
    """
    requested = (requested or os.environ.get(DEVICE_ENV, "") or "auto").strip().lower()
    kind = requested.split(":", 1)[0]
    if kind not in DEVICE_CHOICES:
        raise ValueError(
            f"unknown device {requested!r}: choose one of {', '.join(DEVICE_CHOICES)} "
            f"(or cuda:N), via --device or {DEVICE_ENV}"
        )
    if kind == "auto":
        return next(k for k in ("cuda", "mps", "cpu") if available(k))
    if not available(kind):
        raise ValueError(
            f"device {requested!r} was asked for but is not available on this machine; "
            f"use --device auto (or cpu)"
        )
    return requested


def get_device(requested: str | None = None):
    """The ``torch.device`` to use: cuda, then mps, then cpu (or what ``requested`` names)."""
    import torch

    return torch.device(resolve_device_name(requested))
