"""SST with IMDB pre-training: the shared vocabulary, the IMDB task, what carries over."""

import dataclasses

import numpy as np
import torch

from course_lib.data import TokenizedCorpus
from course_lib.experiments.common.imdb_pretraining import (
    RECIPE,
    TransferConfig,
    encoder_state,
    imdb_task,
)
from course_lib.experiments.common.sst_data import build_vocab
from course_lib.experiments.common.sst_models import build_model
from course_lib.experiments.common.sst_training import SSTConfig


def test_vocab_adds_the_extra_corpus_words():
    vocab = build_vocab([["good", "film"]], [[["great", "zzqx", "plot"]]], ["great"],
                        extra_counts={"plot": 3, "film": 5})
    assert set(vocab.itos[2:]) == {"good", "film", "plot", "great"} and "zzqx" not in vocab
    assert vocab.itos[2] == "film"  # the counts add up: 1 in SST + 5 in IMDB


def test_imdb_task_uses_the_shared_vocabulary_and_cuts_reviews():
    corpus = TokenizedCorpus.from_texts(["A good film, isn't it?", "Dull.", "Good good good"])
    imdb = {"train": (corpus, np.array([1, 0, 1])), "test": (corpus, np.array([1, 0, 1]))}
    vocab = build_vocab([["a", "good", "film", "is", "n't"]], [], [])
    config = TransferConfig(imdb_reviews=None, imdb_test_reviews=2, imdb_max_len=4)
    task = imdb_task(config, vocab, imdb)
    ids, lengths, labels = (task.data["train"][k] for k in ("inputs", "lengths", "targets"))
    assert ids.shape == (3, 4) and lengths.tolist() == [4, 2, 3] and labels.tolist() == [1, 0, 1]
    assert vocab.decode(ids[0, :3]) == ["a", "good", "film"] and ids[0, 3] == vocab.unk_id  # ","
    assert ids[1, 0] == vocab.unk_id and len(task.data["test"]["targets"]) == 2


def test_encoder_carries_over_and_the_head_is_fresh():
    config = SSTConfig(hidden_size=4)
    embedding = np.random.default_rng(0).normal(size=(10, 50)).astype(np.float32)
    torch.manual_seed(0)
    imdb_model = build_model(dataclasses.replace(RECIPE, labels="binary"), 10, embedding, config)
    state = encoder_state(imdb_model)
    assert state and not any(k.startswith("head.") for k in state)
    torch.manual_seed(1)
    sst_model = build_model(RECIPE, 10, embedding, config)
    head = sst_model.head.weight.clone()
    sst_model.load_state_dict(state, strict=False)
    assert sst_model.head.weight.shape == (5, 4 * config.hidden_size)
    assert torch.equal(sst_model.head.weight, head)
    for name, value in state.items():
        assert torch.equal(sst_model.state_dict()[name], value), name
