"""The completions a language-model run records: fixed prompts, settings and seeds, reproducible."""

import torch

from course_lib.data import Vocab
from course_lib.experiments.common.completions import (
    CHAR_SETTINGS,
    WORD_SETTINGS,
    record_completions,
)
from course_lib.torch_models import LanguageModel


def test_recorded_completions_are_reproducible_and_keep_each_tokens_probability():
    vocab = Vocab({w: 10 - i for i, w in enumerate("the company said it expects stock prices".split())})
    torch.manual_seed(0)
    model = LanguageModel(len(vocab), 4, 8, num_layers=1)
    rows = record_completions(model, vocab, ["the company said"], WORD_SETTINGS, n=5, seed=3)
    again = record_completions(model, vocab, ["the company said"], WORD_SETTINGS, n=5, seed=3)
    assert rows == again and len(rows) == len(WORD_SETTINGS)
    greedy = rows[0]
    assert greedy["label"] == "greedy" and greedy["temperature"] == 0.0
    assert 1 <= len(greedy["tokens"]) == len(greedy["probabilities"]) <= 5
    assert all(0.0 <= p <= 1.0 for p in greedy["probabilities"])


def test_character_prompts_are_read_one_symbol_at_a_time():
    vocab = Vocab({c: 5 for c in "the_compnysaid"})
    torch.manual_seed(0)
    model = LanguageModel(len(vocab), 4, 8, num_layers=1)
    rows = record_completions(model, vocab, ["the company said "], CHAR_SETTINGS[:1], n=7,
                              characters=True)
    assert len(rows) == 1 and len(rows[0]["tokens"]) == 7  # no early stop at <eos>
