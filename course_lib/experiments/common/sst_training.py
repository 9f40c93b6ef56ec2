"""Training one row of an SST table: its configuration, its task, and its seeds.

Dimension letters: N sentences, T time steps, C classes.

The sequence-model experiments ``sst`` and ``sst-transfer`` train their rows the same way:
:func:`run_row` trains a :class:`~.sst_models.Recipe` once per seed on an :class:`SSTTask`,
reads each seed at its epoch of best **dev** accuracy, and keeps the test predictions, so the
row holds mean ± std, the seeds' ensemble (:func:`.seeds.seeds_summary`) and, for attention
models, the attention weights of a few test sentences (:func:`attention_examples`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import torch

from course_lib.experiments.common.seeds import seeds_summary
from course_lib.experiments.common.sst_models import Recipe, build_model, group_params
from course_lib.training import ClassificationTask, TrainConfig, load_checkpoint


@dataclass
class SSTConfig:
    """The ``sst`` experiment's configuration (``sst-transfer`` extends it)."""

    rows: tuple = ("phrases-glove", "sst2-phrases", "lstm-glove", "lstm-random",
                   "stacked-glove", "stacked-random", "seed_attention-glove",
                   "seed_attention-random", "attention-glove", "attention-random")
    seeds: int = 3  # seeds per row: seed, seed + 1, ...
    hidden_size: int = 150  # H per direction
    sentence_epochs: int = 10  # rows trained on sentences (the seeds' overfitting curve)
    phrase_rounds: int = 8  # rows trained on phrases: evaluations, each after ...
    phrase_fraction: float = 0.5  # ... this fraction of the phrases (a random subset per round)
    batch_size: int = 64
    lr: float = 1e-3  # Adam
    weight_decay: float = 1e-4
    dropout: float = 0.5
    train_size: int | None = None  # keep only the first N training trees (smoke)
    eval_size: int | None = None  # keep only the first N dev and test trees (smoke)
    examples: int = 12  # test sentences whose attention weights are stored (half right, half wrong)
    seed: int = 0


class SSTTask(ClassificationTask):
    """A :class:`ClassificationTask` with two extras for SST:

    - label smoothing: the target puts ``1 - s`` on the label and spreads ``s`` over all classes
      (softer targets for SST's noisy, neighbouring classes); evaluation uses the plain loss;
    - ``fraction``: an "epoch" of the Trainer trains on that fraction of the training batches (a
      fresh random subset each time), so the 159k phrases are evaluated twice per pass at 0.5.
    """

    def __init__(self, *args, label_smoothing=0.0, fraction=1.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_smoothing, self.fraction = label_smoothing, fraction

    def num_batches(self, split):
        n = super().num_batches(split)
        return math.ceil(n * self.fraction) if split == "train" else n

    def batch_indices(self, split, generator=None):
        batches = super().batch_indices(split, generator)  # shuffled: the first few are random
        return batches[:self.num_batches(split)] if split == "train" else batches

    def loss(self, outputs, targets):
        smooth = self.label_smoothing if torch.is_grad_enabled() else 0.0
        loss = torch.nn.functional.cross_entropy(outputs, targets, label_smoothing=smooth)
        return loss, {"accuracy": (outputs.argmax(1) == targets).sum()}


@torch.no_grad()
def predict(model, data, batch_size=500):
    """Class probabilities (N, C) and attention weights (list of (T_n,) or None) of ``data``."""
    ids, lengths, _ = data
    device = next(model.parameters()).device
    model.eval()
    probs, weights = [], []
    for start in range(0, len(ids), batch_size):
        n = lengths[start:start + batch_size]
        batch = ids[start:start + batch_size, :int(n.max())].to(device)
        logits, w = model(batch, n.to(device), return_weights=True)
        probs.append(torch.softmax(logits, 1).cpu())
        weights += [None if w is None else w[i, :n[i]].tolist() for i in range(len(n))]
    return torch.cat(probs).numpy(), weights


def run_row(name: str, recipe: Recipe, config: SSTConfig, ctx, data, glove,
            start_from=None) -> dict:
    """Train ``recipe`` with ``config.seeds`` seeds; summary of the test accuracy at best dev.

    ``data``: (train, dev, test, vocab), the splits as :func:`.sst_data.encode` gives them.
    ``start_from``: None, or a function seed -> state dict loaded into each seed's model before
    training (a pre-trained encoder, :mod:`.imdb_pretraining`); parameters it lacks keep their
    fresh values."""
    train, dev, test, vocab = data
    pretrained = None
    if recipe.embedding == "glove":
        from course_lib.data import embedding_matrix

        pretrained = embedding_matrix(vocab, glove, seed=config.seed)[0]
    epochs = config.phrase_rounds if recipe.phrases else config.sentence_epochs
    task = SSTTask(train, dev, test, batch_size=config.batch_size, eval_batch_size=500,
                   bucket=True, label_smoothing=recipe.label_smoothing,
                   fraction=config.phrase_fraction if recipe.phrases else 1.0)
    schedule = {} if recipe.halve_after is None else {"schedule": "halve",
                                                       "halve_after": recipe.halve_after}
    accuracies, dev_accuracies, predictions, probabilities, best_epochs = [], [], [], [], []
    for k in range(config.seeds):
        seed = config.seed + k
        torch.manual_seed(seed)
        model = build_model(recipe, len(vocab), pretrained, config)
        if start_from is not None:
            model.load_state_dict(start_from(seed), strict=False)
        train_config = TrainConfig(epochs=epochs, lr=config.lr, weight_decay=config.weight_decay,
                                   clip_norm=5.0, monitor="val_accuracy", eval_test=True, seed=seed,
                                   **schedule)
        trainer = ctx.fit(f"{name}/seed{seed}", model, task, train_config,
                          param_groups=group_params(model, recipe))
        summary = ctx.summaries[f"{name}/seed{seed}"]
        best = summary["best"]
        accuracies.append(best["test_accuracy"])
        dev_accuracies.append(best["val_accuracy"])
        best_epochs.append(summary["best_epoch"])
        model.load_state_dict(load_checkpoint(trainer.checkpoint_dir / "best.pt")["model"])
        probs, weights = predict(model, test)
        probabilities.append(probs)
        predictions.append(probs.argmax(1).tolist())
    row = {"recipe": dataclasses.asdict(recipe), "epochs": epochs, "seeds": config.seeds,
           "test_accuracy": accuracies, "val_accuracy": dev_accuracies, "best_epoch": best_epochs,
           **seeds_summary(accuracies, probabilities, test[2]),
           "test_predictions": predictions,
           "wall_time_s": sum(ctx.summaries[f"{name}/seed{config.seed + k}"]["wall_time_s"]
                              for k in range(config.seeds))}
    if weights[0] is not None:
        row["examples"] = attention_examples(weights, predictions[-1], test, vocab,
                                             config.examples)
    return row


def attention_examples(weights, predicted, test, vocab, count):
    """Up to ``count`` short test sentences with their attention weights: half right, half wrong."""
    ids, lengths, labels = test
    right, wrong = [], []
    for i in np.argsort(lengths.numpy(), kind="stable"):
        if lengths[i] < 6 or len(right) + len(wrong) >= count:
            continue
        item = {"tokens": vocab.decode(ids[i, :lengths[i]]), "weights": weights[i],
                "label": int(labels[i]), "predicted": int(predicted[i])}
        bucket = right if item["label"] == item["predicted"] else wrong
        if len(bucket) < count // 2:
            bucket.append(item)
    return right + wrong
