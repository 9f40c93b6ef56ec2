"""Optimiser parameter groups with a learning-rate scale, through every schedule."""

import torch

from course_lib.training import TrainConfig, make_optimizer
from course_lib.training.optim import learning_rate, set_learning_rate


def test_groups_keep_their_scale_through_the_schedule():
    a, b = torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(3))
    frozen = torch.nn.Parameter(torch.zeros(1), requires_grad=False)
    config = TrainConfig(lr=1e-2, schedule="inverse", decay=1.0)
    optimizer = make_optimizer([{"params": [a]}, {"params": [b, frozen], "lr_scale": 0.1}], config)
    assert [g["lr"] for g in optimizer.param_groups] == [1e-2, 1e-3]
    assert optimizer.param_groups[1]["params"] == [b]  # no frozen parameter reaches Adam
    set_learning_rate(optimizer, learning_rate(config, 1))  # epoch 1: lr / 2
    assert [g["lr"] for g in optimizer.param_groups] == [5e-3, 5e-4]


def test_plain_parameters_still_work():
    p = torch.nn.Parameter(torch.zeros(2))
    optimizer = make_optimizer([p], TrainConfig(lr=0.5, optimizer="sgd"))
    assert optimizer.param_groups[0]["lr"] == 0.5
