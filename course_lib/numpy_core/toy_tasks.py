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

import time

import numpy as np
from tqdm.auto import tqdm

from course_lib.numpy_core import init as initialise
from course_lib.numpy_core.layers import affine_backward, affine_forward
from course_lib.numpy_core.lstm import lstm_backward, lstm_forward
from course_lib.numpy_core.optim import Adam, clip_grad_norm
from course_lib.numpy_core.rnn import rnn_backward, rnn_forward

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


def input_gradient_norms(forward, backward, x, h0, weights, rng):
    """How strongly the last hidden state depends on each earlier input.

    Runs ``forward(x, h0, *weights)``, sends a random gradient into the last hidden state only,
    backpropagates with ``backward`` (e.g. rnn_forward/rnn_backward or the LSTM pair) and
    measures the gradient reaching each input.

    Inputs: x (N, T, D); h0 (N, H); weights: tuple (Wx, Wh, b); rng: numpy Generator.
    Returns norms (T,): norms[k] = ||dL/dx_(T-1-k)||, the norm at time lag k.
    """
    h, cache = forward(x, h0, *weights)  # (N, T, H)
    dh = np.zeros_like(h)
    dh[:, -1] = rng.standard_normal(dh[:, -1].shape)
    dx = backward(dh, cache)[0]  # (N, T, D)
    return np.linalg.norm(dx[:, ::-1], axis=(0, 2))


class AddingRegressor:
    """A recurrent cell read at its last step, then a linear layer: one number per sequence.

    - cell: "lstm" or "rnn" (the vanilla tanh RNN)
    - hidden_dim: H; input size D = 2 (value, marker)
    - forget_bias: initial forget-gate bias of the LSTM (1.0 keeps memories by default)
    - dtype, seed: parameter dtype and initialisation seed

    Weights (Xavier input weights, orthogonal recurrent weights, zero biases) live in
    ``params``: "cell.Wx" (D, GH), "cell.Wh" (H, GH), "cell.b" (GH,), "out.W" (H, 1),
    "out.b" (1,), with G = 4 gate blocks for the LSTM and 1 for the RNN.
    """

    def __init__(self, cell="lstm", hidden_dim=32, forget_bias=1.0, dtype=np.float32, seed=0):
        if cell not in ("lstm", "rnn"):
            raise ValueError(f"cell must be 'lstm' or 'rnn', got {cell!r}")
        rng = np.random.default_rng(seed)
        self.cell, D, H = cell, 2, hidden_dim
        if cell == "lstm":
            Wx, Wh, b = initialise.lstm_params(D, H, rng, "xavier", forget_bias=forget_bias,
                                               dtype=dtype)
        else:
            Wx = initialise.xavier(D, H, rng, dtype)
            Wh, b = initialise.orthogonal(H, rng, dtype), np.zeros(H, dtype)
        W, b_out = initialise.linear_params(H, 1, rng, "xavier", dtype)
        self.params = {"cell.Wx": Wx, "cell.Wh": Wh, "cell.b": b, "out.W": W, "out.b": b_out}
        self.forward, self.backward = ((lstm_forward, lstm_backward) if cell == "lstm"
                                       else (rnn_forward, rnn_backward))

    def _run(self, x):
        p = self.params
        x = np.asarray(x, p["cell.Wx"].dtype)
        h0 = np.zeros((x.shape[0], p["cell.Wh"].shape[0]), x.dtype)
        h, cache = self.forward(x, h0, p["cell.Wx"], p["cell.Wh"], p["cell.b"])  # (N, T, H)
        pred, out_cache = affine_forward(h[:, -1], p["out.W"], p["out.b"])  # (N, 1)
        return pred[:, 0], h.shape, cache, out_cache

    def predict(self, x):
        """Predictions (N,) for inputs x (N, T, 2)."""
        return self._run(x)[0]

    def loss(self, x, y):
        """Mean squared error over the batch, and its gradients (keyed like ``params``)."""
        pred, h_shape, cache, out_cache = self._run(x)
        err = pred - y  # (N,)
        loss = float(np.mean(err**2))
        dpred = (2.0 / len(err)) * err[:, None]  # (N, 1)
        dlast, dW, db = affine_backward(dpred.astype(pred.dtype), out_cache)
        dh = np.zeros(h_shape, pred.dtype)  # only the last step is read
        dh[:, -1] = dlast
        *_, dWx, dWh, dcell_b = self.backward(dh, cache)  # the LSTM also returns dc0
        return loss, {"cell.Wx": dWx, "cell.Wh": dWh, "cell.b": dcell_b, "out.W": dW,
                      "out.b": db}


def train_adding(model, T, steps, batch_size=64, lr=1e-2, max_norm=1.0, eval_every=50,
                 eval_size=512, seed=0, progress=True):
    """Train ``model`` on fresh adding-problem batches with Adam and gradient clipping.

    Every ``eval_every`` steps the mean squared error on a fixed validation set of
    ``eval_size`` sequences is recorded. Returns a history dict of lists: "step", "train_mse"
    (mean over the steps since the last evaluation), "val_mse"; plus "seconds", the wall time.
    """
    rng = np.random.default_rng(seed)
    x_val, y_val = adding_problem(eval_size, T, rng)
    optimizer = Adam(model.params, lr=lr)
    history = {"step": [], "train_mse": [], "val_mse": []}
    recent, start = [], time.perf_counter()
    bar = tqdm(range(1, steps + 1), desc=f"{model.cell.upper()} T={T}", disable=not progress)
    for step in bar:
        x, y = adding_problem(batch_size, T, rng)
        loss, grads = model.loss(x, y)
        clip_grad_norm(grads, max_norm)
        optimizer.step(grads)
        recent.append(loss)
        if step % eval_every == 0 or step == steps:
            val = float(np.mean((model.predict(x_val) - y_val) ** 2))
            history["step"].append(step)
            history["train_mse"].append(float(np.mean(recent)))
            history["val_mse"].append(val)
            recent = []
            bar.set_postfix(val_mse=f"{val:.4f}")
    history["seconds"] = time.perf_counter() - start
    return history
