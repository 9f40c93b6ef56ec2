"""The MNIST-rows experiments: prediction reports, splits, and smoke runs end to end."""

import numpy as np
import pytest

from course_lib.data import registry
from course_lib.data.fetch import find
from course_lib.experiments.mnist import mnist_splits, prediction_report
from course_lib.runs.runner import run_experiment
from tests.conftest import requires_ci_or_skip


def _need_mnist():
    missing = [name for name in registry.DATASETS["mnist"]["files"] if find(name) is None]
    requires_ci_or_skip(not missing, "real MNIST data not found (set LSTM_COURSE_DATA)")


def test_prediction_report_counts_and_orders_mistakes():
    probabilities = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.3, 0.6],
                              [0.05, 0.9, 0.05]])
    labels = np.array([0, 1, 1, 2, 2])
    report = prediction_report(probabilities, labels)
    assert report["confusion"] == [[1, 0, 0], [1, 1, 0], [0, 1, 1]]
    assert report["errors"] == 2
    assert [e["index"] for e in report["misclassified"]] == [4, 2]  # most confident first
    assert report["misclassified"][0] == {"index": 4, "label": 2, "predicted": 1, "confidence": 0.9}


@pytest.mark.realdata
def test_splits_do_not_overlap():
    _need_mnist()
    (x, y), (xv, yv), (xt, yt) = mnist_splits(100, 50, 20)
    assert x.shape == (100, 28, 28) and xv.shape == (50, 28, 28) and xt.shape == (20, 28, 28)
    assert not any(np.array_equal(a, b) for a in xv[:5] for b in x)
    with pytest.raises(ValueError, match="60000"):
        mnist_splits(60_000, 1, 10)


@pytest.mark.realdata
@pytest.mark.parametrize("name, run", [("mnist-numpy-seed", "numpy"), ("mnist-numpy", "numpy"),
                                       ("mnist-torch", "torch")])
def test_smoke_runs_record_curves_and_mistakes(tmp_path, name, run):
    _need_mnist()
    record = run_experiment(name, profile="smoke", progress=False, results_dir=tmp_path,
                            checkpoint_root=tmp_path / "ckpt")
    history = record["history"][run]
    assert len(history["test_accuracy"]) == record["config"]["epochs"] == 2
    report = record["extra"][run]
    assert np.sum(report["confusion"]) == record["config"]["test_size"]
    assert report["errors"] == record["config"]["test_size"] - np.trace(report["confusion"])
    assert (tmp_path / f"{name}-smoke-accuracy.png").exists()
    if name == "mnist-numpy-seed":
        assert history["lr"] == pytest.approx([1.0, 1 / 1.2])
