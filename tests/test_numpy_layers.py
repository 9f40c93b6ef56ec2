"""The NumPy layers around the LSTM: gradient checks, exact masking, errors; gradcheck itself."""

import numpy as np
import pytest

from course_lib.numpy_core import (
    affine_backward,
    affine_forward,
    check_layer_gradients,
    dropout_backward,
    dropout_forward,
    masked_mean_backward,
    masked_mean_forward,
    numerical_gradient,
    rel_error,
    softmax_cross_entropy_backward,
    softmax_cross_entropy_forward,
    word_embedding_backward,
    word_embedding_forward,
)

TOL = 1e-7
rng = np.random.default_rng(0)


def padding_mask(lengths, T):
    return np.arange(T)[None, :] < np.asarray(lengths)[:, None]  # (N, T)


@pytest.mark.parametrize("N, T, V, D", [(1, 1, 1, 1), (2, 3, 5, 4), (3, 4, 2, 1)])
def test_word_embedding_gradient_sums_repeated_tokens(N, T, V, D):
    x = rng.integers(0, V, (N, T))
    result = check_layer_gradients(word_embedding_forward, word_embedding_backward,
                                   {"x": x, "W": rng.standard_normal((V, D))})
    assert result.worst[1] < TOL and list(result.errors) == ["W"]


@pytest.mark.parametrize("shape", [(1, 1), (3, 4), (1, 1, 1), (2, 5, 3)])
def test_affine_gradients_plain_and_time_distributed(shape):
    inputs = {"x": rng.standard_normal(shape), "W": rng.standard_normal((shape[-1], 6)),
              "b": rng.standard_normal(6)}
    result = check_layer_gradients(affine_forward, affine_backward, inputs)
    assert result.worst[1] < TOL, str(result)


@pytest.mark.parametrize("N, T, H", [(1, 1, 1), (3, 5, 4)])
def test_masked_mean_gradient(N, T, H):
    mask = padding_mask(rng.integers(1, T + 1, N), T)
    result = check_layer_gradients(masked_mean_forward, masked_mean_backward,
                                   {"x": rng.standard_normal((N, T, H)), "mask": mask})
    assert result.worst[1] < TOL, str(result)


def test_masked_mean_ignores_padding_exactly():
    N, T, H = 4, 6, 3
    mask = padding_mask([6, 1, 3, 4], T)
    x = rng.standard_normal((N, T, H))
    out, cache = masked_mean_forward(x, mask)
    for n, length in enumerate([6, 1, 3, 4]):
        assert np.allclose(out[n], x[n, :length].mean(axis=0), rtol=0, atol=1e-14)
    x2 = np.where(mask[:, :, None], x, 1e6 * rng.standard_normal((N, T, H)))  # new pad values
    out2, cache2 = masked_mean_forward(x2, mask)
    assert np.array_equal(out, out2)
    dout = rng.standard_normal((N, H))
    dx = masked_mean_backward(dout, cache)
    assert np.array_equal(dx, masked_mean_backward(dout, cache2))
    assert np.all(dx[~mask] == 0)
    no_mask, _ = masked_mean_forward(x)
    assert np.allclose(no_mask, x.mean(axis=1), rtol=0, atol=1e-14)


@pytest.mark.parametrize("average", ["batch", "tokens"])
@pytest.mark.parametrize("shape", [(1, 1), (4, 3), (1, 1, 1), (3, 5, 4)])
def test_softmax_cross_entropy_gradient(shape, average):
    scores = rng.standard_normal(shape)
    y = rng.integers(0, shape[-1], shape[:-1])
    mask = rng.random(shape[:-1]) < 0.7
    mask.flat[0] = True
    result = check_layer_gradients(softmax_cross_entropy_forward, softmax_cross_entropy_backward,
                                   {"scores": scores, "y": y, "mask": mask, "average": average})
    assert result.worst[1] < TOL, str(result)


