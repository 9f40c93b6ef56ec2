"""The recipe the IMDB experiments share: its configuration, the classifier, how it trains.

Dimension letters: V vocabulary size, E = 50 (GloVe), H hidden size, K directions, C = 2.

``imdb-seed``, ``imdb-rnn-vs-lstm``, ``imdb-padding`` (:mod:`course_lib.experiments.imdb`),
``imdb-best`` and ``imdb-seed-numpy`` are all described by one :class:`ImdbConfig`:
:func:`make_model` builds the PyTorch classifier it names (GloVe embedding -> recurrent
encoder -> pooling -> linear, with the seeds' initialisation :func:`seed_init_` when
``init="seed"``) and :func:`train_config` the course Trainer's settings. The seeds' published
rows are here too, to draw beside ours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from course_lib.numpy_core import init as numpy_init
from course_lib.torch_models import SequenceClassifier
from course_lib.training import TrainConfig

# The seeds' published rows (test accuracy); they trained on 1k-5k reviews, not 25k.
SEED_ROWS = {
    "seed NumPy, frozen GloVe (1k reviews)": 0.730,
    "seed NumPy, fine-tuned GloVe (1k reviews)": 0.774,
    "seed TensorFlow, frozen GloVe (1k-5k reviews)": 0.786,
    "seed TensorFlow, fine-tuned GloVe (1k-5k reviews)": 0.818,
}
SEED_002 = {"seed 002 LSTM, best of grid": 0.860, "seed 002 vanilla RNN, best": 0.71}
AXIS_LABELS = {"accuracy": "accuracy (fraction of reviews)", "loss": "cross-entropy (nats per review)"}


@dataclass
class ImdbConfig:
    """One IMDB classifier, its data and its training (``runs`` names the models compared)."""

    train_size: int | None = None  # training reviews (None: all 22,500 left beside dev)
    test_size: int | None = None  # test reviews (None: all 25,000)
    dev_size: int | None = None  # dev reviews, of the 2,500 held out of train (None: all)
    score_test: bool = True  # False while tuning: the test split is never loaded into the task
    max_len: int | None = 400  # tokens kept from the start of each review (None: all)
    min_freq: int = 2  # vocabulary: training words seen at least this often
    runs: tuple = ("frozen", "tuned")  # the variants compared; their meaning depends on the experiment
    rnn_type: str = "lstm"
    hidden_size: int = 32
    bidirectional: bool = False
    pooling: str = "mean"
    dropout: float = 0.0  # on the embedded words and on the pooled vector
    init: str = "seed"  # "seed": LSTM N(0, 0.1^2), linear N(0, 1), biases 0; "torch": PyTorch's
    optimizer: str = "sgd"
    lr: float = 1.0
    decay: float = 0.2  # lr / (1 + decay * epoch); 0 keeps it constant
    halve_after: int = 0  # > 0: instead, this many epochs at lr, then halve it every epoch
    weight_decay: float = 0.0
    clip_norm: float = 5.0
    batch_size: int = 32
    epochs: int = 5
    seed: int = 42


def seed_init_(model: SequenceClassifier, scale=0.1, seed=0) -> SequenceClassifier:
    """Re-initialise ``model`` the way the seeds did (:func:`course_lib.numpy_core.init.lstm_params`
    with ``init="seed"``): recurrent weights ``scale * N(0, 1)``, linear weights N(0, 1), biases 0.

    NumPy's Wx (D, 4H) and Wh (H, 4H) go into ``nn.LSTM`` transposed (same gate order i, f, g, o).
    """
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for directions in model.encoder.layers:
            for module in directions:
                Wx, Wh, b = numpy_init.lstm_params(module.input_size, module.hidden_size, rng,
                                                   "seed", scale)
                module.weight_ih_l0.copy_(torch.from_numpy(Wx.T))  # (4H, D)
                module.weight_hh_l0.copy_(torch.from_numpy(Wh.T))  # (4H, H)
                module.bias_ih_l0.copy_(torch.from_numpy(b))
                module.bias_hh_l0.zero_()
        W, b = numpy_init.linear_params(model.head.in_features, model.head.out_features, rng, "seed")
        model.head.weight.copy_(torch.from_numpy(W.T))  # (C, K*H)
        model.head.bias.copy_(torch.from_numpy(b))
    return model


def make_model(config: ImdbConfig, embedding, *, freeze=False, rnn_type=None, seed=None):
    """The classifier ``config`` describes, starting from the GloVe matrix ``embedding`` (V, E)."""
    seed = config.seed if seed is None else seed
    torch.manual_seed(seed)
    model = SequenceClassifier(2, pretrained=embedding, freeze_embedding=freeze,
                               hidden_size=config.hidden_size, rnn_type=rnn_type or config.rnn_type,
                               bidirectional=config.bidirectional, pooling=config.pooling,
                               dropout=config.dropout)
    if config.init == "seed":
        seed_init_(model, seed=seed)
    return model


def train_config(config: ImdbConfig, seed=None) -> TrainConfig:
    """The Trainer's settings for ``config``: its optimiser, and a learning rate halved every
    epoch after ``halve_after``, else decayed as lr / (1 + decay n), else constant."""
    if config.halve_after:
        schedule = "halve"
    else:
        schedule = "inverse" if config.decay else "constant"
    return TrainConfig(epochs=config.epochs, optimizer=config.optimizer, lr=config.lr,
                       schedule=schedule, decay=config.decay, halve_after=config.halve_after,
                       weight_decay=config.weight_decay, clip_norm=config.clip_norm,
                       monitor="val_accuracy", eval_test=config.score_test,
                       seed=config.seed if seed is None else seed)
