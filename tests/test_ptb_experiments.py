"""PTB language modelling: Zaremba's recipes, the NumPy LM loop, sampling, and smoke runs."""

import math

import numpy as np
import pytest
import torch

from course_lib.checks.ptb_word_lm import reference_next_token_probs
from course_lib.data import registry
from course_lib.data.fetch import find
from course_lib.experiments.ptb_char import parse_variant
from course_lib.experiments.ptb_numpy import unigram_log_probs
from course_lib.experiments.ptb_word import OURS, ZAREMBA
from course_lib.numpy_core import SGD
from course_lib.numpy_core import LanguageModel as NumpyLM
from course_lib.numpy_core.lm_train import evaluate_language_model, fit_language_model
from course_lib.torch_models import LanguageModel
from course_lib.torch_models.sampling import complete, next_token_probs, next_word_table
from course_lib.training import TrainConfig, learning_rate
from tests.conftest import requires_ci_or_skip


def test_zaremba_presets_are_the_papers():
    small, medium, large = ZAREMBA["small"], ZAREMBA["medium"], ZAREMBA["large"]
    assert (small.hidden_size, small.num_layers, small.dropout, small.bptt, small.batch_size,
            small.lr, small.clip_norm, small.epochs, small.init_range) == (200, 2, 0.0, 20, 20,
                                                                            1.0, 5.0, 13, 0.1)
    assert (medium.hidden_size, medium.dropout, medium.bptt, medium.epochs) == (650, 0.5, 35, 39)
    assert (large.hidden_size, large.dropout, large.clip_norm, large.epochs) == (1500, 0.65, 10.0, 55)
    assert ZAREMBA["medium-tied"].tie_weights and not medium.tie_weights
    assert OURS.tie_weights and OURS.dropout > 0


def test_small_schedule_is_four_epochs_at_one_then_halving():
    c = ZAREMBA["small"]
    config = TrainConfig(lr=c.lr, schedule="halve", halve_after=c.halve_after, lr_factor=c.lr_factor)
    lrs = [learning_rate(config, e) for e in range(c.epochs)]
    assert lrs[:5] == [1.0, 1.0, 1.0, 1.0, 0.5] and lrs[-1] == pytest.approx(0.5 ** 9)


def test_parse_variant_and_unigram():
    assert parse_variant("2x256-e8") == (2, 256, 8)
    log_p = unigram_log_probs(np.array([0, 0, 1]), 3)
    assert np.allclose(np.exp(log_p), [3 / 6, 2 / 6, 1 / 6])


def test_numpy_lm_loop_reports_per_token_losses_and_resumes(tmp_path):
    rng = np.random.default_rng(0)
    stream = np.tile(rng.integers(0, 6, 7), 40)  # a repeating text: learnable

    def train(epochs, resume=False):
        model = NumpyLM(6, 4, 8, seed=1)
        summary = fit_language_model(model, SGD(model.params, lr=0.5), stream, stream[:100],
                                     batch_size=4, num_steps=5, epochs=epochs, clip_norm=5.0,
                                     checkpoint=tmp_path / "lm.npz", resume=resume, progress=False)
        return model, summary

    model, summary = train(2)
    history = summary["history"]
    assert history["train_perplexity"][1] < history["train_perplexity"][0] < 6.5
    assert history["val_perplexity"] == [pytest.approx(math.exp(v)) for v in history["val_loss"]]
    again = evaluate_language_model(model, np.asarray(stream[:100])[:100].reshape(4, 25), 5)
    assert again["loss"] == pytest.approx(history["val_loss"][-1])
    _, resumed = train(3, resume=True)
    _, straight = train(3)
    assert resumed["history"]["val_loss"] == pytest.approx(straight["history"]["val_loss"])


def greedy_ids(model, prefix, n):
    """The oracle: n times the most likely next token, fed back with the carried state."""
    tokens, state, out = torch.tensor([prefix]), None, []
    for _ in range(n):
        logits, state = model(tokens, state)
        tokens = logits[:, -1].argmax(-1, keepdim=True)  # (1, 1)
        out.append(int(tokens))
    return out