def test_softmax_cross_entropy_values_and_masking():
    N, T, C = 3, 4, 5
    scores = rng.standard_normal((N, T, C))
    y = rng.integers(0, C, (N, T))
    mask = padding_mask([4, 2, 1], T)
    log_p = scores - np.log(np.exp(scores).sum(-1, keepdims=True))
    picked = np.take_along_axis(log_p, y[..., None], -1)[..., 0]
    loss, cache = softmax_cross_entropy_forward(scores, y, mask)
    assert np.isclose(loss, -picked[mask].sum() / N, rtol=1e-13)
    loss_tok, _ = softmax_cross_entropy_forward(scores, y, mask, average="tokens")
    assert np.isclose(loss_tok, -picked[mask].mean(), rtol=1e-13)
    # pad positions: any scores, any label (even invalid ones) change nothing
    scores2 = np.where(mask[..., None], scores, 50 * rng.standard_normal((N, T, C)))
    y2 = np.where(mask, y, -1)
    loss2, cache2 = softmax_cross_entropy_forward(scores2, y2, mask)
    assert loss2 == loss
    d1, d2 = (softmax_cross_entropy_backward(1.0, c) for c in (cache, cache2))
    assert np.array_equal(d1, d2) and np.all(d1[~mask] == 0)
    # a huge score does not overflow
    big, _ = softmax_cross_entropy_forward(np.array([[1000.0, 0.0]]), np.array([1]))
    assert np.isclose(big, 1000.0)
    assert softmax_cross_entropy_forward(scores.astype(np.float32), y)[0] > 0
    d32 = softmax_cross_entropy_backward(1.0, softmax_cross_entropy_forward(
        scores.astype(np.float32), y)[1])
    assert d32.dtype == np.float32


def test_dropout_is_inverted_and_its_gradient_is_checked():
    x = rng.standard_normal((200, 50))
    out, cache = dropout_forward(x, 0.3, train=True, rng=1)
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.02
    assert np.allclose(out[kept], x[kept] / 0.7)
    assert np.array_equal(dropout_backward(np.ones_like(x), cache), np.where(kept, 1 / 0.7, 0))
    same, _ = dropout_forward(x, 0.3, train=False)
    assert same is x
    result = check_layer_gradients(dropout_forward, dropout_backward,
                                   {"x": rng.standard_normal((3, 4)), "p": 0.5, "rng": 7})
    assert result.worst[1] < TOL
    assert dropout_forward(x.astype(np.float32), 0.5, rng=0)[0].dtype == np.float32


@pytest.mark.parametrize("call, message", [
    (lambda: word_embedding_forward(np.array([[0, 5]]), np.zeros((5, 2))), "token ids outside"),
    (lambda: word_embedding_forward(np.array([[0.5]]), np.zeros((5, 2))), "x must hold integer"),
    (lambda: affine_forward(np.zeros((2, 3)), np.zeros((4, 5)), np.zeros(5)), "x has shape"),
    (lambda: affine_forward(np.zeros((2, 4)), np.zeros((4, 5)), np.zeros(4)), "b has shape"),
    (lambda: masked_mean_forward(np.zeros((2, 3, 4)), np.ones((2, 4))), "mask has shape"),
    (lambda: masked_mean_forward(np.zeros((2, 3, 4)), np.zeros((2, 3))), "no real step"),
    (lambda: softmax_cross_entropy_forward(np.zeros((2, 3, 4)), np.zeros(2, int)), "y has shape"),
    (lambda: softmax_cross_entropy_forward(np.zeros((2, 4)), np.array([0, 4])), "labels outside"),
    (lambda: softmax_cross_entropy_forward(np.zeros((2, 4)), np.zeros(2, int), None, "mean"),
     "average must be"),
    (lambda: dropout_forward(np.zeros(3), 1.0), "p must be in"),
])
def test_layers_raise_value_errors_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_numerical_gradient_and_rel_error():
    x = rng.standard_normal((3, 4))
    grad = numerical_gradient(lambda v: np.sum(v**3), x)
    assert rel_error(grad, 3 * x**2) < 1e-9
    dout = rng.standard_normal((3, 4))
    assert rel_error(numerical_gradient(np.sin, x, dout), np.cos(x) * dout) < 1e-9
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error(np.ones(3), -np.ones(3)) == 1.0
    with pytest.raises(ValueError, match="float32"):
        numerical_gradient(np.sum, x.astype(np.float32))
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(np.zeros(3), np.zeros(4))


def test_gradient_check_catches_a_wrong_backward():
    def bad_backward(dout, cache):
        dx, dW, db = affine_backward(dout, cache)
        return dx, 1.01 * dW, db

    inputs = {"x": rng.standard_normal((3, 4)), "W": rng.standard_normal((4, 2)),
              "b": rng.standard_normal(2)}
    result = check_layer_gradients(affine_forward, bad_backward, inputs)
    assert result.worst[0] == "W" and 1e-3 < result.worst[1] < 1e-2
    assert not result.passed() and "W" in str(result)
    sampled = check_layer_gradients(affine_forward, affine_backward, inputs, samples=3)
    assert sampled.passed()
