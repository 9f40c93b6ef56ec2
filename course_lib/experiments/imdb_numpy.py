"""IMDB with the course's NumPy LSTM: the seeds' NumPy row, redone on their own data size.

The seeds' NumPy model (GloVe-50 -> LSTM(32) -> average over time -> linear, SGD at lr 1.0
decayed as 1 / (1 + 0.2 n), batch 32, clip 5, seed 42, Gaussian initialisation) was trained on
1,000 reviews for lack of memory. ``imdb-seed-numpy`` retrains exactly that with
:class:`course_lib.numpy_core.SequenceClassifier` and :func:`course_lib.numpy_core.train.fit`
on 1,000 training reviews, and tests it on all 25,000 test reviews after every epoch.
``imdb-seed`` (PyTorch, all 25,000 training reviews) then shows what the data size changes.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from course_lib.data.batches import minibatch_indices
from course_lib.experiments.common.imdb_data import data_summary, load_data
from course_lib.experiments.common.imdb_recipe import AXIS_LABELS, SEED_ROWS, ImdbConfig
from course_lib.runs.registry import register

# 60 epochs of 32 steps: with 6 (under 200 SGD steps from the seeds' small initial weights) the
# model was still at chance (50.5 %); with 60 it learns, noisily (about 9 minutes on 1 thread).
_NUMPY_SEED = ImdbConfig(train_size=1_000, epochs=60)
NUMPY_SEED_PROFILES = {
    "smoke": dataclasses.replace(_NUMPY_SEED, train_size=128, dev_size=256, test_size=256, max_len=40,
                                 hidden_size=8, epochs=1),
    "laptop": _NUMPY_SEED,
    "full": dataclasses.replace(_NUMPY_SEED, train_size=5_000),
}


def numpy_batches(split, batch_size, seed):
    """Shuffled batches (ids (N, T) int64, labels (N,), mask (N, T)), each cut to its longest review."""
    ids, lengths, labels = split.ids.numpy(), split.lengths.numpy(), split.labels.numpy()
    for index in minibatch_indices(len(labels), batch_size, shuffle=True, seed=seed):
        T = int(lengths[index].max())
        mask = np.arange(T)[None, :] < lengths[index][:, None]  # (N, T)
        yield ids[index, :T].astype(np.int64), labels[index], mask


def numpy_evaluate(model, split, batch_size=500) -> dict:
    """Mean cross-entropy and accuracy of a NumPy classifier on a whole split (sorted by length,
    so that each batch is cut to little padding)."""
    ids, lengths, labels = split.ids.numpy(), split.lengths.numpy(), split.labels.numpy()
    order = np.argsort(lengths, kind="stable")
    total_loss, correct = 0.0, 0
    for start in range(0, len(order), batch_size):
        index = order[start:start + batch_size]
        T = int(lengths[index].max())
        mask = np.arange(T)[None, :] < lengths[index][:, None]
        scores = model.scores(ids[index, :T].astype(np.int64), mask)  # (N, C)
        shifted = scores - scores.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        y = labels[index]
        total_loss -= float(log_probs[np.arange(len(y)), y].sum())
        correct += int((scores.argmax(axis=1) == y).sum())
    return {"loss": total_loss / len(order), "accuracy": correct / len(order)}


def evaluate_splits(model, data, score_test=True) -> dict:
    """``val_loss``, ``val_accuracy`` on the dev reviews (the best epoch is chosen on them), then
    ``test_loss``, ``test_accuracy`` (for the curves and the report) unless ``score_test`` is off."""
    splits = {"val": data.dev, "test": data.test} if score_test else {"val": data.dev}
    return {f"{name}_{k}": v for name, split in splits.items()
            for k, v in numpy_evaluate(model, split).items()}


@register("imdb-seed-numpy", "IMDB: the seeds' NumPy LSTM(32) row redone on their 1,000 reviews",
          NUMPY_SEED_PROFILES)
def run_seed_numpy(config: ImdbConfig, ctx):
    from course_lib.numpy_core import SGD, SequenceClassifier

    data = load_data(config)
    for run in config.runs:
        model = SequenceClassifier(data.embedding.shape[1], config.hidden_size, 2,
                                   embedding=data.embedding, train_embedding=run == "tuned",
                                   init=config.init, init_scale=0.1, seed=config.seed)
        optimizer = SGD(model.params, lr=config.lr, decay=config.decay)
        ctx.fit_numpy(run, model, optimizer,
                  lambda e: numpy_batches(data.train, config.batch_size, config.seed * 100_003 + e),
                  epochs=config.epochs, clip_norm=config.clip_norm,
                  evaluate=lambda m: evaluate_splits(m, data, config.score_test),
                  monitor="val_accuracy",
                  train_config={"optimizer": "sgd", "lr": config.lr, "decay": config.decay})
    return {"data": data_summary(data), "seed_rows": SEED_ROWS, "implementation": "NumPy",
            "reference_lines": {"accuracy": {"seed NumPy frozen, 1k reviews": 0.730,
                                             "seed NumPy tuned, 1k reviews": 0.774}},
            "axis_labels": AXIS_LABELS}
