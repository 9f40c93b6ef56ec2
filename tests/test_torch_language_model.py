"""LanguageModel: shapes, carried state, weight tying; reproducible sampling from it."""

import pytest
import torch

from course_lib.torch_models import LanguageModel
from course_lib.torch_models.sampling import complete


def test_forward_shapes_and_carried_state_equals_one_long_window():
    torch.manual_seed(0)
    model = LanguageModel(30, 8, 8, num_layers=2).double().eval()
    tokens = torch.randint(0, 30, (3, 10))
    whole, _ = model(tokens)
    first, state = model(tokens[:, :4])
    second, _ = model(tokens[:, 4:], LanguageModel.detach_state(state))
    assert whole.shape == (3, 10, 30) and state[0].shape == (2, 3, 8)
    assert torch.allclose(torch.cat([first, second], 1), whole, atol=1e-12)


def test_detach_cuts_the_graph():
    model = LanguageModel(10, 4, 4, num_layers=1)
    _, state = model(torch.zeros(2, 3, dtype=torch.long))
    assert state[0].requires_grad and not any(s.requires_grad for s in model.detach_state(state))


def test_weight_tying_shares_one_matrix():
    model = LanguageModel(20, 6, 6, tie_weights=True)
    assert model.decoder.weight is model.embedding.weight
    with pytest.raises(ValueError, match="tie_weights"):
        LanguageModel(20, 5, 6, tie_weights=True)


def test_scratch_impl_matches_nn_lstm_impl():
    torch.manual_seed(0)
    a = LanguageModel(15, 4, 5, num_layers=2).double()
    b = LanguageModel(15, 4, 5, num_layers=2, impl="scratch").double()
    from course_lib.torch_models.lstm import LSTM
    b.lstm = LSTM.from_nn_lstm(a.lstm)
    b.embedding.load_state_dict(a.embedding.state_dict())
    b.decoder.load_state_dict(a.decoder.state_dict())
    tokens = torch.randint(0, 15, (2, 7))
    assert torch.allclose(a(tokens)[0], b(tokens)[0], atol=1e-12)


class IdVocab:
    """A vocabulary whose words are the token ids themselves, for :func:`complete`."""

    def __init__(self, size):
        self.itos = list(range(size))

    def __getitem__(self, word):
        return word


def generate(model, prefix, n, **sampling):
    """The ``n`` token ids that :func:`complete` adds to ``prefix`` (no stop token)."""
    words = complete(model, IdVocab(model.vocab_size), list(prefix), n, stop=None, **sampling)
    return [token for token, _ in words]


def test_sampling_is_reproducible_with_a_seed():
    torch.manual_seed(0)
    model = LanguageModel(40, 8, 8, dropout=0.5)
    model.train()
    one = generate(model, [1, 2, 3], 12, temperature=0.8, top_k=5, seed=7)
    two = generate(model, [1, 2, 3], 12, temperature=0.8, top_k=5, seed=7)
    assert one == two and len(one) == 12 and all(0 <= t < 40 for t in one)
    assert model.training  # mode restored
    greedy = generate(model, [4], 5, temperature=0)
    assert greedy == generate(model, [4], 5, temperature=0)
    logits, _ = model.eval()(torch.tensor([[4]]))
    assert greedy[0] == int(logits[0, -1].argmax())


def test_top_k_one_is_greedy():
    torch.manual_seed(1)
    model = LanguageModel(25, 6, 6)
    assert generate(model, [3, 1], 6, top_k=1, seed=0) == generate(model, [3, 1], 6, temperature=0)
