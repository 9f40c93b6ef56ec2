"""The layers around the LSTM: embedding, affine, masked mean pooling, softmax loss, dropout.

Dimension letters: N batch size, T time steps, D input size, H hidden size, V vocabulary size,
C number of classes. Every layer is a pair ``<name>_forward(...) -> (out, cache)`` and
``<name>_backward(dout, cache) -> gradients``, returned in the order of the forward's inputs.

Padding: a ``mask`` of shape (N, T) is True (or 1) at real steps and False (0) at padding.
Masked layers ignore padded positions *exactly*: whatever values sit there, the outputs and the
gradients of everything else are bit-for-bit the same (padding values must be finite).
"""

from __future__ import annotations

import numpy as np

from course_lib.numpy_core.shapes import expect_ndim, expect_shape


def word_embedding_forward(x, W):
    """Look up a vector for every token.

    Inputs: x (N, T) integer token ids in [0, V); W (V, D) embedding matrix.
    Returns (out, cache) with out (N, T, D).
    """
    expect_ndim("W", W, 2, "(V, D)")
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.integer):
        raise ValueError(f"x must hold integer token ids, got dtype {x.dtype}")
    if x.size and (x.min() < 0 or x.max() >= W.shape[0]):
        raise ValueError(f"x has token ids outside [0, V) = [0, {W.shape[0]})")
    return W[x], (x, W.shape)


def word_embedding_backward(dout, cache):
    """Backward pass of word_embedding_forward: returns dW (V, D).

    A token that appears several times gets the sum of its gradients (``np.add.at``).
    """
    x, (V, D) = cache
    expect_shape("dout", dout, x.shape + (D,), "(N, T, D)")
    dW = np.zeros((V, D), dout.dtype)
    np.add.at(dW, x.ravel(), dout.reshape(-1, D))
    return dW


def affine_forward(x, W, b):
    """A linear layer applied to the last axis: out = x W + b.

    Works on (N, D) inputs and, time-distributed, on (N, T, D) inputs.
    Inputs: x (..., D), W (D, M), b (M,). Returns (out, cache) with out (..., M).
    """
    expect_ndim("W", W, 2, "(D, M)")
    expect_shape("x", x, np.shape(x)[:-1] + (W.shape[0],), "(..., D)")
    expect_shape("b", b, (W.shape[1],), "(M,)")
    # One 2-D product: NumPy runs ``(N, T, D) @ (D, M)`` as N separate small products, which
    # was measured ~1000x slower than the same product on the (N * T, D) view.
    out = (x.reshape(-1, W.shape[0]) @ W).reshape(np.shape(x)[:-1] + (W.shape[1],))
    out += b
    return out, (x, W)


def affine_backward(dout, cache):
    """Backward pass of affine_forward: returns (dx, dW, db)."""
    x, W = cache
    expect_shape("dout", dout, x.shape[:-1] + (W.shape[1],), "(..., M)")
    x2 = x.reshape(-1, W.shape[0])
    d2 = dout.reshape(-1, W.shape[1])
    return (d2 @ W.T).reshape(x.shape), x2.T @ d2, d2.sum(axis=0)


def _check_mask(mask, shape):
    """``mask`` as an array after checking its shape (None stays None)."""
    if mask is None:
        return None
    expect_shape("mask", mask, shape, "(N, T)" if len(shape) == 2 else None)
    return np.asarray(mask)


def masked_mean_forward(x, mask=None):
    """Mean over time of the real (unpadded) steps.

    Inputs: x (N, T, H); mask (N, T), True at real steps (None: every step is real).
    Returns (out, cache) with out (N, H): out[n] = mean of x[n, t] over t with mask[n, t].
    """
    expect_ndim("x", x, 3, "(N, T, H)")
    N, T, H = x.shape
    mask = _check_mask(mask, (N, T))
    if mask is None:
        weights = np.full((N, T), 1 / T, x.dtype)
    else:
        counts = mask.sum(axis=1, keepdims=True)  # (N, 1)
        if np.any(counts == 0):
            raise ValueError(f"mask has rows with no real step: {np.flatnonzero(counts == 0)}")
        weights = (mask / counts).astype(x.dtype)  # (N, T), zero at padding
    out = np.matmul(weights[:, None, :], x)[:, 0, :]  # (N, H)
    return out, weights