def test_sampling_greedy_is_the_argmax_and_top_k():
    torch.manual_seed(0)
    model = LanguageModel(12, embed_dim=6, hidden_size=6, num_layers=1, init_range=1.0)

    class Vocab:
        itos = [f"w{i}" for i in range(12)]
        stoi = {w: i for i, w in enumerate(itos)}

        def __getitem__(self, w):
            return self.stoi[w]

    vocab = Vocab()
    greedy = complete(model, vocab, "w1 w2", n=6, temperature=0.0, stop=None)
    assert [vocab[w] for w, _ in greedy] == greedy_ids(model.eval(), [1, 2], 6)
    assert all(0 < p <= 1 for _, p in greedy)
    table = next_word_table(model, vocab, "w1 w2", k=3)
    assert table[0][0] == greedy[0][0] and table[0][1] >= table[1][1] >= table[2][1]
    logits = torch.randn(12)
    for t, k in ((1.0, None), (0.5, 3), (0.0, None)):
        assert torch.allclose(next_token_probs(logits, t, k).double(),
                              reference_next_token_probs(logits, t, k), atol=1e-6)
    sampled = complete(model, vocab, "w1", n=30, temperature=1.0, top_k=2, seed=0, stop=None)
    assert len(sampled) == 30


def _need_ptb():
    missing = [name for name in registry.DATASETS["ptb"]["files"] if find(name) is None]
    requires_ci_or_skip(not missing, "real PTB data not found (set LSTM_COURSE_DATA)")


@pytest.mark.realdata
def test_ptb_streams_have_mikolovs_sizes():
    _need_ptb()
    from course_lib.experiments.common.ptb_streams import load_ptb_streams

    word = load_ptb_streams("word")
    assert len(word.vocab) == 10_000 and len(word.train) == 929_589 and len(word.test) == 82_430
    char = load_ptb_streams("char", max_tokens=1_000)
    assert len(char.vocab) == 50 and len(char.train) == 1_000


@pytest.mark.realdata
@pytest.mark.parametrize("name, runs, metric", [
    ("ptb-zaremba", ("small", "medium", "medium-tied", "large"), "test_perplexity"),
    ("ptb-word-numpy", ("numpy",), "test_perplexity"),
    ("ptb-char-depth", ("1x16-e4", "2x16-e4"), "test_bpc"),
])
def test_smoke_runs_record_every_epoch(tmp_path, name, runs, metric):
    _need_ptb()
    from course_lib.runs.runner import run_experiment

    record = run_experiment(name, profile="smoke", progress=False, results_dir=tmp_path,
                            checkpoint_root=tmp_path / "ckpt")
    assert tuple(record["history"]) == runs
    for run in runs:
        history = record["history"][run]
        assert len(history[metric]) == len(history["epoch"]) >= 1
        assert all(math.isfinite(v) for v in history[metric])
    assert record["plots"] and all((tmp_path / p).exists() for p in record["plots"])


def test_the_numpy_lm_figures_before_the_data_changes_are_the_old_record():
    import json
    import subprocess

    from course_lib.env.paths import REPO_ROOT
    from course_lib.experiments.ptb_numpy import BEFORE_DATA_CHANGES as before

    shown = subprocess.run(["git", "show", f"{before['commit']}:results/ptb-word-numpy.json"],
                           cwd=REPO_ROOT, capture_output=True, text=True)
    if shown.returncode != 0:
        pytest.skip(f"commit {before['commit']} is not in this clone's history")
    record = json.loads(shown.stdout)
    final = record["final_metrics"]["numpy"]
    assert len(record["history"]["numpy"]["epoch"]) == before["epochs"]
    assert round(final["val_perplexity"], 1) == before["val_perplexity"]
    assert round(final["test_perplexity"], 1) == before["test_perplexity"]
