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

The data (:mod:`.common.sst_data`), the models (:mod:`.common.sst_models`) and the training of
a row (:mod:`.common.sst_training`) are shared with ``sst-transfer`` and ``sst-tree``.
"""

from __future__ import annotations

from course_lib.experiments.common.sst_data import (
    REFERENCES,
    SEED_ROWS,
    SST2_REFERENCES,
    build_vocab,
    encode,
    load_split,
)
from course_lib.experiments.common.sst_models import RECIPES
from course_lib.experiments.common.sst_training import SSTConfig, run_row
from course_lib.runs.registry import register

PROFILES = {
    "smoke": SSTConfig(rows=("lstm-glove", "attention-random", "phrases-glove", "sst2-phrases"),
                       seeds=2, hidden_size=8, sentence_epochs=2, phrase_rounds=2,
                       train_size=60, eval_size=60, examples=4),
    "laptop": SSTConfig(),
    "full": SSTConfig(seeds=5, hidden_size=300, sentence_epochs=20, phrase_rounds=12),
}


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
