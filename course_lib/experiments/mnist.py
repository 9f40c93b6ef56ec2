"""MNIST read row by row: each 28 x 28 image is a sequence of T = 28 rows of D = 28 pixels.

Three experiments, one per row of the notebook's results table (``notebooks/06_mnist_rows``):

- ``mnist-numpy-seed``: the seeds' NumPy run redone: the first 10,000 training images, all
  10,000 test images, LSTM + average pooling over the rows + linear + softmax, batch 64, SGD with
  lr_n = 1 / (1 + 0.2 n) after n epochs, the seeds' normal initialisation (LSTM 0.1 N(0, 1),
  linear N(0, 1)). The seeds' hidden size is not in their table; we use 32, as in their NumPy
  IMDB and PTB runs. Seed: 93.4 % test, 97.2 % train, loss 0.13 after 100 epochs.
- ``mnist-numpy``: the same NumPy core, trained well: 55,000 training images (5,000 held out
  for validation), a wider LSTM, Xavier / orthogonal initialisation with forget bias 1, Adam
  with a decaying learning rate, gradient clipping.
- ``mnist-torch``: :class:`~course_lib.torch_models.SequenceClassifier` trained with the course's
  Trainer: a stacked bidirectional LSTM, dropout, Adam with a decaying learning rate.

Every run also records, for its final model, the test confusion matrix and the misclassified
test images (index, label, prediction, confidence), so the notebook can draw them without
retraining.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib.numpy_core.metrics import confusion_matrix
from course_lib.runs.registry import register

SEED_ROWS = {"seed NumPy (test)": 0.934, "seed TensorFlow (best test)": 0.968}
AXIS_LABELS = {"accuracy": "accuracy (fraction of images)",
               "loss": "cross-entropy (nats per image)"}


def mnist_splits(train_size, val_size, test_size):
    """Images (N, 28, 28) float32 in [0, 1] and labels (N,) for train, val (or None) and test.

    train: the first ``train_size`` training images; val: the last ``val_size`` of the 60,000
    (never overlapping train); test: the first ``test_size`` test images.
    """
    from course_lib.data import load_mnist

    images, labels = load_mnist("train")
    if train_size + val_size > len(labels):
        raise ValueError(f"train_size + val_size = {train_size + val_size} > {len(labels)} images")
    train = images[:train_size], labels[:train_size]
    val = (images[len(labels) - val_size:], labels[len(labels) - val_size:]) if val_size else None
    test_images, test_labels = load_mnist("test")
    return train, val, (test_images[:test_size], test_labels[:test_size])


def prediction_report(probabilities, labels, max_examples=200):
    """Confusion matrix and the misclassified examples, JSON-ready.

    Inputs: probabilities (N, C) of the classes; labels (N,).
    Returns {"confusion": C x C nested list, rows = true class, columns = predicted class;
    "misclassified": up to ``max_examples`` dicts index/label/predicted/confidence, the most
    confident mistakes first; "errors": how many were wrong}.
    """
    predicted = probabilities.argmax(axis=1)
    confusion = confusion_matrix(predicted, labels, probabilities.shape[1])
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    order = wrong[np.argsort(-confidence, kind="stable")][:max_examples]
    examples = [{"index": int(i), "label": int(labels[i]), "predicted": int(predicted[i]),
                 "confidence": round(float(probabilities[i, predicted[i]]), 4)} for i in order]
    return {"confusion": confusion.tolist(), "misclassified": examples, "errors": int(len(wrong))}


def softmax(scores):
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


# ----------------------------------------------------------------------------------- NumPy
@dataclass
class NumpyMnistConfig:
    train_size: int = 10_000  # the first N training images
    val_size: int = 0  # the last images of the 60,000, held out for validation (0: none)
    test_size: int = 10_000
    train_eval_size: int = 10_000  # training images re-evaluated after each epoch (accuracy)
    hidden_size: int = 32
    batch_size: int = 64
    optimizer: str = "sgd"  # "sgd": lr / (1 + decay n) after n epochs; "adam": lr * gamma^n
    lr: float = 1.0
    decay: float = 0.2  # sgd
    gamma: float = 1.0  # adam: multiply the learning rate by this after every epoch
    init: str = "seed"  # "seed": LSTM init_scale N(0, 1), linear N(0, 1); "xavier": + orthogonal
    init_scale: float = 0.1
    forget_bias: float = 0.0
    clip_norm: float = 0.0  # 0: no clipping
    epochs: int = 100
    seed: int = 0


NUMPY_SEED_PROFILES = {
    "smoke": NumpyMnistConfig(train_size=256, test_size=256, train_eval_size=256, hidden_size=8,
                              epochs=2),
    "laptop": NumpyMnistConfig(),  # exactly the seed's run, all 100 epochs (a few minutes)
    "full": NumpyMnistConfig(),
}

NUMPY_PROFILES = {
    "smoke": NumpyMnistConfig(train_size=256, val_size=128, test_size=256, train_eval_size=256,
                              hidden_size=8, optimizer="adam", lr=2e-3, init="xavier",
                              forget_bias=1.0, clip_norm=5.0, epochs=2),
    "laptop": NumpyMnistConfig(train_size=55_000, val_size=5_000, hidden_size=128,
                               optimizer="adam", lr=2e-3, gamma=0.85, init="xavier",
                               forget_bias=1.0, clip_norm=5.0, epochs=15),
    "full": NumpyMnistConfig(train_size=55_000, val_size=5_000, hidden_size=256,
                             optimizer="adam", lr=2e-3, gamma=0.85, init="xavier",
                             forget_bias=1.0, clip_norm=5.0, epochs=25),
}


def run_numpy(config: NumpyMnistConfig, ctx):
    """Train the NumPy SequenceClassifier as ``config`` says; one run named "numpy"."""
    from course_lib.data import minibatches
    from course_lib.numpy_core import SGD, Adam, SequenceClassifier
    from course_lib.numpy_core.train import evaluate_classifier

    (x, y), val, (x_test, y_test) = mnist_splits(config.train_size, config.val_size,
                                                 config.test_size)
    model = SequenceClassifier(28, config.hidden_size, 10, init=config.init,
                               init_scale=config.init_scale, forget_bias=config.forget_bias,
                               seed=config.seed)
    schedule = None
    if config.optimizer == "sgd":
        optimizer = SGD(model.params, lr=config.lr, decay=config.decay)
    else:
        optimizer = Adam(model.params, lr=config.lr)
        schedule = lambda epoch: config.lr * config.gamma**epoch  # noqa: E731
    sets = {"train": (x[:config.train_eval_size], y[:config.train_eval_size]),
            "val": val, "test": (x_test, y_test)}

    def evaluate(model):
        return {f"{split}_{k}": v for split, data in sets.items() if data is not None
                for k, v in evaluate_classifier(model, *data).items()}

    ctx.fit_numpy("numpy", model, optimizer,
              lambda e: minibatches(x, y, batch_size=config.batch_size,
                                    seed=config.seed * 100_003 + e),
              epochs=config.epochs, evaluate=evaluate, clip_norm=config.clip_norm or None,
              lr_schedule=schedule, monitor="val_loss" if val else "train_loss",
              train_config={"optimizer": config.optimizer, "lr": config.lr})
    report = prediction_report(softmax(model.scores(x_test)), y_test)
    return {"numpy": report, "reference_lines": {"accuracy": SEED_ROWS},
            "axis_labels": AXIS_LABELS}


register("mnist-numpy-seed", "MNIST rows: the seeds' NumPy LSTM run redone (10k images, SGD)",
         NUMPY_SEED_PROFILES)(run_numpy)
register("mnist-numpy", "MNIST rows: the NumPy LSTM trained well (55k images, Adam, Xavier)",
         NUMPY_PROFILES)(run_numpy)


# ----------------------------------------------------------------------------------- PyTorch
@dataclass
class TorchMnistConfig:
    train_size: int = 55_000
    val_size: int = 5_000
    test_size: int = 10_000
    hidden_size: int = 128
    num_layers: int = 2
    bidirectional: bool = True
    pooling: str = "last"  # "last" | "mean" | "max"
    dropout: float = 0.2
    batch_size: int = 64
    lr: float = 2e-3  # Adam
    halve_after: int = 5  # epochs at the initial lr, then multiplied by lr_factor every epoch
    lr_factor: float = 0.75
    clip_norm: float = 5.0
    epochs: int = 16  # ~1 min per epoch on one thread of the course's 2-core machine
    seed: int = 0


TORCH_PROFILES = {
    "smoke": TorchMnistConfig(train_size=256, val_size=128, test_size=256, hidden_size=16,
                              num_layers=1, epochs=2, halve_after=1),
    "laptop": TorchMnistConfig(),
    "full": TorchMnistConfig(hidden_size=256, epochs=30, halve_after=10, lr_factor=0.85),
}


@register("mnist-torch", "MNIST rows: PyTorch SequenceClassifier (stacked BiLSTM, Adam)",
          TORCH_PROFILES)
def run_torch(config: TorchMnistConfig, ctx):
    import torch

    from course_lib.torch_models import SequenceClassifier
    from course_lib.training import ClassificationTask, TrainConfig

    train, val, test = mnist_splits(config.train_size, config.val_size, config.test_size)
    task = ClassificationTask(train, val, test, batch_size=config.batch_size,
                              eval_batch_size=1000)
    torch.manual_seed(config.seed)
    model = SequenceClassifier(10, input_size=28, hidden_size=config.hidden_size,
                               num_layers=config.num_layers, bidirectional=config.bidirectional,
                               dropout=config.dropout, pooling=config.pooling)
    train_config = TrainConfig(epochs=config.epochs, optimizer="adam", lr=config.lr,
                               clip_norm=config.clip_norm, schedule="halve",
                               halve_after=config.halve_after, lr_factor=config.lr_factor,
                               monitor="val_accuracy", eval_test=True, seed=config.seed)
    trainer = ctx.fit("torch", model, task, train_config)
    model = trainer.model.eval()
    with torch.no_grad():
        images = torch.from_numpy(test[0]).to(ctx.device)
        logits = torch.cat([model(batch) for batch in images.split(1000)])  # (N, 10)
    report = prediction_report(torch.softmax(logits, 1).cpu().numpy(), test[1])
    parameters = sum(p.numel() for p in model.parameters())
    return {"torch": report, "parameters": parameters,
            "reference_lines": {"accuracy": {**SEED_ROWS, "target 99.0 %": 0.99}},
            "axis_labels": AXIS_LABELS}
