"""The sst-tree experiment: whole-tree batches, root and node metrics, the pre-trained leaves."""

import json
import os

import numpy as np
import pytest
import torch

from course_lib.data.sst import parse_tree
from course_lib.experiments.common.imdb_pretraining import RECIPE, TransferConfig, encoder_state
from course_lib.experiments.common.sst_models import build_model
from course_lib.experiments.sst_tree import TreeTask
from course_lib.torch_models.tree_lstm import TreeLSTMClassifier, flatten_tree
from tests.conftest import requires_ci_or_skip

LINES = ["(3 (2 It) (4 (2 's) (4 good)))", "(4 Wonderful)", "(1 (2 not) (1 (2 a) (1 film)))",
         "(0 (0 bad) (2 .))", "(2 (2 (2 the) (2 plot)) (2 moves))"]


def trees():
    ids = {}
    return [flatten_tree(parse_tree(line), lambda w: ids.setdefault(w, len(ids) + 1))
            for line in LINES]


def test_training_batches_hold_every_tree_once_in_a_seeded_order():
    task = TreeTask({"train": trees(), "val": trees()}, batch_size=2, eval_batch_size=3)
    assert task.splits == ("train", "val") and task.num_batches("train") == 3

    def roots(split, seed=None):
        generator = None if seed is None else torch.Generator().manual_seed(seed)
        return [b["labels"][b["roots"]].tolist() for b in task.batches(split, generator)]

    shuffled = roots("train", 0)
    assert sorted(sum(shuffled, [])) == sorted([3, 4, 1, 0, 2])
    assert shuffled == roots("train", 0)
    assert roots("val") == [[3, 4, 1], [0, 2]]  # evaluation: in order


def test_step_counts_roots_for_accuracy_and_every_node_for_the_loss():
    task = TreeTask({"train": trees()}, batch_size=5)
    batch = next(task.batches("train"))

    class Always(torch.nn.Module):  # predicts class 2 everywhere
        def forward(self, words, lengths, left, right, level_sizes):
            return torch.nn.functional.one_hot(torch.full((len(batch["labels"]),), 2), 5).float()

    loss, totals, _ = task.step(Always(), batch, None)
    metrics = task.metrics(totals)
    assert metrics["accuracy"] == pytest.approx(1 / 5)  # one neutral root of five
    labels = batch["labels"]
    assert totals["loss"][1] == len(labels) == sum(2 * n - 1 for n in (3, 1, 3, 2, 3))
    assert metrics["node_accuracy"] == pytest.approx(float((labels == 2).float().mean()))
    assert loss.item() == pytest.approx(torch.nn.functional.cross_entropy(
        Always()(*[None] * 5), labels).item())


def test_the_pretrained_encoder_loads_into_the_bilstm_leaves():
    config = TransferConfig(hidden_size=4)
    embedding = np.random.default_rng(0).normal(size=(10, 50))
    pretrained = build_model(RECIPE, 10, embedding, config)
    state = encoder_state(pretrained)
    tree_model = TreeLSTMClassifier(5, pretrained=np.zeros((10, 50)), leaf_encoder="bilstm",
                                    encoder_size=4, hidden_size=6)
    result = tree_model.load_state_dict(state, strict=False)
    assert not [k for k in result.missing_keys if k.startswith(("embedding.", "encoder."))]
    for name, value in tree_model.state_dict().items():
        if name.startswith(("embedding.", "encoder.")):
            assert torch.equal(value, state[name]), name


@pytest.mark.realdata
def test_smoke_run_on_the_real_trees(tmp_path):
    requires_ci_or_skip(bool(os.environ.get("LSTM_COURSE_DATA")), "LSTM_COURSE_DATA is not set")
    from course_lib.tools.cli import main as lstm_course

    lstm_course(["run", "sst-tree", "--profile", "smoke", "--no-progress", "--set",
                 "rows=tree-lstm,bilstm-tree", "--results-dir", str(tmp_path / "results"),
                 "--checkpoint-dir", str(tmp_path / "ckpt")])
    record = json.loads((tmp_path / "results" / "sst-tree-smoke.json").read_text())
    rows = record["extra"]["rows"]
    assert set(rows) == {"tree-lstm", "bilstm-tree"}
    for row in rows.values():
        assert len(row["test_accuracy"]) == 2 and len(row["test_predictions"][0]) == 60
        assert 0 <= row["test_mean"] <= 1 and row["best_epoch"][0] in (1, 2)
    assert len(record["extra"]["test_labels"]["fine"]) == 60


def test_tree_layout_and_the_prediction_picture():
    import matplotlib

    matplotlib.use("Agg")
    from course_lib.plots.data import tree_layout
    from course_lib.plots.sst import plot_tree_predictions

    nodes, xy, _ = tree_layout(parse_tree(LINES[0]))  # (3 (2 It) (4 (2 's) (4 good)))
    assert xy.tolist() == [[0, 0], [1, 0], [2, 0], [1.5, 1], [0.75, 2]]
    assert [node.label for node in nodes] == trees()[0].labels.tolist()  # flatten_tree's numbering
    example = {"tree": LINES[0], "predicted": [2, 2, 4, 3, 3]}  # ('s good) said 3, gold 4
    fig = plot_tree_predictions([example, {"tree": LINES[2], "predicted": [2, 2, 1, 1, 0]}])
    first, second = fig.axes[:2]
    assert first.get_title(loc="left").startswith("right")
    assert second.get_title(loc="left").startswith("WRONG")
    assert [t.get_text() for t in first.texts] == ["4", "It", "'s", "good"]  # gold beside a miss


def test_pretraining_at_the_defaults_is_sst_transfers():
    from course_lib.experiments import sst_transfer, sst_tree

    ours = sst_tree.pretraining_config(sst_tree.PROFILES["laptop"])
    theirs = sst_transfer.PROFILES["laptop"]
    used = ["hidden_size", "dropout", "lr", "weight_decay", "seed", "seeds"]
    used += [f for f in vars(theirs) if f.startswith("imdb_")]
    assert {f: getattr(ours, f) for f in used} == {f: getattr(theirs, f) for f in used}
    changed = sst_tree.pretraining_config(sst_tree.TreeConfig(weight_decay=0.0, lr=5e-3))
    assert (changed.weight_decay, changed.lr) == (theirs.weight_decay, theirs.lr)


@pytest.mark.realdata
def test_smoke_ensemble_row_reuses_the_single_models(tmp_path):
    requires_ci_or_skip(bool(os.environ.get("LSTM_COURSE_DATA")), "LSTM_COURSE_DATA is not set")
    from course_lib.tools.cli import main as lstm_course

    lstm_course(["run", "sst-tree", "--profile", "smoke", "--no-progress", "--set",
                 "rows=tree-lstm,tree-lstm-ensemble", "--set", "seeds=2", "--set", "epochs=1",
                 "--results-dir", str(tmp_path / "results"),
                 "--checkpoint-dir", str(tmp_path / "ckpt")])
    record = json.loads((tmp_path / "results" / "sst-tree-smoke.json").read_text())
    single, ensemble = (record["extra"]["rows"][r] for r in ("tree-lstm", "tree-lstm-ensemble"))
    # the single rows' accuracies are the Trainer's own best-dev test accuracies
    assert single["test_accuracy"] == [record["runs"][f"tree-lstm/seed{s}"]["best"]["test_accuracy"]
                                       for s in (0, 1)]
    assert sorted(r for r in record["runs"]) == [f"tree-lstm/seed{s}" for s in range(6)]
    assert ensemble["members"] == 3 and len(ensemble["best_epoch"][0]) == 3
