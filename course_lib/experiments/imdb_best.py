"""IMDB, our best: a bidirectional LSTM over long reviews, and a small ensemble of them.

Each member: GloVe-50 embedding, fine-tuned -> BiLSTM -> masked max-pooling over time -> linear,
trained with Adam on length-bucketed batches of 22,500 training reviews (first ``max_len``
tokens); the other 2,500 are the dev split. Members differ only in their seed. Dev (and test,
unless ``score_test`` is off) is scored after every epoch and the class probabilities kept
(:class:`ProbabilityTask`), so that the results can say what each step bought: one member, the
average of the members (an ensemble), and the average of each member's last ``snapshots`` epochs
as well (a snapshot ensemble, free: no extra training).

Choices are made on dev only: the epoch at which the members' ensemble is read is the one whose
dev accuracy is best (``chosen_epoch``), and the headline figure is the test accuracy of the
ensemble at that epoch (``test_ensemble_accuracy_at_chosen_epoch``, with its standard error).
The test curves are kept for the plots; no choice reads them. ``--set score_test=false`` runs
the same recipe without ever putting the test reviews into the task, for trying recipes.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from course_lib.env.selection import best_index
from course_lib.experiments.common.imdb_data import data_summary, load_data
from course_lib.experiments.common.imdb_recipe import (
    AXIS_LABELS,
    SEED_002,
    ImdbConfig,
    make_model,
    train_config,
)
from course_lib.runs.registry import register
from course_lib.training import ClassificationTask, load_checkpoint

TARGET = 0.90
REFERENCES = {"Maas et al. 2011": 0.8889, "seed 002 best (LSTM)": SEED_002["seed 002 LSTM, best of grid"]}


class ProbabilityTask(ClassificationTask):
    """A ClassificationTask that keeps P(positive) for every dev and test review at each evaluation.

    ``probabilities[split]``: one float array (N_split,) per evaluation of ``split`` ("val" or
    "test"), rows in the split's order; also written to ``save_to[split]`` (an ``.npy`` file of
    shape (epochs, N_split)) after each evaluation, so that a resumed run still has every epoch.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.probabilities: dict[str, list[np.ndarray]] = {"val": [], "test": []}
        self.save_to: dict = {}
        self._split, self._index, self._parts = None, None, None

    def batch_indices(self, split, generator=None):
        batches = super().batch_indices(split, generator)
        recording = split in self.probabilities and generator is None  # an evaluation pass
        self._split = split if recording else None
        self._index = torch.cat(batches) if recording else None
        self._parts = [] if recording else None
        return batches

    def loss(self, outputs, targets):
        if self._parts is not None and not torch.is_grad_enabled():
            self._parts.append(torch.softmax(outputs.float(), 1)[:, 1].cpu())  # (N,)
        return super().loss(outputs, targets)

    def metrics(self, totals):
        if self._parts is not None and len(self._parts):
            probabilities = np.empty(len(self._index), np.float32)
            probabilities[self._index.numpy()] = torch.cat(self._parts).numpy()
            kept = self.probabilities[self._split]
            kept.append(probabilities)
            path = self.save_to.get(self._split)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, np.stack(kept))
            self._split, self._index, self._parts = None, None, None
        return super().metrics(totals)


def earlier_probabilities(ctx, run, path) -> list[np.ndarray]:
    """On ``--resume``: the saved probabilities of the epochs the run's checkpoint has completed."""
    checkpoint = ctx.checkpoint_dir / run / "last.pt"
    if not (ctx.resume and checkpoint.exists() and path.exists()):
        return []
    done = load_checkpoint(checkpoint)["epoch"]
    return list(np.load(path)[:done])


def ensemble_accuracy(probabilities, labels) -> float:
    """Accuracy of the average of a list of (N,) P(positive) arrays."""
    mean = np.mean(probabilities, axis=0)
    return float(((mean > 0.5) == (labels == 1)).mean())


def confidently_wrong(probabilities, labels, index, k=10) -> list[dict]:
    """The ``k`` test reviews the model got wrong with the most confidence.

    ``index`` maps rows to positions in ``load_imdb("test")`` (where the texts are).
    """
    wrong = np.flatnonzero((probabilities > 0.5) != (labels == 1))
    worst = wrong[np.argsort(-np.abs(probabilities[wrong] - 0.5))][:k]
    return [{"test_index": int(index[i]), "label": int(labels[i]),
             "p_positive": float(probabilities[i])} for i in worst]


def accuracy_by_length(probabilities, labels, lengths, edges=(0, 100, 200, 400, 800, 10**6)):
    """Accuracy per band of review length (tokens before the cut): a list of rows."""
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        band = (lengths >= lo) & (lengths < hi)
        if band.any():
            correct = (probabilities[band] > 0.5) == (labels[band] == 1)
            rows.append({"tokens": f"{lo}-{hi - 1}" if hi < 10**6 else f">={lo}",
                         "reviews": int(band.sum()), "accuracy": float(correct.mean())})
    return rows


