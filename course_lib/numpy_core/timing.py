"""How fast is the NumPy LSTM? Time one training step (forward + backward + SGD update).

    python -m course_lib.numpy_core.timing          # the MNIST-rows and IMDB shapes

Import course_lib before numpy (``python -m`` does) so that flush-to-zero is set before BLAS
starts its threads; see course_lib.env.speed. The machine may be shared: the figures are medians.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import course_lib  # applies the fast float settings (python -m imports it first anyway)
from course_lib.numpy_core.models import SequenceClassifier
from course_lib.numpy_core.optim import SGD

# name -> (N, T, D, H): batch, time steps, input size, hidden size
SHAPES = {"mnist": (64, 28, 28, 128), "imdb": (32, 200, 50, 128)}


def train_step(model, optimizer, x, y, mask=None):
    """One step: loss and gradients, then the optimiser's update. Returns the loss."""
    loss, grads = model.loss(x, y, mask)
    optimizer.step(grads)
    return loss


def time_train_step(N, T, D, H, num_classes=10, vocab_size=None, dtype=np.float32, repeats=20,
                    warmup=3, seed=0):
    """Median wall time of one classifier training step on random data of the given shape.

    With vocab_size the inputs are (N, T) token ids through an embedding of size D, and the
    sequences have random lengths (masked); without, inputs are dense (N, T, D) vectors.
    Returns a dict: seconds (median), seq_per_s, all times, and the settings.
    """
    rng = np.random.default_rng(seed)
    model = SequenceClassifier(D, H, num_classes, vocab_size=vocab_size, dtype=dtype, seed=seed)
    optimizer = SGD(model.params, lr=0.01)
    y = rng.integers(0, num_classes, N)
    if vocab_size is None:
        x, mask = rng.standard_normal((N, T, D)).astype(dtype), None
    else:
        x = rng.integers(0, vocab_size, (N, T))
        mask = np.arange(T)[None, :] < rng.integers(T // 4, T + 1, N)[:, None]
    times = []
    for k in range(warmup + repeats):
        start = time.perf_counter()
        train_step(model, optimizer, x, y, mask)
        if k >= warmup:
            times.append(time.perf_counter() - start)
    seconds = float(np.median(times))
    return {"shape": (N, T, D, H), "dtype": np.dtype(dtype).name, "vocab_size": vocab_size,
            "seconds": seconds, "seq_per_s": N / seconds, "times": times}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--vocab-size", type=int, default=None,
                        help="token ids through an embedding (random lengths) instead of vectors")
    args = parser.parse_args(argv)
    print(f"fast float settings: {course_lib.FAST_FLOAT_SETTINGS}; load average: "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for name in args.shapes:
        r = time_train_step(*SHAPES[name], dtype=args.dtype, repeats=args.repeats,
                            vocab_size=args.vocab_size)
        spread = np.percentile(r["times"], [10, 90]) * 1e3
        inputs = "vectors" if r["vocab_size"] is None else f"tokens (V={r['vocab_size']})"
        print(f"{name:6s} N,T,D,H={r['shape']} {r['dtype']} {inputs}: {r['seconds'] * 1e3:7.2f} ms/step "
              f"(p10-p90 {spread[0]:.2f}-{spread[1]:.2f}), {r['seq_per_s']:7.0f} sequences/s")


if __name__ == "__main__":
    main()
