"""numpy_core.train: the NumPy training loop learns, evaluates every epoch and resumes exactly."""

import numpy as np
import pytest

from course_lib.data import minibatches
from course_lib.numpy_core import SGD, Adam, SequenceClassifier
from course_lib.numpy_core.train import evaluate_classifier, fit


def toy_data(n=96, T=5, D=3, seed=0):
    """Class = sign of the first feature at the first step: learnable in a few epochs."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, T, D)).astype(np.float32)
    return x, (x[:, 0, 0] > 0).astype(np.int64)


def run(epochs, optimizer_cls, checkpoint=None, resume=False):
    x, y = toy_data()
    model = SequenceClassifier(3, 8, 2, seed=0)
    optimizer = optimizer_cls(model.params, lr=0.05) if optimizer_cls is Adam else \
        optimizer_cls(model.params, lr=1.0, decay=0.2)
    summary = fit(model, optimizer, lambda e: minibatches(x, y, batch_size=16, seed=e),
                  epochs=epochs, clip_norm=5.0, progress=False, checkpoint=checkpoint, resume=resume,
                  evaluate=lambda m: {f"train_{k}": v for k, v in evaluate_classifier(
                      m, x, y, batch_size=40).items()})
    return model, summary


def test_fit_learns_and_records_every_epoch():
    model, summary = run(6, Adam)
    h = summary["history"]
    assert h["epoch"] == [1, 2, 3, 4, 5, 6] and len(h["train_accuracy"]) == 6
    assert h["train_loss"][-1] < 0.5 * h["train_loss"][0]
    assert summary["final"]["train_accuracy"] > 0.9 and summary["wall_time_s"] > 0
    assert summary["monitor"] == "train_loss" and summary["best_epoch"] is not None


def test_sgd_schedule_is_recorded():
    _, summary = run(3, SGD)
    assert summary["history"]["lr"] == pytest.approx([1.0, 1 / 1.2, 1 / 1.4])


def test_evaluate_classifier_matches_the_model_loss():
    x, y = toy_data()
    model = SequenceClassifier(3, 8, 2, seed=1)
    metrics = evaluate_classifier(model, x, y, batch_size=7)  # uneven last batch
    loss, _ = model.loss(x, y, train=False)
    assert metrics["loss"] == pytest.approx(loss, rel=1e-5)
    assert metrics["accuracy"] == pytest.approx(np.mean(model.predict(x) == y))


@pytest.mark.parametrize("optimizer_cls", [SGD, Adam])
def test_resume_continues_to_identical_results(tmp_path, optimizer_cls):
    straight, summary = run(4, optimizer_cls)
    path = tmp_path / "ckpt.npz"
    run(2, optimizer_cls, checkpoint=path)
    resumed, again = run(4, optimizer_cls, checkpoint=path, resume=True)
    assert again["history"]["train_loss"] == pytest.approx(summary["history"]["train_loss"])
    for name, p in straight.params.items():
        np.testing.assert_allclose(resumed.params[name], p, rtol=1e-6)


def test_lr_schedule_sets_the_adam_learning_rate_per_epoch():
    x, y = toy_data()
    model = SequenceClassifier(3, 8, 2, seed=0)
    summary = fit(model, Adam(model.params), lambda e: minibatches(x, y, batch_size=32, seed=e),
                  epochs=3, lr_schedule=lambda e: 0.01 * 0.5**e, progress=False)
    assert summary["history"]["lr"] == pytest.approx([0.01, 0.005, 0.0025])
