"""SST-5 with transfer from IMDB: pre-train the encoder on movie reviews, then fine-tune on SST.

SST has 8,544 training sentences; IMDB has 25,000 labelled movie reviews (positive or
negative), the same domain with about 40 times the words. Each seed of the ``transfer`` row:

1. one vocabulary for both corpora: the SST training words, the IMDB words seen at least
   ``imdb_min_freq`` times, the dev/test words GloVe knows (:func:`.common.sst_data.build_vocab`);
   every row of the embedding starts from GloVe-50 (random where GloVe lacks the word);
2. **pre-train** the row's model (BiLSTM, max + attention pooling, :mod:`.common.sst_models`) with a
   two-class head on IMDB: ``imdb_epochs`` passes over the reviews, each cut to its first
   ``imdb_max_len`` tokens;
3. keep the embedding, the BiLSTM and the attention, put a fresh five-class head on top and
   **fine-tune** everything on the SST phrases as the ``phrases-glove`` row of ``sst`` does.

The ``no-pretraining`` row is the control: the same vocabulary, model and fine-tuning, from
GloVe alone. Both use dropout 0.3 (the ``sst`` rows use 0.5): the pre-trained model's mean dev
accuracy over three seeds was 48.6 % at 0.3 against 48.0 % at 0.5 (``--set dropout=0.5``).

IMDB and SST split words the same way (``n't`` and ``'s`` apart, as in the Penn Treebank), so
a word has one row whichever corpus it comes from. The test accuracy is read at the round of
best SST **dev** accuracy; the IMDB test reviews are only scored to show what the pre-training
learnt. Results go to ``results/sst-transfer.json``; ``results/sst.json`` keeps the other rows.

The configuration and the pre-training are in :mod:`.common.imdb_pretraining` (``sst-tree``
pre-trains its BiLSTM leaves the same way), the training of a row in :mod:`.common.sst_training`.
"""

from __future__ import annotations

from course_lib.experiments.common.imdb_pretraining import (
    RECIPE,
    TransferConfig,
    pretrain,
    pretraining_summary,
    shared_vocab,
)
from course_lib.experiments.common.sst_data import REFERENCES, SEED_ROWS, encode, load_split
from course_lib.experiments.common.sst_training import run_row
from course_lib.runs.registry import register

PROFILES = {
    "smoke": TransferConfig(seeds=2, hidden_size=8, phrase_rounds=2, train_size=60, eval_size=60,
                            imdb_reviews=64, imdb_test_reviews=32, imdb_max_len=30,
                            imdb_epochs=1, examples=4),
    "laptop": TransferConfig(),
    "full": TransferConfig(seeds=5, hidden_size=300, phrase_rounds=12, imdb_max_len=400,
                           imdb_epochs=4),
}


@register("sst-transfer", "SST-5: the phrase-level BiLSTM pre-trained on IMDB reviews, then "
                          "fine-tuned on SST phrases; mean ± std over seeds", PROFILES)
def run(config: TransferConfig, ctx):
    from course_lib.data import load_glove

    unknown = set(config.rows) - {"no-pretraining", "transfer"}
    if unknown:
        raise ValueError(f"sst-transfer's rows are 'no-pretraining' and 'transfer'; got {unknown}")
    glove = load_glove(50)
    train = load_split("train", "fine", phrases=True, limit=config.train_size)
    dev = load_split("dev", "fine", limit=config.eval_size)
    test = load_split("test", "fine", limit=config.eval_size)
    vocab, imdb = shared_vocab(config, train[0], [dev[0], test[0]], glove)
    data = (encode(vocab, *train), encode(vocab, *dev), encode(vocab, *test), vocab)

    rows = {}
    for name in config.rows:
        start_from = None
        if name == "transfer":
            def start_from(seed):
                return pretrain(config, ctx, vocab, glove, imdb, seed)
        rows[name] = run_row(name, RECIPE, config, ctx, data, glove, start_from=start_from)
        rows[name]["train_examples"] = len(train[1])
    if "transfer" in rows:
        rows["transfer"].update(pretraining_summary(ctx, config))
    return {"rows": rows, "test_labels": {"fine": data[2][2].tolist()},
            "vocab_size": len(vocab),
            "seed_rows": SEED_ROWS, "references": REFERENCES,
            "reference_lines": {"accuracy": {"seed best 47.3 %": 0.473, "target 50.0 %": 0.50}}}
