"""Pre-training an SST encoder on IMDB reviews, for ``sst-transfer`` and ``sst-tree``.

Dimension letters: N reviews, T kept tokens (``imdb_max_len``).

1. one vocabulary for both corpora (:func:`shared_vocab`): the SST training words, the IMDB
   words seen at least ``imdb_min_freq`` times, the dev/test words GloVe knows;
2. :func:`pretrain`: the ``phrases-glove`` model of ``sst`` (BiLSTM, max + attention pooling)
   with a two-class head, ``imdb_epochs`` passes over the reviews cut to ``imdb_max_len``;
3. :func:`encoder_state`: its parameters without the head, which an SST model (the sequence
   model of ``sst-transfer``, or the BiLSTM leaves of ``sst-tree``) loads before fine-tuning.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from course_lib.experiments.common.imdb_data import encode_split, subset
from course_lib.experiments.common.sst_data import build_vocab
from course_lib.experiments.common.sst_models import RECIPES, build_model, group_params
from course_lib.experiments.common.sst_training import SSTConfig
from course_lib.training import ClassificationTask, TrainConfig

RECIPE = RECIPES["phrases-glove"]  # the model pre-trained, and sst-transfer's fine-tuning recipe


@dataclass
class TransferConfig(SSTConfig):
    """The ``sst-transfer`` experiment's configuration; ``sst-tree`` describes its pre-training
    with one too (``hidden_size``, ``dropout``, ``lr``, ``weight_decay`` and the ``imdb_*``
    fields are those of the pre-training)."""

    rows: tuple = ("no-pretraining", "transfer")
    dropout: float = 0.3
    imdb_reviews: int | None = None  # IMDB training reviews for the pre-training (None: 25,000)
    imdb_test_reviews: int = 2000  # IMDB test reviews scored after each pre-training epoch
    imdb_max_len: int = 200  # tokens kept from the start of each review
    imdb_min_freq: int = 2  # an IMDB word enters the vocabulary when seen this often
    imdb_epochs: int = 4
    imdb_batch_size: int = 64


def imdb_task(config: TransferConfig, vocab, imdb) -> ClassificationTask:
    """IMDB reviews encoded with the shared vocabulary, as a bucketed two-class task.

    ``imdb``: {"train": (corpus, labels), "test": (corpus, labels)} from ``load_imdb_tokens``."""
    splits = []
    for split, size, seed in [("train", config.imdb_reviews, config.seed),
                              ("test", config.imdb_test_reviews, config.seed + 1)]:
        corpus, labels = imdb[split]
        index = subset(len(corpus), size, seed)
        splits.append(encode_split(corpus, labels, vocab, index, config.imdb_max_len)
                      .as_task_split())
    return ClassificationTask(splits[0], test=splits[1], batch_size=config.imdb_batch_size,
                              eval_batch_size=256, bucket=True)


def encoder_state(model) -> dict:
    """The model's parameters without its classification head: what carries over to SST."""
    return {k: v for k, v in model.state_dict().items() if not k.startswith("head.")}


def shared_vocab(config: TransferConfig, train_texts, other_texts, glove):
    """One vocabulary for SST and IMDB (step 1 above) and the IMDB task encoded with it.

    ``train_texts``: the SST training token lists; ``other_texts``: dev and test token lists.
    Returns (vocab, imdb task)."""
    from course_lib.data import load_imdb_tokens

    imdb = {split: load_imdb_tokens(split) for split in ("train", "test")}
    corpus = imdb["train"][0]
    imdb_counts = corpus.select(subset(len(corpus), config.imdb_reviews, config.seed)).counts()
    vocab = build_vocab(train_texts, other_texts, glove.words,
                        {w: c for w, c in imdb_counts.items() if c >= config.imdb_min_freq})
    return vocab, imdb_task(config, vocab, imdb)


def pretrain(config: TransferConfig, ctx, vocab, glove, imdb, seed) -> dict:
    """IMDB pre-training of seed ``seed`` (step 2 above): the ``phrases-glove`` model with
    ``config.hidden_size`` units and ``config.dropout``, two classes. Returns the encoder's
    state dict (``embedding.*``, ``encoder.*``, ``attention.*``)."""
    from course_lib.data import embedding_matrix

    binary = dataclasses.replace(RECIPE, labels="binary")
    model = build_model(binary, len(vocab), embedding_matrix(vocab, glove, seed=seed)[0], config)
    train_config = TrainConfig(epochs=config.imdb_epochs, lr=config.lr,
                               weight_decay=config.weight_decay, clip_norm=5.0,
                               eval_test=True, seed=seed)
    trainer = ctx.fit(f"imdb-pretrain/seed{seed}", model, imdb, train_config,
                      param_groups=group_params(model, binary))
    return encoder_state(trainer.model)


def pretraining_summary(ctx, config: TransferConfig) -> dict:
    """The IMDB test accuracy after pre-training, per seed, and the pre-training wall time."""
    runs = [ctx.summaries[f"imdb-pretrain/seed{config.seed + k}"] for k in range(config.seeds)]
    return {"imdb_test_accuracy": [s["final"]["test_accuracy"] for s in runs],
            "pretrain_wall_time_s": sum(s["wall_time_s"] for s in runs)}
