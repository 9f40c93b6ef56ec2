"""Trainer: deterministic, resumes to identical metrics (also after Ctrl-C), stops on NaN."""

import os
import signal

import pytest
import torch

from course_lib.torch_models import LanguageModel, SequenceClassifier
from course_lib.training import (
    ClassificationTask,
    LanguageModelTask,
    NonFiniteLossError,
    TrainConfig,
    Trainer,
    load_checkpoint,
)


def classification_task():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(160, 9, 3, generator=g)
    lengths = torch.randint(1, 10, (160,), generator=g)
    y = (x[:, 0, 0] > 0).long()
    return ClassificationTask((x[:96], lengths[:96], y[:96]), (x[96:128], lengths[96:128], y[96:128]),
                              (x[128:], lengths[128:], y[128:]), batch_size=16, bucket=True)


def classifier_run(tmp_path=None, epochs=2, resume=False, task=None, **config):
    torch.manual_seed(1)
    model = SequenceClassifier(2, input_size=3, hidden_size=6, dropout=0.3, bidirectional=True)
    config = TrainConfig(**{"epochs": epochs, "lr": 0.01, "eval_test": True, **config})
    trainer = Trainer(model, task or classification_task(), config, device="cpu", progress=False,
                      checkpoint_dir=tmp_path)
    return trainer, trainer.fit(resume=resume)


def lm_run(tmp_path, epochs=2, resume=False, task_class=LanguageModelTask):
    torch.manual_seed(2)
    ids = torch.randint(0, 30, (900,), generator=torch.Generator().manual_seed(3))
    model = LanguageModel(30, 8, 8, num_layers=2, dropout=0.2)
    task = task_class(ids[:600], ids[600:750], ids[750:], batch_size=4, bptt=7)
    config = TrainConfig(epochs=epochs, optimizer="sgd", lr=1.0, schedule="halve", halve_after=1)
    return Trainer(model, task, config, device="cpu", progress=False, checkpoint_dir=tmp_path).fit(resume)


def metrics(summary):
    return {k: v for k, v in summary["history"].items() if k != "time_s"}


def test_same_seed_same_metrics():
    assert metrics(classifier_run()[1]) == metrics(classifier_run()[1])


def test_resume_after_one_epoch_gives_identical_metrics(tmp_path):
    straight = classifier_run(tmp_path / "a", epochs=2)[1]
    classifier_run(tmp_path / "b", epochs=1)
    resumed = classifier_run(tmp_path / "b", epochs=2, resume=True)[1]
    assert metrics(resumed) == metrics(straight)
    assert resumed["epochs_run"] == 2 and len(resumed["history"]["val_accuracy"]) == 2


def test_language_model_resume_identical(tmp_path):
    straight = lm_run(tmp_path / "a")
    lm_run(tmp_path / "b", epochs=1)
    assert metrics(lm_run(tmp_path / "b", resume=True)) == metrics(straight)
    assert straight["history"]["lr"] == [1.0, 0.5]


class CtrlCAt(LanguageModelTask):
    """Sends SIGINT to this process at one training step, as Ctrl-C would."""

    def __init__(self, *args, at=5, **kwargs):
        super().__init__(*args, **kwargs)
        self.at, self.count = at, 0

    def step(self, model, batch, state):
        self.count += model.training
        if model.training and self.count == self.at:
            os.kill(os.getpid(), signal.SIGINT)
        return super().step(model, batch, state)


def test_ctrl_c_mid_epoch_saves_and_resumes_identically(tmp_path):
    straight = lm_run(tmp_path / "a")
    with pytest.raises(KeyboardInterrupt, match="checkpoint saved"):
        lm_run(tmp_path / "b", task_class=lambda *a, **k: CtrlCAt(*a, at=25, **k))
    ckpt = load_checkpoint(tmp_path / "b" / "last.pt")
    assert ckpt["epoch"] == 1 and ckpt["partial"]["step"] == 25 - 22  # 22 windows per epoch
    assert metrics(lm_run(tmp_path / "b", resume=True)) == metrics(straight)


class NaNAt(ClassificationTask):
    def __init__(self, *args, epoch_step=(2, 3), **kwargs):
        super().__init__(*args, **kwargs)
        self.calls, self.when = 0, epoch_step

    def step(self, model, batch, state):
        loss, totals, state = super().step(model, batch, state)
        if model.training:
            self.calls += 1
            if self.calls == (self.when[0] - 1) * self.num_batches("train") + self.when[1]:
                loss = loss * float("nan")
        return loss, totals, state


def test_nan_loss_names_epoch_and_step_and_keeps_last_good_checkpoint(tmp_path):
    base = classification_task()
    task = NaNAt(*(tuple(base.data[s].values()) for s in base.splits), batch_size=16)
    with pytest.raises(NonFiniteLossError, match=r"epoch 2, step 3.*after epoch 1"):
        classifier_run(tmp_path, epochs=3, task=task)
    ckpt = load_checkpoint(tmp_path / "last.pt")
    assert ckpt["epoch"] == 1 and all(torch.isfinite(v).all() for v in ckpt["model"].values())


def test_early_stopping_and_best_epoch(tmp_path):
    trainer, summary = classifier_run(tmp_path, epochs=6, lr=0.0, early_stopping=2,
                                      monitor="val_accuracy")
    assert summary["stopped_early"] and summary["epochs_run"] == 3 and summary["best_epoch"] == 1
    assert trainer.mode == "max" and (tmp_path / "best.pt").exists()
    # A finished run resumed does nothing and reports the same.
    assert classifier_run(tmp_path, epochs=6, resume=True, lr=0.0, early_stopping=2,
                          monitor="val_accuracy")[1]["history"] == summary["history"]


def test_plateau_schedule_lowers_the_rate():
    _, summary = classifier_run(epochs=3, lr=0.0, schedule="plateau", lr_factor=0.5)
    assert summary["history"]["lr"] == [0.0, 0.0, 0.0]  # lr 0 stays 0; the schedule ran
    _, summary = classifier_run(epochs=3, lr=1e-3, optimizer="sgd", schedule="plateau",
                                lr_factor=0.1, monitor="val_accuracy")
    assert summary["history"]["lr"][0] == 1e-3
