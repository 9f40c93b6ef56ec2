"""Training the NumPy :class:`~course_lib.numpy_core.models.LanguageModel` over BPTT windows.

Dimension letters: N parallel streams (rows of the batchified text), T steps per window,
L columns of a batchified split, V vocabulary size.

A language model reads one long text. As in Zaremba et al. (2014) the text is cut into N
streams laid side by side (``batchify``: an (N, L) array) and read in windows of T steps. The
model keeps the LSTM state from one window to the next; in NumPy nothing links the windows
(there is no graph), so the gradient of each window stops at its first step by construction:
this is *truncated* backpropagation through time. The state is reset at the start of every pass.

The loop itself is :func:`course_lib.numpy_core.train.fit`; this module supplies the windows and
the evaluation, and reports losses per word:

- the model is trained on Zaremba's objective, the cross-entropy summed over the T steps and
  averaged over the N streams (``average="batch"``), which is what ``fit`` records;
  :func:`fit_language_model` converts it to nats per word;
- ``perplexity = exp(mean cross-entropy per word)`` on every split.
"""

from __future__ import annotations

import math

from course_lib.data.batches import batchify, bptt_windows, num_windows
from course_lib.numpy_core.train import fit, summarise


def perplexity(loss_per_token):
    """exp of the mean cross-entropy per token (nats), capped to stay finite."""
    return math.exp(min(loss_per_token, 700.0))


def evaluate_language_model(model, data, T):
    """Mean cross-entropy per token and perplexity of ``model`` over data (N, L), no dropout.

    The state starts from zeros and is carried across the windows, as in training; the model's
    state is reset again at the end. Returns {"loss": nats per token, "perplexity": exp(loss)}.
    """
    model.reset_state()
    total, count = 0.0, 0
    for x, y in bptt_windows(data, T):
        loss, _ = model.loss(x, y, train=False, average="tokens")  # mean over N * T tokens
        total, count = total + loss * y.size, count + y.size
    model.reset_state()
    loss = total / max(count, 1)
    return {"loss": loss, "perplexity": perplexity(loss)}


def window_batches(model, data, T):
    """``fit``'s batches for one epoch: the windows of data (N, L) in order, after a state reset."""
    model.reset_state()
    yield from bptt_windows(data, T)


def fit_language_model(model, optimizer, train_ids, val_ids=None, test_ids=None, *, batch_size,
                       num_steps, epochs, eval_batch_size=None, clip_norm=None, lr_schedule=None,
                       checkpoint=None, resume=False, progress=True, name="numpy-lm"):
    """Train ``model`` on the id stream ``train_ids`` (L,) in windows of ``num_steps`` (T) over
    ``batch_size`` (N) streams, evaluating val and test after every epoch.

    Other arguments as for :func:`course_lib.numpy_core.train.fit`. Returns its summary, with
    losses in nats per word: history keys train_loss, train_perplexity, val_loss,
    val_perplexity, test_loss, test_perplexity (those of the splits given), lr, time_s.
    """
    T = num_steps
    train = batchify(train_ids, batch_size)  # (N, L)
    evals = {split: batchify(ids, eval_batch_size or batch_size)
             for split, ids in (("val", val_ids), ("test", test_ids)) if ids is not None}

    def evaluate(m):
        row = {}
        for split, data in evals.items():
            row.update({f"{split}_{k}": v for k, v in evaluate_language_model(m, data, T).items()})
        return row

    summary = fit(model, optimizer, lambda epoch: window_batches(model, train, T), epochs=epochs,
                  evaluate=evaluate, clip_norm=clip_norm, lr_schedule=lr_schedule,
                  monitor="val_loss" if evals else None, checkpoint=checkpoint, resume=resume,
                  progress=progress, name=name)
    history = summary["history"]
    # fit records the mean over windows of (loss summed over the window's steps) / N; there are
    # num_windows windows covering L - 1 steps per row (the last may be short): per word
    per_word = num_windows(train, T) / (train.shape[1] - 1)
    history["train_loss"] = [loss * per_word for loss in history["train_loss"]]
    history["train_perplexity"] = [perplexity(loss) for loss in history["train_loss"]]
    return summarise(history, summary["monitor"])
