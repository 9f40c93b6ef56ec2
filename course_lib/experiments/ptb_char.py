"""Character-level language models on Penn Treebank (Mikolov's ``ptb.char`` files).

Dimension letters: N parallel streams, T steps per BPTT window, V = 50 symbols.

The text is the word-level PTB spelled out: letters, digits, a few punctuation marks, ``_``
between words and ``<eos>`` at the end of each sentence. A model is scored in **bits per
character** (bpc), the mean cross-entropy in base 2: ``bpc = loss_in_nats / ln 2``. A model that
knew nothing but the letter frequencies would score about 4.3 bpc; AWD-LSTM (Merity et al. 2018,
three layers, days of GPU time) reaches 1.175 on test.

Two experiments:

- ``ptb-char``: the best model we found for a budget of about 30 minutes on 2 CPU cores (the
  record holds the measured time, which depends on the machine and its load);
- ``ptb-char-depth``: the seed 004 observation ("a character carries little information on its
  own") tested with a small comparison: the same budget of steps (two passes over the training
  text) spent on one or two layers, with a small or a large character embedding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import torch

from course_lib.experiments.common.completions import (
    CHAR_PROMPTS,
    CHAR_SETTINGS,
    record_completions,
)
from course_lib.experiments.common.ptb_streams import load_ptb_streams, ptb_task
from course_lib.experiments.common.saved_models import load_saved_model
from course_lib.runs.registry import register
from course_lib.torch_models import LanguageModel
from course_lib.training import LanguageModelTask, TrainConfig

AWD_LSTM_TEST_BPC = 1.175  # Merity, Keskar & Socher (2018), 3-layer AWD-LSTM on PTB characters
LN2 = math.log(2)


class CharLanguageModelTask(LanguageModelTask):
    """:class:`LanguageModelTask` that also reports bits per character (``bpc``)."""

    def metrics(self, totals):
        metrics = super().metrics(totals)
        metrics["bpc"] = metrics["loss"] / LN2
        return metrics


@dataclass
class CharLMConfig:
    embed_dim: int = 64  # E, size of a character's vector
    hidden_size: int = 512  # H
    num_layers: int = 1
    dropout: float = 0.0
    bptt: int = 100  # T
    batch_size: int = 64  # N: 784 updates per epoch
    eval_batch_size: int = 64
    lr: float = 2e-3  # Adam
    halve_after: int = 4  # epochs at the initial lr, then halve every epoch
    clip_norm: float = 10.0  # on the loss summed over the window
    epochs: int = 6
    max_tokens: int | None = None  # keep only this many characters of each split
    seed: int = 0


def build_char_lm(config: CharLMConfig, vocab_size):
    """The character-level :class:`LanguageModel` that ``config`` describes."""
    torch.manual_seed(config.seed)
    return LanguageModel(vocab_size, config.embed_dim, config.hidden_size, config.num_layers,
                         dropout=config.dropout)


def load_trained_char_lm(config: CharLMConfig, vocab_size, experiment="ptb-char", run="char"):
    """The model ``lstm-course run ptb-char`` saved (its best validation epoch), or None."""
    return load_saved_model(experiment, run, lambda: build_char_lm(config, vocab_size))


def chars_to_text(symbols):
    """PTB character symbols -> readable text: ``_`` is a space, ``<eos>`` a line break."""
    return "".join(" " if c == "_" else "\n" if c == "<eos>" else c for c in symbols)


def train_char_lm(name, config: CharLMConfig, ctx, streams=None):
    """Build and train one character-level :class:`LanguageModel`; returns (trainer, model)."""
    streams, task = ptb_task(CharLanguageModelTask, "char", config, streams)
    model = build_char_lm(config, len(streams.vocab))
    train = TrainConfig(epochs=config.epochs, optimizer="adam", lr=config.lr,
                        clip_norm=config.clip_norm, schedule="halve",
                        halve_after=config.halve_after, monitor="val_bpc", eval_test=True,
                        seed=config.seed)
    return ctx.fit(name, model, task, train), model


def summarise(ctx, name, model):
    summary = ctx.summaries[name]
    return {"final_test_bpc": summary["final"]["test_bpc"],
            "best_epoch": summary["best_epoch"],
            "test_bpc_at_best_val": summary["best"]["test_bpc"],
            "seconds_per_epoch": summary["wall_time_s"] / max(summary["epochs_run"], 1),
            "num_parameters": sum(p.numel() for p in model.parameters())}


AXIS_LABELS = {"bpc": "bits per character", "loss": "cross-entropy (nats per character)",
               "perplexity": "perplexity (per character)"}

PROFILES = {
    "smoke": CharLMConfig(embed_dim=8, hidden_size=16, bptt=20, batch_size=8, epochs=2,
                          max_tokens=5_000),
    "laptop": CharLMConfig(),
    "full": CharLMConfig(embed_dim=128, hidden_size=1000, num_layers=3, dropout=0.2, bptt=150,
                         epochs=50, halve_after=30, batch_size=128, lr=1e-3),
}


@register("ptb-char", "PTB character LM: bits per character in ~30 min CPU (AWD-LSTM 1.175 as "
          "the reference)", PROFILES)
def run(config: CharLMConfig, ctx):
    streams = load_ptb_streams("char", config.max_tokens)
    trainer, model = train_char_lm("char", config, ctx, streams)
    completions = record_completions(trainer.model, streams.vocab, CHAR_PROMPTS, CHAR_SETTINGS,
                                     n=300, characters=True)
    return {"models": {"char": {**summarise(ctx, "char", model), "completions": completions}},
            "vocabulary": streams.vocab.itos,
            "reference_lines": {"bpc": {f"AWD-LSTM: {AWD_LSTM_TEST_BPC}": AWD_LSTM_TEST_BPC,
                                        "course target: 1.45": 1.45}},
            "axis_labels": AXIS_LABELS}


# ------------------------------------------------------------------ depth vs embedding size
@dataclass
class DepthConfig:
    """Every variant: the same data slice, steps and hidden size; only depth and E change."""

    variants: tuple = ("1x256-e8", "1x256-e64", "2x256-e8", "2x256-e64")  # LxH-eE
    bptt: int = 100
    batch_size: int = 64
    lr: float = 2e-3
    epochs: int = 2  # 1,568 updates of 64 x 100 characters
    max_tokens: int | None = None  # None: all the text; a number keeps that many characters
    seed: int = 0


def parse_variant(name):
    """"2x256-e8" -> (num_layers 2, hidden_size 256, embed_dim 8)."""
    shape, _, embed = name.partition("-e")
    layers, _, hidden = shape.partition("x")
    return int(layers), int(hidden), int(embed)


DEPTH_PROFILES = {
    "smoke": DepthConfig(variants=("1x16-e4", "2x16-e4"), bptt=20, batch_size=8, epochs=1,
                         max_tokens=3_000),
    "laptop": DepthConfig(),
    "full": DepthConfig(variants=("1x512-e8", "1x512-e128", "2x512-e8", "2x512-e128",
                                  "3x512-e8", "3x512-e128"), max_tokens=None, epochs=10),
}


@register("ptb-char-depth", "PTB character LM: depth vs embedding size (seed 004's observation)",
          DEPTH_PROFILES)
def run_depth(config: DepthConfig, ctx):
    streams = load_ptb_streams("char", config.max_tokens)
    results = {}
    for variant in config.variants:
        layers, hidden, embed = parse_variant(variant)
        spec = replace(CharLMConfig(), embed_dim=embed, hidden_size=hidden, num_layers=layers,
                       bptt=config.bptt, batch_size=config.batch_size, lr=config.lr,
                       epochs=config.epochs, halve_after=config.epochs, seed=config.seed,
                       max_tokens=config.max_tokens)
        _, model = train_char_lm(variant, spec, ctx, streams)
        results[variant] = {"num_layers": layers, "hidden_size": hidden, "embed_dim": embed,
                            **summarise(ctx, variant, model)}
    return {"models": results, "axis_labels": AXIS_LABELS}
