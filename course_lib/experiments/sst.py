"""Stanford Sentiment Treebank, five classes (SST-5) and two (SST-2): LSTMs with and without
attention, GloVe against random embeddings, and the phrase-level recipe that goes further.

One experiment, ``sst``, trains the *rows* its configuration names, each with several seeds,
and reports mean ± std of the test accuracy at the epoch of best **dev** accuracy (the test split
never picks anything). The rows:

- the seeds' table, trained on the 8,544 training *sentences* as the seeds did (Adam lr 1e-3,
  weight decay 1e-4, dropout 0.5, batch 64): ``lstm``, ``stacked`` (2 layers), ``seed_attention``
  (the seeds' variant, :class:`~course_lib.torch_models.SeedAttention`) and ``attention``
  (additive), each with ``-glove`` or ``-random`` embeddings;
- ``phrases-*``: a bidirectional LSTM trained on every labelled *phrase* of the training trees
  (159,274 distinct phrases: 19x the labels of the sentences alone), pooled by max and attention
  side by side, evaluated every half pass, the learning rate halved after the fourth evaluation;
- ``sst2-phrases``: the same recipe on the binary task (neutral dropped).

Per seed, the best-dev checkpoint's test predictions are kept, so the results also hold the
confusion matrix, an ensemble of the seeds (an extra row, not a per-seed one) and attention
weights of example test sentences. ``python -m course_lib.plots.sst`` draws the summary
pictures (``results/sst-{overfitting,confusion,attention}.png``) from ``results/sst.json``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np
import torch

from course_lib.experiments.common.sst_models import RECIPES, Recipe, build_model, group_params
from course_lib.runs.registry import register
from course_lib.training import ClassificationTask, TrainConfig, load_checkpoint, padded_split

SEED_ROWS = {"LSTM + attention (seed, best)": 0.473, "SGD (seed)": 0.232}
REFERENCES = {"Kim 2014 CNN": 0.480, "Tai et al. 2015 BiLSTM": 0.491,
              "Tai et al. 2015 Tree-LSTM": 0.510}
SST2_REFERENCES = {"Kim 2014 CNN (SST-2)": 0.881, "Tai et al. 2015 BiLSTM (SST-2)": 0.872}
TOKEN_MAP = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}


@dataclass
class SSTConfig:
    rows: tuple = ("phrases-glove", "sst2-phrases", "lstm-glove", "lstm-random",
                   "stacked-glove", "stacked-random", "seed_attention-glove",
                   "seed_attention-random", "attention-glove", "attention-random")
    seeds: int = 3  # seeds per row: seed, seed + 1, ...
    hidden_size: int = 150  # H per direction
    sentence_epochs: int = 10  # rows trained on sentences (the seeds' overfitting curve)
    phrase_rounds: int = 8  # rows trained on phrases: evaluations, each after ...
    phrase_fraction: float = 0.5  # ... this fraction of the phrases (a random subset per round)
    batch_size: int = 64
    lr: float = 1e-3  # Adam
    weight_decay: float = 1e-4
    dropout: float = 0.5
    train_size: int | None = None  # keep only the first N training trees (smoke)
    eval_size: int | None = None  # keep only the first N dev and test trees (smoke)
    examples: int = 12  # test sentences whose attention weights are stored (half right, half wrong)
    seed: int = 0


PROFILES = {
    "smoke": SSTConfig(rows=("lstm-glove", "attention-random", "phrases-glove", "sst2-phrases"),
                       seeds=2, hidden_size=8, sentence_epochs=2, phrase_rounds=2,
                       train_size=60, eval_size=60, examples=4),
    "laptop": SSTConfig(),
    "full": SSTConfig(seeds=5, hidden_size=300, sentence_epochs=20, phrase_rounds=12),
}


def clean(tokens):
    """SST tokens as GloVe spells them: lower case, brackets restored."""
    return [TOKEN_MAP.get(t, t).lower() for t in tokens]


@functools.lru_cache(maxsize=3)
def _trees(split):
    from course_lib.data import load_sst_trees

    return load_sst_trees(split)


def load_split(split, labels, phrases=False, limit=None):
    """Token lists and labels of an SST split; with ``phrases`` every distinct labelled phrase
    of the split's trees (a phrase seen twice is kept once)."""
    from course_lib.data.sst import _collect_phrases

    trees = _trees(split)[:limit]
    examples = []
    for tree in trees:
        if phrases:
            _collect_phrases(tree, examples)
        else:
            examples.append((tree.leaves(), tree.label))
    if phrases:
        examples = list({tuple(t): (t, y) for t, y in reversed(examples)}.values())[::-1]
    if labels == "binary":
        examples = [(t, int(y > 2)) for t, y in examples if y != 2]
    return [clean(t) for t, _ in examples], np.array([y for _, y in examples], dtype=np.int64)


