"""Weight initialisations: the seeds' Gaussian recipe beside Xavier / orthogonal.

Dimension letters: D input size, H hidden size, M output size, V vocabulary size.

- ``"seed"``: what the seed projects used. LSTM weights ``scale * N(0, 1)`` (scale 0.1, or 0.01),
  linear layer ``N(0, 1)``, biases zero.
- ``"xavier"``: Xavier/Glorot normal (std = sqrt(2 / (fan_in + fan_out))) for input weights and
  the linear layer, an orthogonal matrix for each gate block of the recurrent weights, biases zero.

Embeddings are ``U(-0.1, 0.1)`` under both (Zaremba et al. 2014). ``forget_bias`` sets the
forget-gate block of the LSTM bias (1.0 is a common choice; Jozefowicz et al. 2015).
"""

from __future__ import annotations

import numpy as np

INITS = ("xavier", "seed")


def _check(init):
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")


def orthogonal(n, rng, dtype=np.float64):
    """A random (n, n) orthogonal matrix (QR of a Gaussian matrix, signs fixed)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return (q * np.sign(np.diag(r))).astype(dtype)


def xavier(fan_in, fan_out, rng, dtype=np.float64):
    """A (fan_in, fan_out) matrix with entries N(0, 2 / (fan_in + fan_out))."""
    std = np.sqrt(2.0 / (fan_in + fan_out))
    return (std * rng.standard_normal((fan_in, fan_out))).astype(dtype)


def lstm_params(D, H, rng, init="xavier", scale=0.1, forget_bias=0.0, dtype=np.float32):
    """Weights of one LSTM layer: (Wx (D, 4H), Wh (H, 4H), b (4H,)), gate blocks i, f, g, o."""
    _check(init)
    if init == "seed":
        Wx = (scale * rng.standard_normal((D, 4 * H))).astype(dtype)
        Wh = (scale * rng.standard_normal((H, 4 * H))).astype(dtype)
    else:
        Wx = np.concatenate([xavier(D, H, rng, dtype) for _ in range(4)], axis=1)
        Wh = np.concatenate([orthogonal(H, rng, dtype) for _ in range(4)], axis=1)
    b = np.zeros(4 * H, dtype)
    b[H : 2 * H] = forget_bias
    return Wx, Wh, b


def linear_params(D, M, rng, init="xavier", dtype=np.float32):
    """Weights of a linear layer: (W (D, M), b (M,))."""
    _check(init)
    if init == "seed":
        W = rng.standard_normal((D, M)).astype(dtype)
    else:
        W = xavier(D, M, rng, dtype)
    return W, np.zeros(M, dtype)


def embedding_params(V, D, rng, dtype=np.float32):
    """An embedding matrix (V, D) with entries U(-0.1, 0.1)."""
    return rng.uniform(-0.1, 0.1, (V, D)).astype(dtype)
