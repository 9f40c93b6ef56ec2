"""The adding problem (Hochreiter & Schmidhuber 1997): an LSTM bridges a long time lag, a vanilla
RNN of the same size does not.

Each sequence has T steps of (value, marker); the target is the sum of the two marked values,
one marker in each half (data from :func:`course_lib.numpy_core.toy_tasks.adding_problem`).
Always answering 1.0 scores a mean squared error of 1/6: a model that does not carry the first
value across the lag cannot do much better. As ``accuracy`` we report the fraction of answers
within 0.04 of the target, the original paper's criterion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from course_lib.numpy_core.toy_tasks import ADDING_BASELINE_MSE, adding_problem
from course_lib.runs.registry import register
from course_lib.torch_models import SequenceClassifier
from course_lib.training import RegressionTask, TrainConfig


@dataclass
class AddingConfig:
    seq_len: int = 100  # T; the lag between the two markers is up to T - 1 steps
    train_size: int = 10_000  # sequences, drawn once
    val_size: int = 1_000
    test_size: int = 1_000
    models: tuple = ("lstm", "rnn")  # recurrent types compared, at the same hidden size
    hidden_size: int = 64
    epochs: int = 40  # the LSTM's error drops after ~25 epochs (~4,000 steps) at T = 100
    batch_size: int = 64
    lr: float = 1e-3  # Adam
    clip_norm: float = 1.0
    seed: int = 0


PROFILES = {
    "smoke": AddingConfig(seq_len=10, train_size=256, val_size=64, test_size=64, hidden_size=8,
                          epochs=2, batch_size=32),
    "laptop": AddingConfig(),
    "full": AddingConfig(seq_len=200, train_size=50_000, hidden_size=128, epochs=30),
}


def adding_tensors(n, T, seed):
    x, y = adding_problem(n, T, np.random.default_rng(seed), dtype=np.float32)
    return torch.from_numpy(x), torch.from_numpy(y)  # (N, T, 2), (N,)


@register("adding", "the adding problem (Hochreiter & Schmidhuber 1997): LSTM vs vanilla RNN",
          PROFILES)
def run(config: AddingConfig, ctx):
    T, seed = config.seq_len, config.seed
    task = RegressionTask(adding_tensors(config.train_size, T, seed),
                          adding_tensors(config.val_size, T, seed + 1),
                          adding_tensors(config.test_size, T, seed + 2),
                          batch_size=config.batch_size, eval_batch_size=500, tolerance=0.04)
    train = TrainConfig(epochs=config.epochs, optimizer="adam", lr=config.lr,
                        clip_norm=config.clip_norm, eval_test=True, seed=seed)
    summary = {}
    for rnn_type in config.models:
        torch.manual_seed(seed)
        model = SequenceClassifier(1, input_size=2, hidden_size=config.hidden_size,
                                   rnn_type=rnn_type, pooling="last")
        trainer = ctx.fit(rnn_type, model, task, train)
        best = ctx.summaries[rnn_type]["best"]
        summary[rnn_type] = {"best_epoch": trainer.best["epoch"], "test_mse": best["test_loss"],
                             "test_within_0.04": best["test_accuracy"],
                             "beats_baseline_10x": best["test_loss"] < ADDING_BASELINE_MSE / 10}
    return {"baseline_mse": ADDING_BASELINE_MSE, "at_best_val_epoch": summary,
            "reference_lines": {"loss": {"baseline: always answer 1.0": ADDING_BASELINE_MSE}},
            "axis_labels": {"loss": "mean squared error", "accuracy": "fraction within 0.04"}}
