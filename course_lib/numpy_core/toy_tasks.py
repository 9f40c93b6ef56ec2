"""Toy sequence tasks that need long-range memory, generated on the fly (no data files).

The adding problem (Hochreiter & Schmidhuber 1997, experiment 4), in the form used by
Le, Jaitly & Hinton (2015) and most later papers: each time step carries two numbers, a value
drawn uniformly from [0, 1] and a marker that is 1 at exactly two steps (one in each half of the
sequence) and 0 elsewhere. The target is the sum of the two marked values. Predicting the mean
(1.0) whatever the input gives a mean squared error of 1/6 ~ 0.167: a model has to beat that
baseline clearly to show that it carried information across the time lag.

Dimensions: N sequences, T time steps.
"""

from __future__ import annotations

import numpy as np

ADDING_BASELINE_MSE = 1.0 / 6.0  # variance of the sum of two U(0, 1) values


def adding_problem(n, T, rng, dtype=np.float64):
    """Draw ``n`` sequences of the adding problem.

    Inputs:
    - n: number of sequences N.
    - T: sequence length (T >= 2); the time lag between the markers is up to T - 1.
    - rng: a ``numpy.random.Generator`` (or an int seed).
    - dtype: floating dtype of the outputs.

    Returns a tuple of:
    - x: (N, T, 2), x[:, :, 0] the values in [0, 1), x[:, :, 1] the markers (two ones per row).
    - y: (N,), the sum of the two marked values.
    """
    if T < 2:
        raise ValueError(f"T must be at least 2, got {T}")
    rng = np.random.default_rng(rng)
    values = rng.random((n, T))  # (N, T)
    half = T // 2
    first = rng.integers(0, half, size=n)  # one marker in the first half
    second = rng.integers(half, T, size=n)  # one in the second half
    markers = np.zeros((n, T))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype(dtype)  # (N, T, 2)
    y = (values[rows, first] + values[rows, second]).astype(dtype)  # (N,)
    return x, y