def build_vocab(train_texts, other_texts, glove_words, extra_counts=None):
    """Words of the training split (by frequency), then the dev/test words GloVe knows: their
    vectors come for free and no label is used. ``extra_counts`` ({word: count}) adds the words
    of another training corpus (IMDB, in :mod:`.sst_transfer`)."""
    from collections import Counter

    from course_lib.data import Vocab

    counts, known = Counter(w for t in train_texts for w in t), set(glove_words)
    counts.update(extra_counts or {})
    for texts in other_texts:
        counts.update({w: 0 for t in texts for w in t if w in known and w not in counts})
    return Vocab(counts, min_freq=0)


def encode(vocab, texts, labels):
    """(ids (N, T) right-padded, lengths (N,), labels (N,)) tensors."""
    return padded_split([vocab.encode(t) for t in texts], labels, pad_id=vocab.pad_id)


class SSTTask(ClassificationTask):
    """A :class:`ClassificationTask` with two extras for SST:

    - label smoothing: the target puts ``1 - s`` on the label and spreads ``s`` over all classes
      (softer targets for SST's noisy, neighbouring classes); evaluation uses the plain loss;
    - ``fraction``: an "epoch" of the Trainer trains on that fraction of the training batches (a
      fresh random subset each time), so the 159k phrases are evaluated twice per pass at 0.5.
    """

    def __init__(self, *args, label_smoothing=0.0, fraction=1.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_smoothing, self.fraction = label_smoothing, fraction

    def num_batches(self, split):
        n = super().num_batches(split)
        return math.ceil(n * self.fraction) if split == "train" else n

    def _order(self, split, generator):
        batches = super()._order(split, generator)  # shuffled: the first ones are a random subset
        return batches[:self.num_batches(split)] if split == "train" else batches

    def loss(self, outputs, targets):
        smooth = self.label_smoothing if torch.is_grad_enabled() else 0.0
        loss = torch.nn.functional.cross_entropy(outputs, targets, label_smoothing=smooth)
        return loss, {"accuracy": (outputs.argmax(1) == targets).sum()}


@torch.no_grad()
def predict(model, data, batch_size=500):
    """Class probabilities (N, C) and attention weights (list of (T_n,) or None) of ``data``."""
    ids, lengths, _ = data
    device = next(model.parameters()).device
    model.eval()
    probs, weights = [], []
    for start in range(0, len(ids), batch_size):
        n = lengths[start:start + batch_size]
        batch = ids[start:start + batch_size, :int(n.max())].to(device)
        logits, w = model(batch, n.to(device), return_weights=True)
        probs.append(torch.softmax(logits, 1).cpu())
        weights += [None if w is None else w[i, :n[i]].tolist() for i in range(len(n))]
    return torch.cat(probs).numpy(), weights


def run_row(name: str, recipe: Recipe, config: SSTConfig, ctx, data, glove,
            start_from=None) -> dict:
    """Train ``recipe`` with ``config.seeds`` seeds; summary of the test accuracy at best dev.

    ``start_from``: None, or a function seed -> state dict loaded into each seed's model before
    training (a pre-trained encoder, :mod:`.sst_transfer`); parameters it lacks keep their
    fresh values."""
    train, dev, test, vocab = data
    pretrained = None
    if recipe.embedding == "glove":
        from course_lib.data import embedding_matrix

        pretrained = embedding_matrix(vocab, glove, seed=config.seed)[0]
    epochs = config.phrase_rounds if recipe.phrases else config.sentence_epochs
    task = SSTTask(train, dev, test, batch_size=config.batch_size, eval_batch_size=500,
                   bucket=True, label_smoothing=recipe.label_smoothing,
                   fraction=config.phrase_fraction if recipe.phrases else 1.0)
    schedule = {} if recipe.halve_after is None else {"schedule": "halve",
                                                       "halve_after": recipe.halve_after}
    accuracies, dev_accuracies, predictions, probabilities, best_epochs = [], [], [], [], []
    for k in range(config.seeds):
        seed = config.seed + k
        torch.manual_seed(seed)
        model = build_model(recipe, len(vocab), pretrained, config)
        if start_from is not None:
            model.load_state_dict(start_from(seed), strict=False)
        train_config = TrainConfig(epochs=epochs, lr=config.lr, weight_decay=config.weight_decay,
                                   clip_norm=5.0, monitor="val_accuracy", eval_test=True, seed=seed,
                                   **schedule)
        trainer = ctx.fit(f"{name}/seed{seed}", model, task, train_config,
                          param_groups=group_params(model, recipe))
        summary = ctx.summaries[f"{name}/seed{seed}"]
        best = summary["best"]
        accuracies.append(best["test_accuracy"])
        dev_accuracies.append(best["val_accuracy"])
        best_epochs.append(summary["best_epoch"])
        model.load_state_dict(load_checkpoint(trainer.checkpoint_dir / "best.pt")["model"])
        probs, weights = predict(model, test)
        probabilities.append(probs)
        predictions.append(probs.argmax(1).tolist())
    ensemble = np.mean(probabilities, axis=0).argmax(1)
    row = {"recipe": dataclasses.asdict(recipe), "epochs": epochs, "seeds": config.seeds,
           "test_accuracy": accuracies, "val_accuracy": dev_accuracies, "best_epoch": best_epochs,
           "test_mean": float(np.mean(accuracies)), "test_std": float(np.std(accuracies, ddof=1))
           if len(accuracies) > 1 else 0.0,
           "ensemble_test_accuracy": float((ensemble == test[2].numpy()).mean()),
           "test_predictions": predictions,
           "wall_time_s": sum(ctx.summaries[f"{name}/seed{config.seed + k}"]["wall_time_s"]
                              for k in range(config.seeds))}
    if weights[0] is not None:
        row["examples"] = attention_examples(weights, predictions[-1], test, vocab,
                                             config.examples)
    return row


def attention_examples(weights, predicted, test, vocab, count):
    """Up to ``count`` short test sentences with their attention weights: half right, half wrong."""
    ids, lengths, labels = test
    right, wrong = [], []
    for i in np.argsort(lengths.numpy(), kind="stable"):
        if lengths[i] < 6 or len(right) + len(wrong) >= count:
            continue
        item = {"tokens": vocab.decode(ids[i, :lengths[i]]), "weights": weights[i],
                "label": int(labels[i]), "predicted": int(predicted[i])}
        bucket = right if item["label"] == item["predicted"] else wrong
        if len(bucket) < count // 2:
            bucket.append(item)
    return right + wrong


def prepare(labels: str, phrases: bool, config: SSTConfig, glove):
    """(train, dev, test, vocab): encoded tensors; dev and test are whole sentences."""
    train = load_split("train", labels, phrases, config.train_size)
    dev = load_split("dev", labels, limit=config.eval_size)
    test = load_split("test", labels, limit=config.eval_size)
    vocab = build_vocab(train[0], [dev[0], test[0]], glove.words)
    return (encode(vocab, *train), encode(vocab, *dev), encode(vocab, *test), vocab)


@register("sst", "SST-5/SST-2: LSTM, stacked, attention (seeds' and additive), GloVe or not, "
                 "phrase-level BiLSTM; mean ± std over seeds", PROFILES)
def run(config: SSTConfig, ctx):
    from course_lib.data import load_glove

    glove = load_glove(50)
    unknown = [r for r in config.rows if r not in RECIPES]
    if unknown:
        raise ValueError(f"unknown rows {unknown}; known: {sorted(RECIPES)}")
    cache, rows = {}, {}
    for name in config.rows:
        recipe = RECIPES[name]
        key = (recipe.labels, recipe.phrases)
        if key not in cache:
            cache[key] = prepare(recipe.labels, recipe.phrases, config, glove)
        rows[name] = run_row(name, recipe, config, ctx, cache[key], glove)
        train = cache[key][0]
        rows[name]["train_examples"] = len(train[2])
    test_labels = {labels: cache[key][2][2].tolist() for key in cache for labels in [key[0]]}
    return {"rows": rows, "test_labels": test_labels, "seed_rows": SEED_ROWS,
            "references": REFERENCES, "sst2_references": SST2_REFERENCES,
            "reference_lines": {"accuracy": {"seed best 47.3 %": 0.473, "target 50.0 %": 0.50}}}
