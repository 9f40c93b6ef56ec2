"""A training loop for the NumPy models: epochs of minibatches, evaluation after every epoch.

The loop knows three things about its collaborators, nothing more:

- ``model.loss(*batch) -> (loss, grads)`` and ``model.params`` (see :mod:`.models`);
- ``optimizer.step(grads)``, and ``optimizer.end_epoch()`` when it has a per-epoch schedule
  (see :mod:`.optim`);
- ``train_batches(epoch)``: an iterable of batches (tuples of arguments for ``model.loss``), in
  an order that depends only on ``epoch`` (so a resumed run sees the same batches);
- ``evaluate(model)``: a dict of metrics named ``<split>_<metric>`` (``"test_accuracy"``),
  computed after every epoch: one run gives the whole curve, no retraining per epoch count.

::

    def batches(epoch):
        return minibatches(images, labels, batch_size=64, seed=epoch)

    def evaluate(model):
        return {f"test_{k}": v for k, v in evaluate_classifier(model, test_x, test_y).items()}

    summary = fit(model, SGD(model.params, lr=1.0, decay=0.2), batches, epochs=10,
                  evaluate=evaluate, checkpoint="checkpoints/demo.npz")
    summary["history"]["test_accuracy"]  # one value per epoch

``fit`` returns the same summary as the PyTorch :class:`~course_lib.training.Trainer`
(history, final and best metrics, wall time), so NumPy and PyTorch runs land side by side in
one results file. Imports NumPy and tqdm only.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from course_lib.env.selection import best_index, check_selectable, default_monitor
from course_lib.numpy_core.optim import clip_grad_norm, global_norm


def evaluate_classifier(model, inputs, targets, mask=None, batch_size=1000):
    """Mean cross-entropy and accuracy of a classifier over a whole data set, in batches.

    Inputs: inputs (N, T, D) or (N, T) token ids; targets (N,); mask (N, T) or None.
    Returns {"loss": mean loss per example, "accuracy": fraction correct}.
    """
    total_loss, correct, n = 0.0, 0, len(targets)
    for start in range(0, n, batch_size):
        rows = slice(start, start + batch_size)
        m = None if mask is None else mask[rows]
        scores = model.scores(inputs[rows], m)  # (B, C)
        shifted = scores - scores.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        y = targets[rows]
        total_loss -= float(log_probs[np.arange(len(y)), y].sum())
        correct += int((scores.argmax(axis=1) == y).sum())
    return {"loss": total_loss / n, "accuracy": correct / n}


def fit(model, optimizer, train_batches, *, epochs, evaluate=None, clip_norm=None,
        lr_schedule=None, monitor=None, checkpoint=None, resume=False, progress=True,
        name="numpy"):
    """Train for ``epochs`` epochs; returns a summary dict (see the module docstring).

    - clip_norm: rescale the gradients whose global norm exceeds it (None: never)
    - lr_schedule: ``epoch -> learning rate`` (from 0), assigned to ``optimizer.lr`` before each
      epoch, for optimisers without their own schedule (Adam); SGD has ``decay`` built in
    - monitor: the metric that picks the best epoch (default: val_loss, else train_loss);
      accuracies are maximised, anything else minimised; a test metric is refused
      (:mod:`course_lib.env.selection`)
    - checkpoint: a ``.npz`` path written after every epoch; ``resume=True`` continues from it
    History keys: epoch, lr, train_loss, train_grad_norm (mean norm before clipping), time_s,
    then everything ``evaluate`` returns.
    """
    if monitor is not None:
        check_selectable(monitor)  # before any training
    history, start_epoch = {}, 0
    if resume and checkpoint and Path(checkpoint).exists():
        history, start_epoch = load_checkpoint(checkpoint, model, optimizer)
    bar = tqdm(total=epochs, initial=start_epoch, desc=name, unit="epoch", disable=not progress)
    for epoch in range(start_epoch, epochs):
        start = time.perf_counter()
        if lr_schedule is not None:
            optimizer.lr = lr_schedule(epoch)
        lr = getattr(optimizer, "lr", None)
        loss_sum, norm_sum, seen, steps = 0.0, 0.0, 0, 0
        for batch in tqdm(train_batches(epoch), desc=f"epoch {epoch + 1}/{epochs}", unit="batch",
                          leave=False, disable=not progress):
            loss, grads = model.loss(*batch)
            if not math.isfinite(loss):
                raise FloatingPointError(f"{name}: the loss is {loss} at epoch {epoch + 1}, "
                                         f"step {steps + 1}; try a smaller learning rate or clipping")
            norm = clip_grad_norm(grads, clip_norm) if clip_norm else global_norm(grads)
            optimizer.step(grads)
            loss_sum, norm_sum = loss_sum + loss * len(batch[0]), norm_sum + norm
            seen, steps = seen + len(batch[0]), steps + 1
        if hasattr(optimizer, "end_epoch"):
            optimizer.end_epoch()
        row = {"epoch": epoch + 1, "lr": lr, "train_loss": loss_sum / max(seen, 1),
               "train_grad_norm": norm_sum / max(steps, 1)}
        row.update(evaluate(model) if evaluate else {})
        row["time_s"] = time.perf_counter() - start
        for key, value in row.items():
            history.setdefault(key, []).append(value)
        if checkpoint:
            save_checkpoint(checkpoint, model, optimizer, history)
        bar.update(1)
        if progress:
            shown = "  ".join(f"{k} {v:.4g}" for k, v in row.items() if k not in ("epoch", "lr"))
            tqdm.write(f"{name} epoch {epoch + 1}/{epochs}  {shown}")
    bar.close()
    return summarise(history, monitor)


def summarise(history, monitor=None):
    """The Trainer-style summary of a history: final and best rows, wall time.

    The best row is the epoch ``monitor`` chooses (a validation metric; never a test one)."""
    monitor = check_selectable(monitor or default_monitor("val_loss" in history))
    values = history.get(monitor, [])
    best = best_index(values, monitor)
    def row(i):
        return {k: v[i] for k, v in history.items() if k not in ("epoch", "lr", "time_s")}
    return {"history": history, "epochs_run": len(history.get("epoch", [])),
            "final": row(-1) if values else {}, "monitor": monitor,
            "best_epoch": None if best is None else best + 1,
            "best": {} if best is None else row(best), "stopped_early": False,
            "wall_time_s": float(sum(history.get("time_s", [])))}


def save_checkpoint(path, model, optimizer, history):
    """Write params, optimiser state (arrays and numbers), history and the model's random
    generator to one ``.npz`` file (written to a temporary name, then renamed)."""
    arrays = {f"param/{k}": v for k, v in model.params.items()}
    numbers = {}
    for key, value in vars(optimizer).items():
        if key == "params":
            continue
        if isinstance(value, dict):  # Adam's moments: name -> array
            arrays.update({f"opt/{key}/{k}": v for k, v in value.items()})
        else:
            numbers[key] = value
    rng = getattr(model, "rng", None)
    meta = {"history": history, "optimizer": numbers,
            "rng": rng.bit_generator.state if rng is not None else None}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, meta=np.array(json.dumps(meta)), **arrays)
    os.replace(tmp, path)


def load_checkpoint(path, model, optimizer):
    """Restore what :func:`save_checkpoint` wrote, in place; returns (history, epochs done)."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        for key in data.files:
            parts = key.split("/")
            if parts[0] == "param":
                model.params[parts[1]][...] = data[key]
            elif parts[0] == "opt":
                getattr(optimizer, parts[1])[parts[2]][...] = data[key]
    for key, value in meta["optimizer"].items():
        setattr(optimizer, key, value)
    if meta["rng"] is not None:
        model.rng.bit_generator.state = meta["rng"]
    history = meta["history"]
    return history, len(history.get("epoch", []))
