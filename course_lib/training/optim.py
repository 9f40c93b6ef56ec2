"""Training settings in one dataclass, and the optimisers and learning-rate schedules they name.

Schedules (the learning rate of epoch e, counted from 0):

- ``constant``: ``lr``.
- ``inverse`` (the course seeds): ``lr / (1 + decay * e)``.
- ``halve`` (Zaremba et al. 2014): ``lr`` for the first ``halve_after`` epochs, then multiplied by
  ``lr_factor`` (0.5 halves it) at every further epoch.
- ``plateau``: multiply by ``lr_factor`` when the monitored metric has not improved for
  ``plateau_patience`` epochs (``torch.optim.lr_scheduler.ReduceLROnPlateau``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

SCHEDULES = ("constant", "inverse", "halve", "plateau")
OPTIMIZERS = ("sgd", "adam", "adamw")


@dataclass
class TrainConfig:
    """How to train: every knob of :class:`~course_lib.training.trainer.Trainer`."""

    epochs: int = 10
    optimizer: str = "adam"  # "sgd" | "adam" | "adamw"
    lr: float = 1e-3  # initial learning rate
    momentum: float = 0.0  # SGD only
    weight_decay: float = 0.0
    clip_norm: float | None = 5.0  # rescale gradients whose global norm exceeds this; None: never
    schedule: str = "constant"  # "constant" | "inverse" | "halve" | "plateau" (see module doc)
    decay: float = 0.0  # "inverse": lr / (1 + decay * epoch)
    halve_after: int = 0  # "halve": epochs at the initial lr before the decay starts
    lr_factor: float = 0.5  # "halve" and "plateau": multiply the lr by this
    plateau_patience: int = 0  # "plateau": epochs without improvement before reducing
    monitor: str | None = None  # metric that picks the best epoch; None: val_loss (or train_loss)
    early_stopping: int | None = None  # stop after this many epochs without improvement
    eval_test: bool = False  # also evaluate on the test split after every epoch
    amp: bool = True  # automatic mixed precision, used on cuda only
    seed: int = 0  # seeds the training run: dropout masks and the order of the batches

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")


def make_optimizer(params, config: TrainConfig) -> torch.optim.Optimizer:
    """The optimiser ``config.optimizer`` names, over the parameters that require a gradient.

    ``params``: tensors, or parameter groups: dicts with ``"params"`` and an ``"lr_scale"``
    that multiplies the learning rate of the group at every epoch (e.g. 0.1 for a pretrained
    embedding that should move slowly).
    """
    params = list(params)
    if params and isinstance(params[0], dict):
        groups = [{**g, "params": [p for p in g["params"] if p.requires_grad],
                   "lr": config.lr * g.get("lr_scale", 1.0)} for g in params]
        params = [g for g in groups if g["params"]]
    else:
        params = [p for p in params if p.requires_grad]
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum,
                               weight_decay=config.weight_decay)
    cls = torch.optim.Adam if config.optimizer == "adam" else torch.optim.AdamW
    return cls(params, lr=config.lr, weight_decay=config.weight_decay)


def learning_rate(config: TrainConfig, epoch: int) -> float:
    """The learning rate of ``epoch`` (from 0) for the epoch-wise schedules."""
    if config.schedule == "inverse":
        return config.lr / (1.0 + config.decay * epoch)
    if config.schedule == "halve":
        return config.lr * config.lr_factor ** max(0, epoch + 1 - config.halve_after)
    return config.lr


def make_plateau(optimizer, config: TrainConfig, mode: str):
    """A ReduceLROnPlateau for ``schedule="plateau"``, else None."""
    if config.schedule != "plateau":
        return None
    return torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode=mode, factor=config.lr_factor, patience=config.plateau_patience)


def set_learning_rate(optimizer, lr: float) -> None:
    """Set every group's learning rate to ``lr`` times the group's ``lr_scale`` (default 1)."""
    for group in optimizer.param_groups:
        group["lr"] = lr * group.get("lr_scale", 1.0)
