"""Shape checks that fail early with a message naming the argument.

``expect_shape("Wx", Wx, (D, 4 * H), "(D, 4H)")`` raises
``ValueError: Wx has shape (5, 12), expected (D, 4H) = (5, 16)``.
"""

from __future__ import annotations

import numpy as np


def expect_shape(name, array, shape, letters=None):
    """Raise ValueError unless ``array.shape`` matches ``shape`` (None entries match anything)."""
    got = np.shape(array)
    ok = len(got) == len(shape) and all(s is None or g == s for g, s in zip(got, shape))
    if not ok:
        want = tuple("?" if s is None else s for s in shape)
        want = str(want).replace("'", "")
        if letters:
            want = f"{letters} = {want}"
        raise ValueError(f"{name} has shape {got}, expected {want}")


def expect_ndim(name, array, ndim, letters):
    """Raise ValueError unless ``array`` has ``ndim`` dimensions (``letters`` names them)."""
    if np.ndim(array) != ndim:
        raise ValueError(f"{name} has shape {np.shape(array)}, expected {ndim} dimensions {letters}")

