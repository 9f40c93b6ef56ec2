"""IMDB sentiment (Maas et al. 2011): the seeds' rerun, RNN vs LSTM, and the padding lesson.

Every model is :class:`~course_lib.torch_models.SequenceClassifier`: GloVe-50 embedding ->
recurrent encoder -> pooling over time -> linear, trained on 22,500 of the training reviews,
validated on the other 2,500 (the course's dev split) and tested after every epoch on the 25,000
test reviews, for the curves; the reported figures are those of the last epoch, fixed in the
configuration (:mod:`.common.imdb_data` prepares them;
:mod:`.common.imdb_recipe` holds the configuration and the model). Our best model, the one that
aims at 90 %, is in :mod:`.imdb_best`.

- ``imdb-seed``: the seeds' configuration (LSTM(32), average pooling, batch 32, SGD at lr 1.0
  decayed as 1 / (1 + 0.2 n), clip 5, seed 42, the seeds' Gaussian initialisation), with the
  embedding frozen and fine-tuned. The seeds trained on 1,000-5,000 reviews (NumPy: 1,000) for
  lack of memory; this rerun uses all 25,000 of each split.
- ``imdb-rnn-vs-lstm``: a vanilla RNN and an LSTM of the same hidden size, same everything else.
- ``imdb-padding``: the same LSTM trained with masked pooling over the real tokens ("masked") and
  on reviews padded to ``max_len`` whose padded steps are pooled too ("padded"); the masked model
  is also evaluated the wrong way (padded steps pooled) to show what the mistake costs.
"""

from __future__ import annotations

import dataclasses

import torch

from course_lib.experiments.common.imdb_data import data_summary, load_data
from course_lib.experiments.common.imdb_recipe import (
    AXIS_LABELS,
    SEED_002,
    SEED_ROWS,
    ImdbConfig,
    make_model,
    train_config,
)
from course_lib.runs.registry import register
from course_lib.training import ClassificationTask


def make_task(config: ImdbConfig, data, masked=True):
    """Bucketed batches with lengths (masked), or every review padded to max_len with no lengths.

    The dev reviews are the validation split (the Trainer's best epoch reads them only); test is
    scored after every epoch for the curves, unless ``config.score_test`` is False."""
    test = data.test.as_task_split(masked) if config.score_test else None
    return ClassificationTask(data.train.as_task_split(masked), data.dev.as_task_split(masked),
                              test, batch_size=config.batch_size, eval_batch_size=256,
                              bucket=masked)


# ------------------------------------------------------------------------------- the seeds' rerun
SEED_PROFILES = {
    "smoke": ImdbConfig(train_size=256, dev_size=256, test_size=256, max_len=40, hidden_size=8, epochs=1),
    "laptop": ImdbConfig(epochs=3),
    "full": ImdbConfig(max_len=None, epochs=10),
}


@register("imdb-seed", "IMDB: the seeds' LSTM(32) + mean pool, GloVe frozen / fine-tuned, SGD",
          SEED_PROFILES)
def run_seed(config: ImdbConfig, ctx):
    data = load_data(config)
    task = make_task(config, data)
    for run in config.runs:
        if run not in ("frozen", "tuned"):
            raise ValueError(f"imdb-seed runs are 'frozen' and 'tuned', got {run!r}")
        model = make_model(config, data.embedding, freeze=run == "frozen")
        ctx.fit(run, model, task, train_config(config))
    return {"data": data_summary(data), "seed_rows": SEED_ROWS, "implementation": "PyTorch",
            "reference_lines": {"accuracy": {"seed NumPy tuned, 1k reviews": 0.774,
                                             "seed TF tuned": 0.818}},
            "axis_labels": AXIS_LABELS}


# ----------------------------------------------------------------------------------- RNN vs LSTM
_COMPARE = ImdbConfig(runs=("lstm", "rnn"), hidden_size=64, init="torch", optimizer="adam",
                      lr=1e-3, decay=0.0, batch_size=64, epochs=3, seed=0)
COMPARE_PROFILES = {
    "smoke": dataclasses.replace(_COMPARE, train_size=256, dev_size=256, test_size=256, max_len=40,
                                 hidden_size=8, epochs=1),
    "laptop": _COMPARE,
    "full": dataclasses.replace(_COMPARE, max_len=None, hidden_size=128, epochs=10),
}


@register("imdb-rnn-vs-lstm", "IMDB: vanilla RNN vs LSTM of the same size, per-epoch test accuracy",
          COMPARE_PROFILES)
def run_compare(config: ImdbConfig, ctx):
    data = load_data(config)
    task = make_task(config, data)
    parameters = {}
    for run in config.runs:
        model = make_model(config, data.embedding, rnn_type=run)
        parameters[run] = sum(p.numel() for p in model.encoder.parameters())
        ctx.fit(run, model, task, train_config(config))
    return {"data": data_summary(data), "recurrent_parameters": parameters,
            "reference_lines": {"accuracy": SEED_002}, "axis_labels": AXIS_LABELS}


# ---------------------------------------------------------------------------- the padding lesson
_PADDING = dataclasses.replace(_COMPARE, runs=("masked", "padded"), epochs=2)
PADDING_PROFILES = {
    "smoke": dataclasses.replace(_PADDING, train_size=256, dev_size=256, test_size=256, max_len=40,
                                 hidden_size=8, epochs=1),
    "laptop": _PADDING,
    "full": dataclasses.replace(_PADDING, hidden_size=128, epochs=5),
}


@torch.no_grad()
def accuracy(model, split, masked, batch_size=256) -> float:
    """Test accuracy of ``model`` on an ImdbSplit, with lengths (masked) or with every step pooled."""
    model.eval()
    correct = 0
    for start in range(0, len(split.labels), batch_size):
        rows = slice(start, start + batch_size)
        lengths = split.lengths[rows] if masked else None
        ids = split.ids[rows, :int(split.lengths[rows].max())] if masked else split.ids[rows]
        correct += int((model(ids, lengths).argmax(1) == split.labels[rows]).sum())
    return correct / len(split.labels)


@register("imdb-padding", "IMDB: pooling over padded steps vs masked pooling (the padding lesson)",
          PADDING_PROFILES)
def run_padding(config: ImdbConfig, ctx):
    data = load_data(config)
    extra = {"data": data_summary(data), "axis_labels": AXIS_LABELS,
             "padded_fraction_of_steps": 1 - float(data.train.lengths.float().mean())
             / data.train.ids.shape[1]}
    for run in config.runs:
        masked = run == "masked"
        model = make_model(config, data.embedding)
        trainer = ctx.fit(run, model, make_task(config, data, masked), train_config(config))
        if masked:  # the same trained model, evaluated with the padded steps pooled
            extra["masked_model_evaluated_unmasked"] = accuracy(trainer.model, data.test, False)
            extra["masked_model_evaluated_masked"] = accuracy(trainer.model, data.test, True)
    return extra
