"""The adding problem (Hochreiter & Schmidhuber 1997): an LSTM bridges a long time lag, a vanilla
RNN of the same size, or of the same number of parameters, does not (within this budget).

Each sequence has T steps of (value, marker); the target is the sum of the two marked values,
one marker in each half (data from :func:`course_lib.numpy_core.toy_tasks.adding_problem`).
Always answering 1.0 scores a mean squared error of 1/6: a model that does not carry the first
value across the lag cannot do much better. As ``accuracy`` we report the fraction of answers
within 0.04 of the target, the original paper's criterion.

A model that carries nothing across the lag but reads the second marked value well can answer
0.5 + (second value) and score 1/12, half the baseline. Each model is trained from
``seeds`` seeds (initialisation and batch order; the data are the same), and the summary
gives the mean and standard deviation over seeds. ``rnn-wide`` is a vanilla RNN with twice the
hidden units, which has about as many parameters as the LSTM (the ``parameters`` entry says how
many exactly). The epoch reported for each run is the one with the lowest validation error.
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
    models: tuple = ("lstm", "rnn", "rnn-wide")  # rnn-wide: an RNN with 2 x hidden_size units
    hidden_size: int = 64
    epochs: int = 40  # the LSTM's error drops after ~25 epochs (~4,000 steps) at T = 100
    batch_size: int = 64
    lr: float = 1e-3  # Adam
    clip_norm: float = 1.0
    seed: int = 0  # the data: train, val and test sets are drawn with seed, seed + 1, seed + 2
    seeds: int = 3  # runs per model, with initialisation and batch-order seeds seed, seed + 1, ...


PROFILES = {
    "smoke": AddingConfig(seq_len=10, train_size=256, val_size=64, test_size=64, hidden_size=8,
                          epochs=2, batch_size=32, seeds=2),
    "laptop": AddingConfig(),
    "full": AddingConfig(seq_len=200, train_size=50_000, hidden_size=128, epochs=30),
}


def adding_tensors(n, T, seed):
    x, y = adding_problem(n, T, np.random.default_rng(seed), dtype=np.float32)
    return torch.from_numpy(x), torch.from_numpy(y)  # (N, T, 2), (N,)


RNN_TYPES = {"lstm": ("lstm", 1), "rnn": ("rnn", 1), "rnn-wide": ("rnn", 2)}  # type, width


@register("adding", "the adding problem (Hochreiter & Schmidhuber 1997): LSTM vs vanilla RNNs, "
          "over seeds", PROFILES)
def run(config: AddingConfig, ctx):
    T, seed0 = config.seq_len, config.seed
    unknown = set(config.models) - set(RNN_TYPES)
    if unknown:
        raise ValueError(f"adding's models are {sorted(RNN_TYPES)}; got {sorted(unknown)}")
    task = RegressionTask(adding_tensors(config.train_size, T, seed0),
                          adding_tensors(config.val_size, T, seed0 + 1),
                          adding_tensors(config.test_size, T, seed0 + 2),
                          batch_size=config.batch_size, eval_batch_size=500, tolerance=0.04)
    summary = {}
    for name in config.models:
        rnn_type, width = RNN_TYPES[name]
        runs = {}
        for seed in range(seed0, seed0 + config.seeds):
            torch.manual_seed(seed)
            model = SequenceClassifier(1, input_size=2, hidden_size=width * config.hidden_size,
                                       rnn_type=rnn_type, pooling="last")
            train = TrainConfig(epochs=config.epochs, optimizer="adam", lr=config.lr,
                                clip_norm=config.clip_norm, eval_test=True, seed=seed)
            trainer = ctx.fit(f"{name}/seed{seed}", model, task, train)
            best = ctx.summaries[f"{name}/seed{seed}"]["best"]
            runs[f"seed{seed}"] = {"best_epoch": trainer.best["epoch"],
                                   "test_mse": best["test_loss"],
                                   "test_within_0.04": best["test_accuracy"]}
        mse = np.array([r["test_mse"] for r in runs.values()])
        summary[name] = {
            "hidden_size": width * config.hidden_size,
            "parameters": sum(p.numel() for p in model.parameters()),
            "seeds": runs,
            "test_mse_mean": float(mse.mean()), "test_mse_std": float(mse.std(ddof=1))
            if len(mse) > 1 else 0.0,
            "test_within_0.04_mean": float(np.mean([r["test_within_0.04"]
                                                    for r in runs.values()])),
            "seeds_beating_baseline_10x": int((mse < ADDING_BASELINE_MSE / 10).sum()),
            "seeds_beating_half_baseline": int((mse < ADDING_BASELINE_MSE / 2).sum()),
        }
    return {"baseline_mse": ADDING_BASELINE_MSE, "second_value_only_mse": 1 / 12,
            "at_best_val_epoch": summary,
            "reference_lines": {"loss": {"baseline: always answer 1.0": ADDING_BASELINE_MSE,
                                         "0.5 + second value: 1/12": 1 / 12}},
            "axis_labels": {"loss": "mean squared error", "accuracy": "fraction within 0.04"}}
