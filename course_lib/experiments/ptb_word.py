"""Word-level language models on Penn Treebank in PyTorch: Zaremba et al. (2014), and ours.

Two experiments:

- ``ptb-zaremba``: the paper's recipes exactly. The laptop profile trains *small* (2 x 200, no
  dropout, BPTT 20, batch 20, SGD lr 1 halved every epoch after the 4th, clip 5, 13 epochs;
  paper: 114.5 test perplexity); the full profile adds *medium* (2 x 650, dropout 0.5, 39 epochs:
  82.7), *large* (2 x 1500, dropout 0.65, 55 epochs: 78.4) and medium with tied weights
  (pytorch/examples: 75.96 with 650 units). GPU recommended for the full profile.
- ``ptb-word-ours``: a model a student can train on a laptop CPU in under an hour: dropout on
  the non-recurrent connections, the decoder tied to the embedding, a larger hidden size, and
  Zaremba's schedule compressed into eight epochs (about 250 s per epoch, 33 minutes, on one
  thread).

Both differentiate the loss summed over the BPTT window and averaged over the batch (see
:mod:`course_lib.training.lm_task`); perplexity is exp of the mean cross-entropy per word.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch

from course_lib.experiments.common.completions import (
    WORD_PROMPTS,
    WORD_SETTINGS,
    record_completions,
)
from course_lib.experiments.common.ptb_streams import load_ptb_streams, ptb_task
from course_lib.experiments.common.saved_models import load_saved_model
from course_lib.runs.registry import register
from course_lib.torch_models import LanguageModel
from course_lib.training import LanguageModelTask, TrainConfig

PAPER_TEST_PPL = {"small": 114.5, "medium": 82.7, "large": 78.4, "medium-tied": 75.96}
SEED_ROWS = {"NumPy, hidden 32, SGD (seed)": 468.7, "TensorFlow, SGD (seed)": 507.8,
             "TensorFlow, Adam (seed)": 301.9}


@dataclass
class WordLMConfig:
    """One word-level LSTM language model and how to train it."""

    hidden_size: int = 200  # H; also the embedding size E
    num_layers: int = 2
    dropout: float = 0.0  # on the non-recurrent connections only
    tie_weights: bool = False  # decoder shares the embedding matrix
    init_range: float = 0.1  # weights uniform in [-init_range, init_range]
    bptt: int = 20  # T, steps per truncated-BPTT window
    batch_size: int = 20  # N, parallel streams
    eval_batch_size: int = 10
    lr: float = 1.0  # SGD
    schedule: str = "halve"  # "halve" (Zaremba) or "plateau" (divide when val stalls)
    halve_after: int = 4  # "halve": epochs at the initial lr
    lr_factor: float = 0.5  # multiply the lr by this at each decay
    plateau_patience: int = 0
    clip_norm: float = 5.0
    weight_decay: float = 0.0
    epochs: int = 13
    max_tokens: int | None = None  # keep only this many tokens of each split (smoke)
    seed: int = 0


ZAREMBA = {
    "small": WordLMConfig(),
    "medium": WordLMConfig(hidden_size=650, dropout=0.5, init_range=0.05, bptt=35,
                           halve_after=6, lr_factor=0.8, epochs=39),
    "large": WordLMConfig(hidden_size=1500, dropout=0.65, init_range=0.04, bptt=35,
                          halve_after=14, lr_factor=1 / 1.15, clip_norm=10.0, epochs=55),
    "medium-tied": WordLMConfig(hidden_size=650, dropout=0.5, tie_weights=True, init_range=0.05,
                                bptt=35, halve_after=6, lr_factor=0.8, epochs=39),
}


def build_word_lm(config: WordLMConfig, vocab_size):
    """The :class:`LanguageModel` that ``config`` describes (embedding size = hidden size)."""
    torch.manual_seed(config.seed)
    return LanguageModel(vocab_size, config.hidden_size, config.hidden_size, config.num_layers,
                         dropout=config.dropout, tie_weights=config.tie_weights,
                         init_range=config.init_range)


def load_trained_word_lm(experiment, run, config: WordLMConfig, vocab_size, which="best.pt"):
    """The model a laptop run of ``experiment`` saved for ``run`` (``checkpoints/<experiment>/
    <run>/best.pt``: the best validation epoch), or None when that run was never made here."""
    return load_saved_model(experiment, run, lambda: build_word_lm(config, vocab_size), which)


def train_word_lm(name, config: WordLMConfig, ctx, streams=None):
    """Build and train one :class:`LanguageModel` as ``config`` says; returns (trainer, model)."""
    streams, task = ptb_task(LanguageModelTask, "word", config, streams)
    model = build_word_lm(config, len(streams.vocab))
    train = TrainConfig(epochs=config.epochs, optimizer="sgd", lr=config.lr,
                        clip_norm=config.clip_norm, schedule=config.schedule,
                        halve_after=config.halve_after, lr_factor=config.lr_factor,
                        plateau_patience=config.plateau_patience,
                        weight_decay=config.weight_decay, monitor="val_perplexity",
                        eval_test=True, seed=config.seed)
    trainer = ctx.fit(name, model, task, train)
    return trainer, model


def summarise(ctx, name, trainer):
    """Perplexities at the last epoch and at the best validation epoch, and the time taken."""
    summary = ctx.summaries[name]
    return {"final_test_perplexity": summary["final"]["test_perplexity"],
            "best_epoch": trainer.best["epoch"],
            "test_perplexity_at_best_val": summary["best"]["test_perplexity"],
            "val_perplexity_best": summary["best"]["val_perplexity"],
            "seconds_per_epoch": summary["wall_time_s"] / max(summary["epochs_run"], 1),
            "num_parameters": sum(p.numel() for p in trainer.model.parameters())}


PLOT_LABELS = {"perplexity": "perplexity (exp of nats per word)", "loss": "cross-entropy (nats per word)"}


# ------------------------------------------------------------------ Zaremba's recipes
@dataclass
class ZarembaConfig:
    variants: tuple = ("small",)  # names in ZAREMBA, trained one after the other
    epochs: int | None = None  # None: the paper's epoch count for each variant
    hidden_size: int | None = None  # None: the paper's (smoke runs shrink it)
    max_tokens: int | None = None  # keep only this many tokens of each split (smoke)
    seed: int = 0


ZAREMBA_PROFILES = {
    "smoke": ZarembaConfig(variants=("small", "medium", "medium-tied", "large"), epochs=2,
                           max_tokens=2_000, hidden_size=16),
    "laptop": ZarembaConfig(),
    "full": ZarembaConfig(variants=("small", "medium", "medium-tied", "large")),
}


@register("ptb-zaremba", "PTB word LM, Zaremba et al. 2014 exactly (laptop: small; full: "
          "medium, large, tied)", ZAREMBA_PROFILES)
def run_zaremba(config: ZarembaConfig, ctx):
    unknown = set(config.variants) - set(ZAREMBA)
    if unknown:
        raise ValueError(f"unknown variants {sorted(unknown)}; choose among {sorted(ZAREMBA)}")
    streams = load_ptb_streams("word", config.max_tokens)
    results = {}
    for variant in config.variants:
        paper = ZAREMBA[variant]
        spec = dataclasses.replace(paper, seed=config.seed, max_tokens=config.max_tokens,
                                   epochs=config.epochs or paper.epochs,
                                   hidden_size=config.hidden_size or paper.hidden_size)
        trainer, _ = train_word_lm(variant, spec, ctx, streams)
        results[variant] = {"config": dataclasses.asdict(spec), "paper_test_perplexity":
                            PAPER_TEST_PPL[variant], **summarise(ctx, variant, trainer),
                            "completions": record_completions(trainer.model, streams.vocab,
                                                              WORD_PROMPTS, WORD_SETTINGS, n=12,
                                                              seed=3)}
    return {"models": results,
            "reference_lines": {"perplexity": {"Zaremba small (paper): 114.5": 114.5,
                                               "course target: 115": 115.0}},
            "axis_labels": PLOT_LABELS}


# ------------------------------------------------------------------ ours
# Zaremba's objective and optimiser (SGD lr 1 on the loss summed over the window, clip 5), a
# model 1.5 times as wide with dropout 0.35 and a tied decoder, and a schedule squeezed into
# eight epochs (about 33 minutes on one thread): four epochs at lr 1, then halve every epoch.
# 2 x 400 with dropout 0.4 went further (91.0) but took about 45 minutes of one core:
#   lstm-course run ptb-word-ours --set hidden_size=400 --set dropout=0.4 \
#       --results-dir results/ptb-word-ours-h400
OURS = WordLMConfig(hidden_size=300, dropout=0.35, tie_weights=True, init_range=0.05, bptt=35,
                    halve_after=4, lr_factor=0.5, epochs=8)

OURS_PROFILES = {
    "smoke": dataclasses.replace(OURS, hidden_size=32, epochs=2, max_tokens=2_000),
    "laptop": OURS,
    "full": OURS,
}


@register("ptb-word-ours", "PTB word LM beyond Zaremba small: dropout, tied weights, larger, "
          "a schedule for 8 epochs (~33 min on one thread)", OURS_PROFILES)
def run_ours(config: WordLMConfig, ctx):
    streams = load_ptb_streams("word", config.max_tokens)
    trainer, _ = train_word_lm("ours", config, ctx, streams)
    completions = record_completions(trainer.model, streams.vocab, WORD_PROMPTS, WORD_SETTINGS,
                                     n=12, seed=3)
    return {"models": {"ours": {**summarise(ctx, "ours", trainer), "completions": completions}},
            "reference_lines": {"perplexity": {"Zaremba small (paper): 114.5": 114.5,
                                               "course target: 100": 100.0}},
            "axis_labels": PLOT_LABELS}
