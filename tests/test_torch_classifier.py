"""SequenceClassifier: padding never leaks, bidirectional reads each sequence within its length."""

import pytest
import torch

from course_lib.torch_models import SequenceClassifier, reverse_padded
from course_lib.torch_models.pooling import POOLINGS

LENGTHS = torch.tensor([6, 2, 4, 1])


def padded_features(seed, D=3, pad_value=0.0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(len(LENGTHS), int(LENGTHS.max()), D, generator=g, dtype=torch.float64)
    for n, L in enumerate(LENGTHS):
        x[n, L:] = pad_value
    return x


def make(seed=0, **kw):
    torch.manual_seed(seed)
    kw = {"input_size": 3, "hidden_size": 5, **kw}
    return SequenceClassifier(3, **kw).double().eval()


@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("rnn_type", ["lstm", "gru", "rnn"])
def test_pad_values_change_nothing_and_equal_unpadded_runs(pooling, bidirectional, rnn_type):
    model = make(pooling=pooling, bidirectional=bidirectional, rnn_type=rnn_type, num_layers=2)
    x = padded_features(1)
    out = model(x, LENGTHS)
    garbage = x.clone()
    for n, L in enumerate(LENGTHS):
        garbage[n, L:] = 1e3 * torch.randn(garbage[n, L:].shape, dtype=torch.float64)
    assert (model(garbage, LENGTHS) - out).abs().max() < 1e-12
    for n, L in enumerate(LENGTHS):  # each sequence alone, no padding at all
        alone = model(x[n:n + 1, :L])
        assert (alone - out[n]).abs().max() < 1e-12


def test_packed_sequences_give_the_same_answer():
    kw = {"pooling": "max", "bidirectional": True, "num_layers": 2}
    x = padded_features(2)
    a, b = make(**kw)(x, LENGTHS), make(**kw, pack=True)(x, LENGTHS)
    assert (a - b).abs().max() < 1e-12


def test_token_ids_padding_and_attention_weights():
    torch.manual_seed(0)
    model = SequenceClassifier(2, vocab_size=30, embed_dim=4, hidden_size=5, pooling="attention",
                               bidirectional=True).eval()
    ids = torch.randint(1, 30, (4, 6))
    other = ids.clone()
    for n, L in enumerate(LENGTHS):
        ids[n, L:], other[n, L:] = 0, 7  # pad id 0 vs arbitrary ids after the end
    (a, wa), (b, wb) = model(ids, LENGTHS, return_weights=True), model(other, LENGTHS, return_weights=True)
    assert torch.allclose(a, b, atol=1e-6) and torch.allclose(wa, wb, atol=1e-6)
    assert torch.allclose(wa.sum(1), torch.ones(4))
    assert (wa[1, 2:] == 0).all() and wa.shape == (4, 6)


def test_pretrained_embedding_frozen_or_fine_tuned():
    matrix = torch.randn(10, 4)
    frozen = SequenceClassifier(2, pretrained=matrix, freeze_embedding=True, hidden_size=3)
    tuned = SequenceClassifier(2, pretrained=matrix, hidden_size=3)
    assert torch.equal(frozen.embedding.weight, matrix) and not frozen.embedding.weight.requires_grad
    assert tuned.embedding.weight.requires_grad
    assert frozen(torch.ones(2, 5, dtype=torch.long)).shape == (2, 2)


def test_scratch_impl_is_padding_exact_too():
    model = make(impl="scratch", bidirectional=True, pooling="last")
    x = padded_features(3)
    out = model(x, LENGTHS)
    assert (model(x[1:2, :2]) - out[1]).abs().max() < 1e-12


def test_reverse_padded_reverses_within_length():
    x = torch.arange(4 * 6).view(4, 6, 1).float()
    r = reverse_padded(x, LENGTHS)[..., 0]
    assert r[1].tolist() == [7, 6, 8, 9, 10, 11]
    assert torch.equal(reverse_padded(reverse_padded(x, LENGTHS), LENGTHS), x)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="pooling"):
        SequenceClassifier(2, input_size=3, pooling="median")
    with pytest.raises(ValueError, match="lengths"):
        make()(padded_features(0), torch.tensor([7, 1, 1, 1]))