def masked_mean_backward(dout, cache):
    """Backward pass of masked_mean_forward: returns dx (N, T, H), exactly zero at padding."""
    weights = cache
    expect_shape("dout", dout, (weights.shape[0], None), "(N, H)")
    return weights[:, :, None] * dout[:, None, :]


def softmax_cross_entropy_forward(scores, y, mask=None, average="batch"):
    """Softmax cross-entropy, for one label per sequence or one per time step.

    Inputs:
    - scores: (N, C) or (N, T, C) unnormalised class scores
    - y: (N,) or (N, T) integer labels in [0, C); ignored where mask is False
    - mask: shape of y, True where the loss counts (None: everywhere)
    - average: "batch" divides the summed loss by N (the loss per sequence, summed over time,
      as in CS231n and Zaremba et al.); "tokens" divides by the number of counted positions.

    Returns (loss, cache), loss a float.
    """
    scores = np.asarray(scores)
    expect_shape("y", y, scores.shape[:-1], "(N,) or (N, T)")
    if average not in ("batch", "tokens"):
        raise ValueError(f"average must be 'batch' or 'tokens', got {average!r}")
    y = np.asarray(y)
    C = scores.shape[-1]
    keep = np.ones(y.shape, bool) if mask is None else _check_mask(mask, y.shape).astype(bool)
    y = np.where(keep, y, 0)  # any label at padding is fine
    if y.size and (y.min() < 0 or y.max() >= C):
        raise ValueError(f"y has labels outside [0, C) = [0, {C})")
    shifted = scores - scores.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))  # (..., C)
    picked = np.take_along_axis(log_probs, y[..., None], axis=-1)[..., 0]  # (N,) or (N, T)
    denom = scores.shape[0] if average == "batch" else max(int(keep.sum()), 1)
    loss = -np.where(keep, picked, 0).sum() / denom
    return float(loss), (log_probs, y, keep, denom)


def softmax_cross_entropy_backward(dloss, cache):
    """Backward pass of softmax_cross_entropy_forward: returns dscores, shape of scores.

    ``dloss`` is the gradient of the final objective with respect to the loss (1.0 usually).
    """
    log_probs, y, keep, denom = cache
    dscores = np.exp(log_probs)  # softmax probabilities
    flat = dscores.reshape(-1, dscores.shape[-1])  # a view, one row per position
    flat[np.arange(flat.shape[0]), y.ravel()] -= 1  # softmax - one_hot(y)
    dscores *= (keep * (dloss / denom)).astype(dscores.dtype)[..., None]
    return dscores


def dropout_forward(x, p, train=True, rng=None):
    """Inverted dropout: zero each entry with probability p, scale the rest by 1 / (1 - p).

    Inputs: x any shape; p drop probability in [0, 1); train False makes it the identity;
    rng a numpy Generator or an int seed (the same seed gives the same mask).
    Returns (out, cache) with out the shape of x.
    """
    if not 0 <= p < 1:
        raise ValueError(f"p must be in [0, 1), got {p}")
    if not train or p == 0:
        return x, None
    rng = np.random.default_rng(rng)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
    keep = rng.random(x.shape, dtype=dtype) >= p
    scale = (keep / (1 - p)).astype(dtype)  # (shape of x)
    return x * scale, scale


def dropout_backward(dout, cache):
    """Backward pass of dropout_forward: returns dx."""
    scale = cache
    if scale is None:
        return dout
    expect_shape("dout", dout, scale.shape)
    return dout * scale