# Three epochs at Adam's lr 1e-3, then halved every epoch, dropout 0.2, four epochs: the point
# and epoch count the sweep `imdb_best_dev` chose on the dev split (course_lib/runs/sweeps/).
_BEST = ImdbConfig(runs=("member1", "member2", "member3"), max_len=800, hidden_size=128,
                   bidirectional=True, pooling="max", dropout=0.2, init="torch", optimizer="adam",
                   lr=1e-3, decay=0.0, halve_after=3, batch_size=64, epochs=4, seed=0)
BEST_PROFILES = {
    "smoke": dataclasses.replace(_BEST, train_size=256, dev_size=256, test_size=256, max_len=40,
                                 hidden_size=8, epochs=2),
    "laptop": _BEST,
    "full": dataclasses.replace(_BEST, max_len=None, hidden_size=256, epochs=6),
}
SNAPSHOTS = 2  # the last epochs of each member averaged in the snapshot ensemble


def standard_error(accuracy, n) -> float:
    """Standard error of an accuracy measured on ``n`` independent examples: sqrt(p (1 - p) / n)."""
    return float(np.sqrt(accuracy * (1 - accuracy) / n))


def ensemble_report(per_epoch, labels, prefix="") -> dict:
    """What the members' P(positive) arrays give on one split (test; dev with ``prefix="dev_"``):
    each member after its last epoch, their average (the ensemble) after every epoch and after
    the last, and the snapshot ensemble of each member's last ``SNAPSHOTS`` epochs."""
    finals = [p[-1] for p in per_epoch.values()]
    snapshots = [q for p in per_epoch.values() for q in p[-SNAPSHOTS:]]
    epochs = min(len(p) for p in per_epoch.values())
    return {
        f"{prefix}members": {run: ensemble_accuracy(p[-1:], labels)
                             for run, p in per_epoch.items()},
        f"{prefix}ensemble_accuracy": ensemble_accuracy(finals, labels),
        f"{prefix}ensemble_accuracy_per_epoch": [
            ensemble_accuracy([p[e] for p in per_epoch.values()], labels) for e in range(epochs)],
        f"{prefix}snapshot_ensemble_accuracy": ensemble_accuracy(snapshots, labels),
    }


@register("imdb-best", "IMDB: our best, BiLSTM + GloVe over long reviews, an ensemble of three",
          BEST_PROFILES)
def run_best(config: ImdbConfig, ctx):
    data = load_data(config)
    test = data.test.as_task_split() if config.score_test else None
    task = ProbabilityTask(data.train.as_task_split(), data.dev.as_task_split(), test,
                           batch_size=config.batch_size, eval_batch_size=256, bucket=True)
    per_epoch = {"val": {}, "test": {}}
    for k, run in enumerate(config.runs):
        for split in task.probabilities:
            task.save_to[split] = ctx.checkpoint_dir / run / f"{split}_probabilities.npy"
            task.probabilities[split] = earlier_probabilities(ctx, run, task.save_to[split])
        model = make_model(config, data.embedding, seed=config.seed + k)
        ctx.fit(run, model, task, train_config(config, seed=config.seed + k))
        for split, kept in task.probabilities.items():
            if kept:
                per_epoch[split][run] = kept  # one (N,) array per epoch
    extra = {"data": data_summary(data), "target": TARGET, "axis_labels": AXIS_LABELS,
             "snapshots_per_member": SNAPSHOTS,
             "reference_lines": {"accuracy": {"target 90 %": TARGET, **REFERENCES}}}
    if not per_epoch["val"]:
        return extra
    extra.update(ensemble_report(per_epoch["val"], data.dev.labels.numpy(), "dev_"))
    # the epoch whose ensemble is best on dev (the first on ties); test is read at that epoch only
    chosen = best_index(extra["dev_ensemble_accuracy_per_epoch"], "val_accuracy")
    extra["chosen_epoch"] = chosen + 1
    extra["dev_ensemble_accuracy_at_chosen_epoch"] = \
        extra["dev_ensemble_accuracy_per_epoch"][chosen]
    if per_epoch["test"]:
        labels = data.test.labels.numpy()
        extra.update(ensemble_report(per_epoch["test"], labels))
        ensemble = np.mean([p[chosen] for p in per_epoch["test"].values()], axis=0)
        accuracy = float(((ensemble > 0.5) == (labels == 1)).mean())
        extra.update({
            "test_ensemble_accuracy_at_chosen_epoch": accuracy,
            "test_standard_error": standard_error(accuracy, len(labels)),
            "reached_target": accuracy >= TARGET,
            "margin_in_standard_errors":
                (accuracy - TARGET) / standard_error(accuracy, len(labels)),
            "confidently_wrong": confidently_wrong(ensemble, labels, data.test.index),
            "accuracy_by_length": accuracy_by_length(ensemble, labels, data.test.full_lengths),
        })
    return extra
