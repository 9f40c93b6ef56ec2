"""The SST experiment's pieces: recipes, the max+attention model, the task's rounds, the data."""

import os

import numpy as np
import pytest
import torch

from course_lib.experiments.common.sst_data import build_vocab, clean, load_split
from course_lib.experiments.common.sst_models import RECIPES, build_model, group_params
from course_lib.experiments.common.sst_training import SSTConfig, SSTTask
from tests.conftest import requires_ci_or_skip


def test_every_row_builds_and_ignores_padding():
    config = SSTConfig(hidden_size=6)
    ids = torch.tensor([[5, 6, 7, 0], [8, 9, 0, 0]])
    lengths = torch.tensor([3, 2])
    for name, recipe in RECIPES.items():
        torch.manual_seed(0)
        model = build_model(recipe, 12, np.random.default_rng(0).normal(size=(12, 50)), config).eval()
        logits, weights = model(ids, lengths, return_weights=True)
        assert logits.shape == (2, 5 if recipe.labels == "fine" else 2), name
        other = ids.clone()
        other[1, 2:] = 4  # other tokens on the padded steps: the same answer
        assert torch.allclose(model(other, lengths), logits, atol=1e-6), name
        if "attention" in recipe.pooling:
            assert torch.allclose(weights.sum(1), torch.ones(2)) and weights[1, 2:].eq(0).all()


def test_embedding_group_gets_the_scaled_learning_rate():
    recipe = RECIPES["phrases-glove"]
    model = build_model(recipe, 12, np.zeros((12, 50)), SSTConfig(hidden_size=4))
    groups = group_params(model, recipe)
    assert groups[1]["params"] == [model.embedding.weight] and groups[1]["lr_scale"] == 1.0
    assert groups[1]["weight_decay"] == 0.0
    assert sum(len(g["params"]) for g in groups) == len(list(model.parameters()))


def test_task_trains_on_a_fraction_and_smooths_only_the_training_loss():
    n = 100
    data = (torch.randint(2, 9, (n, 4)), torch.full((n,), 4), torch.randint(0, 5, (n,)))
    task = SSTTask(data, data, batch_size=10, bucket=True, label_smoothing=0.2, fraction=0.5)
    g = torch.Generator().manual_seed(0)
    batches = list(task.batches("train", g))
    assert task.num_batches("train") == len(batches) == 5 and task.num_batches("val") == 10
    seen = torch.cat([b[2] for b in batches])
    assert len(seen) == 50
    logits, targets = torch.randn(6, 5), torch.randint(0, 5, (6,))
    smoothed, _ = task.loss(logits, targets)
    with torch.no_grad():
        plain, _ = task.loss(logits, targets)
    assert torch.isclose(plain, torch.nn.functional.cross_entropy(logits, targets))
    assert not torch.isclose(smoothed, plain)


def test_vocab_puts_training_words_first_then_glove_words_of_other_splits():
    vocab = build_vocab([["good", "film"], ["good"]], [[["great", "film", "zzqx"]]],
                        ["good", "great", "film"])
    assert vocab.itos[2:] == ["good", "film", "great"] and "zzqx" not in vocab
    assert clean(["-LRB-", "Good", "-RRB-"]) == ["(", "good", ")"]


@pytest.mark.realdata
def test_phrases_of_the_training_trees():
    requires_ci_or_skip(bool(os.environ.get("LSTM_COURSE_DATA")), "LSTM_COURSE_DATA is not set")
    texts, labels = load_split("train", "fine", phrases=True)
    assert len(texts) == 159_274 and labels.shape == (159_274,)
    sentences, _ = load_split("test", "binary")
    assert len(sentences) == 1_821


def test_report_helpers_on_a_fake_record():
    from course_lib.experiments.common.sst_results import describe, epoch_curves, results_table
    from course_lib.numpy_core.metrics import confusion_matrix

    recipe = dict(RECIPES["phrases-glove"].__dict__)
    assert describe(recipe).startswith("BiLSTM, max + additive attention, GloVe-50, lr halved")
    record = {"extra": {"rows": {"phrases-glove": {
        "recipe": recipe, "train_examples": 10, "test_mean": 0.5, "test_std": 0.01, "seeds": 2,
        "best_epoch": [3, 4], "wall_time_s": 120.0}}, "seed_rows": {"seed": 0.473},
        "references": {"paper": 0.51}},
        "history": {"phrases-glove/seed0": {"epoch": [1, 2], "test_accuracy": [0.4, 0.5]},
                    "phrases-glove/seed1": {"epoch": [1, 2], "test_accuracy": [0.3, 0.6]}}}
    rows = results_table(record)
    assert rows[0]["test accuracy (%)"] == "50.00 ± 1.00" and rows[0]["wall time"] == "2.0 min"
    assert [r["row"] for r in rows[1:]] == ["seed", "paper"]
    epochs, acc = epoch_curves(record, "phrases-glove")
    assert epochs.tolist() == [1, 2] and acc.shape == (2, 2)
    assert confusion_matrix([[0, 1], [1, 1]], [0, 1], 2).tolist() == [[1, 1], [0, 2]]
