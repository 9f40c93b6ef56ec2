"""Choosing on dev only: no public selection path can choose by a planted test curve.

Every test plants a validation curve whose best epoch is 2 and a test curve whose best epoch is
4, then asks each public selection path (the Trainer's monitor, early stopping and best.pt; the
NumPy ``fit`` and ``summarise``; a sweep's best point) to choose: each picks epoch 2 by
validation, or refuses a test metric with a ValueError.
"""

import numpy as np
import pytest
import torch

from course_lib.env.selection import best_index, check_selectable, direction, is_better
from course_lib.numpy_core.optim import SGD
from course_lib.numpy_core.train import fit, summarise
from course_lib.runs.sweep import best_rows, load_spec
from course_lib.training import TrainConfig, Trainer, load_checkpoint

VAL = [0.50, 0.90, 0.60, 0.70]  # best epoch: 2
TEST = [0.50, 0.60, 0.70, 0.95]  # best epoch: 4 (the one a test-chosen model would report)


def test_the_rule_maximises_accuracies_and_refuses_test_metrics():
    assert direction("val_accuracy") == direction("val_acc") == direction("val_f1") == "max"
    assert direction("val_loss") == direction("val_perplexity") == direction("val_bpc") == "min"
    assert best_index(VAL, "val_accuracy") == 1 and best_index([3.0, 2.0, 2.0], "val_loss") == 1
    assert best_index([float("nan"), 2.0], "val_loss") == 1 and best_index([], "val_loss") is None
    assert is_better(0.8, None, "val_accuracy") and not is_better(0.8, 0.9, "val_accuracy")
    for metric in ("test_accuracy", "test_loss", "ensemble_test_accuracy"):
        with pytest.raises(ValueError, match="test split"):
            check_selectable(metric)
        with pytest.raises(ValueError, match="test split"):
            best_index(TEST, metric)
    assert check_selectable("val_accuracy") == "val_accuracy"


class PlantedTask:
    """A Trainer task whose val and test accuracies follow VAL and TEST, epoch by epoch."""

    splits = ("train", "val", "test")

    def __init__(self):
        self.split, self.evaluations = "train", {"val": 0, "test": 0}

    def start(self, model, split):
        self.split = split
        return None

    def num_batches(self, split):
        return 1

    def batches(self, split, generator=None):
        yield torch.ones(2, 1)

    def step(self, model, batch, state):
        loss = model(batch).pow(2).mean()
        return loss, {"loss": (loss.detach() * 2, 2)}, state

    def metrics(self, totals):
        if self.split == "train":
            return {"loss": totals["loss"][0] / totals["loss"][1]}
        epoch = self.evaluations[self.split]
        self.evaluations[self.split] += 1
        curve = VAL if self.split == "val" else TEST
        return {"loss": 1 - curve[epoch], "accuracy": curve[epoch]}


def planted_trainer(tmp_path=None, **config):
    torch.manual_seed(0)
    config = TrainConfig(**{"epochs": 4, "lr": 0.01, "eval_test": True, **config})
    return Trainer(torch.nn.Linear(1, 1), PlantedTask(), config, device="cpu", progress=False,
                   checkpoint_dir=tmp_path)


def test_trainer_chooses_on_val_and_refuses_a_test_monitor(tmp_path):
    for monitor in ("test_accuracy", "test_loss"):
        with pytest.raises(ValueError, match="test split"):
            planted_trainer(monitor=monitor)  # refused before any training
    trainer = planted_trainer(tmp_path, monitor="val_accuracy")
    summary = trainer.fit()
    assert summary["history"]["test_accuracy"] == TEST  # kept for plots
    assert summary["best_epoch"] == 2 and summary["best"]["test_accuracy"] == TEST[1]
    assert load_checkpoint(tmp_path / "best.pt")["epoch"] == 2
    default = planted_trainer()
    assert default.monitor == "val_loss" and default.fit()["best_epoch"] == 2
    early = planted_trainer(monitor="val_accuracy", early_stopping=1).fit()
    assert early["stopped_early"] and early["epochs_run"] == 3  # val got worse; test did not


class ConstantModel:
    params = {"w": np.zeros(1)}

    def loss(self, x):
        return 0.0, {"w": np.zeros(1)}


def planted_evaluate():
    calls = []

    def evaluate(model):
        epoch = len(calls)
        calls.append(epoch)
        return {"val_loss": 1 - VAL[epoch], "val_accuracy": VAL[epoch],
                "test_loss": 1 - TEST[epoch], "test_accuracy": TEST[epoch]}

    return evaluate, calls


def numpy_fit(monitor, evaluate):
    model = ConstantModel()
    return fit(model, SGD(model.params, lr=0.1), lambda epoch: [(np.zeros((1, 1)),)], epochs=4,
               evaluate=evaluate, monitor=monitor, progress=False)


def test_numpy_fit_and_summarise_choose_on_val_and_refuse_a_test_monitor():
    evaluate, calls = planted_evaluate()
    with pytest.raises(ValueError, match="test split"):
        numpy_fit("test_accuracy", evaluate)
    assert calls == []  # refused before any epoch
    summary = numpy_fit("val_accuracy", evaluate)
    assert summary["best_epoch"] == 2 and summary["best"]["test_accuracy"] == TEST[1]
    history = summary["history"]
    assert summarise(history)["best_epoch"] == 2  # default: val_loss
    for monitor in ("test_accuracy", "test_loss"):
        with pytest.raises(ValueError, match="test split"):
            summarise(history, monitor)


def test_a_sweeps_best_point_is_chosen_on_val(tmp_path):
    rows = [{"hidden_size": h, "model": "lstm", "epoch": e + 1, "val_accuracy": v,
             "test_accuracy": t}
            for h, shift in ((8, 0.0), (16, -0.1))
            for e, (v, t) in enumerate(zip(VAL, TEST))
            for v, t in [(v + shift, t - shift)]]
    best = best_rows(rows, "val_accuracy")["lstm"]
    assert (best["hidden_size"], best["epoch"]) == (8, 2) and best["test_accuracy"] == TEST[1]
    with pytest.raises(ValueError, match="test split"):
        best_rows(rows, "test_accuracy")
    spec = tmp_path / "s.toml"
    spec.write_text('experiment = "adding"\nmonitor = "test_accuracy"\n[grid]\nhidden_size = [4]\n')
    with pytest.raises(ValueError, match="test split"):
        load_spec(spec)
