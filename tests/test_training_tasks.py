"""Tasks and schedules: batch order, bucketing, Zaremba's loss convention, learning rates."""

import math

import pytest
import torch

from course_lib.data.batches import batchify
from course_lib.data.batches import bptt_windows as windows
from course_lib.torch_models import LanguageModel
from course_lib.training import (
    ClassificationTask,
    LanguageModelTask,
    RegressionTask,
    TrainConfig,
    learning_rate,
)


def test_schedules():
    inverse = TrainConfig(lr=1.0, schedule="inverse", decay=0.2)
    assert [learning_rate(inverse, e) for e in range(3)] == [1.0, 1 / 1.2, 1 / 1.4]
    halve = TrainConfig(lr=1.0, schedule="halve", halve_after=4)
    assert [learning_rate(halve, e) for e in range(7)] == [1, 1, 1, 1, 0.5, 0.25, 0.125]
    with pytest.raises(ValueError, match="schedule"):
        TrainConfig(schedule="cosine")


def test_batches_cover_every_example_once_and_buckets_cut_padding():
    x = torch.arange(100).view(100, 1).expand(100, 8).clone()
    lengths = torch.arange(100) % 8 + 1
    task = ClassificationTask((x, lengths, torch.zeros(100, dtype=torch.long)), batch_size=10, bucket=True)
    g = torch.Generator().manual_seed(0)
    batches = list(task.batches("train", g))
    seen = torch.cat([b[0][:, 0] for b in batches])
    assert sorted(seen.tolist()) == list(range(100)) and task.num_batches("train") == 10
    assert all(b[0].shape[1] == int(b[1].max()) for b in batches)
    padded = sum(b[0].numel() for b in batches)
    assert padded < 100 * 8  # bucketing trimmed padding
    again = [b[0] for b in task.batches("train", torch.Generator().manual_seed(0))]
    assert all(torch.equal(a[0], b) for a, b in zip(batches, again))  # order depends on the seed only


def test_regression_task_accuracy_is_within_tolerance():
    task = RegressionTask((torch.zeros(4, 3, 2), torch.tensor([0.0, 0.0, 1.0, 1.0])), tolerance=0.04)
    loss, extra = task.loss(torch.tensor([[0.01], [0.1], [1.03], [0.5]]), torch.tensor([0.0, 0.0, 1.0, 1.0]))
    assert int(extra["accuracy"]) == 2
    assert math.isclose(float(loss), (0.01**2 + 0.1**2 + 0.03**2 + 0.5**2) / 4, rel_tol=1e-6)


def test_batchify_and_windows():
    data = batchify(torch.arange(23), 4)  # (4, 5), tail dropped
    assert data.tolist()[1] == [5, 6, 7, 8, 9]
    pairs = list(windows(data, 3))
    assert [p[0].shape[1] for p in pairs] == [3, 1]
    assert torch.equal(pairs[0][1], data[:, 1:4])


def test_lm_loss_is_summed_over_time_and_averaged_over_batch():
    torch.manual_seed(0)
    model = LanguageModel(20, 4, 4, num_layers=1)
    task = LanguageModelTask(torch.randint(0, 20, (200,)), batch_size=5, bptt=6)
    batch = next(iter(task.batches("train")))
    loss, totals, state = task.step(model, batch, task.start(model, "train"))
    logits, _ = model(batch[0])
    mean = torch.nn.functional.cross_entropy(logits.flatten(0, 1), batch[1].flatten()).detach()
    assert torch.allclose(loss, 6 * mean)  # T x the per-token mean
    assert totals["loss"][1] == 30 and not state[0].requires_grad
    assert math.isclose(task.metrics(totals)["perplexity"], math.exp(mean.item()), rel_tol=1e-5)


def test_padded_split_from_variable_length_sequences():
    import numpy as np

    from course_lib.training import padded_split

    inputs, lengths, targets = padded_split([np.array([3, 4, 5]), np.array([7])], [1, 0], max_len=2)
    assert inputs.tolist() == [[3, 4], [7, 0]] and lengths.tolist() == [2, 1]
    task = ClassificationTask((inputs, lengths, targets), batch_size=2)
    assert next(iter(task.batches("train")))[0].shape == (2, 2)
