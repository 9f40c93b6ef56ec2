"""IMDB's dev split: fixed, stratified, seeded, disjoint from what the models train on."""

import numpy as np
import pytest

from course_lib.data import registry
from course_lib.data.fetch import find
from course_lib.data.imdb import DEV_SIZE, dev_split
from tests.conftest import requires_ci_or_skip


def test_dev_split_is_stratified_disjoint_and_fixed():
    labels = np.array([1] * 300 + [0] * 700)
    train, dev = dev_split(labels, size=100)
    assert len(dev) == 100 and len(train) == 900
    assert np.intersect1d(train, dev).size == 0
    assert np.array_equal(np.sort(np.concatenate([train, dev])), np.arange(1000))
    assert labels[dev].sum() == 30  # the classes' proportions: 30 % positive
    again_train, again_dev = dev_split(labels, size=100)
    assert np.array_equal(dev, again_dev) and np.array_equal(train, again_train)
    assert not np.array_equal(dev, dev_split(labels, size=100, seed=1)[1])


def test_dev_split_rejects_impossible_sizes():
    with pytest.raises(ValueError, match="dev size"):
        dev_split(np.zeros(10), size=10)


@pytest.mark.realdata
def test_real_imdb_dev_split_holds_out_ten_percent():
    missing = [name for name in registry.DATASETS["imdb"]["files"] if find(name) is None]
    requires_ci_or_skip(not missing, "real imdb data not found (set LSTM_COURSE_DATA)")
    from course_lib.data import load_imdb

    _, labels = load_imdb("train")
    train, dev = dev_split(labels)
    assert len(dev) == DEV_SIZE == 2_500 and len(train) == 22_500
    assert labels[dev].sum() == 1_250  # IMDB's training reviews are balanced


@pytest.mark.realdata
def test_experiments_train_beside_dev_and_tuning_runs_never_see_test(tmp_path):
    missing = [name for name in registry.DATASETS["imdb"]["files"] if find(name) is None]
    requires_ci_or_skip(not missing, "real imdb data not found (set LSTM_COURSE_DATA)")
    from course_lib.experiments.common.imdb_data import prepare_imdb
    from course_lib.runs.runner import run_experiment

    data = prepare_imdb(train_size=300, dev_size=200, test_size=100, max_len=20, glove=False)
    _, labels = load_imdb_labels()
    pool, dev = dev_split(labels)
    assert set(data.dev.index) <= set(dev) and set(data.train.index) <= set(pool)
    assert len(data.dev.labels) == 200 and len(data.train.labels) == 300

    record = run_experiment("imdb-best", profile="smoke", overrides={"score_test": "false"},
                            results_dir=tmp_path, checkpoint_root=tmp_path / "ck", progress=False,
                            plots=False)
    keys = {key for history in record["history"].values() for key in history}
    assert "val_accuracy" in keys and not any(key.startswith("test_") for key in keys)
    assert "dev_ensemble_accuracy" in record["extra"] and "ensemble_accuracy" not in record["extra"]


def load_imdb_labels():
    from course_lib.data import load_imdb_tokens

    return load_imdb_tokens("train")
