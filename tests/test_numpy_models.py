"""NumPy models and optimisers: gradient checks, exact padding, carried state, training."""

import numpy as np
import pytest

from course_lib.numpy_core import (
    SGD,
    Adam,
    LanguageModel,
    SequenceClassifier,
    check_model_gradients,
    clip_grad_norm,
    global_norm,
)

TOL = 1e-7


def padding_mask(lengths, T):
    return np.arange(T)[None, :] < np.asarray(lengths)[:, None]  # (N, T)


@pytest.mark.parametrize("N, T, D, H, L", [(1, 1, 1, 1, 1), (3, 4, 2, 3, 2)])
@pytest.mark.parametrize("init", ["xavier", "seed"])
def test_classifier_gradients_dense_inputs(N, T, D, H, L, init):
    rng = np.random.default_rng(0)
    model = SequenceClassifier(D, H, 3, num_layers=L, init=init, init_scale=0.5,
                               dtype=np.float64, seed=1)
    x, y = rng.standard_normal((N, T, D)), rng.integers(0, 3, N)
    mask = padding_mask(rng.integers(1, T + 1, N), T)
    result = check_model_gradients(lambda: model.loss(x, y, mask), model.params)
    assert result.worst[1] < TOL, str(result)
    assert list(result.errors) == [f"lstm{k}.{w}" for k in range(L) for w in ("Wx", "Wh", "b")] \
        + ["out.W", "out.b"]


def test_classifier_gradients_with_embedding_and_dropout():
    rng = np.random.default_rng(2)
    model = SequenceClassifier(3, 4, 2, vocab_size=7, num_layers=2, dropout=0.3,
                               forget_bias=1.0, dtype=np.float64, seed=3)
    x, y = rng.integers(0, 7, (3, 5)), rng.integers(0, 2, 3)
    mask = padding_mask([5, 2, 3], 5)

    def loss():
        model.rng = np.random.default_rng(4)  # the same dropout masks at every call
        return model.loss(x, y, mask)

    result = check_model_gradients(loss, model.params)
    assert result.worst[1] < TOL, str(result)
    assert "embed.W" in result.errors


def test_frozen_embedding_is_not_a_parameter():
    glove = np.random.default_rng(5).standard_normal((6, 3))
    model = SequenceClassifier(3, 4, 2, embedding=glove, train_embedding=False, dtype=np.float64)
    assert "embed.W" not in model.params
    x, y = np.array([[1, 2, 3]]), np.array([1])
    loss, grads = model.loss(x, y)
    assert set(grads) == set(model.params)
    assert np.array_equal(model.frozen_embedding, glove)
    assert check_model_gradients(lambda: model.loss(x, y), model.params).passed()
    with pytest.raises(ValueError, match="embedding has shape"):
        SequenceClassifier(4, 4, 2, embedding=glove)


def test_classifier_ignores_padding_exactly():
    rng = np.random.default_rng(6)
    model = SequenceClassifier(4, 5, 3, vocab_size=10, dtype=np.float64)
    lengths = [6, 1, 4]
    mask = padding_mask(lengths, 6)
    x1 = np.where(mask, rng.integers(1, 10, (3, 6)), 0)
    x2 = np.where(mask, x1, rng.integers(0, 10, (3, 6)))  # other pad tokens
    y = np.array([0, 1, 2])
    loss1, grads1 = model.loss(x1, y, mask)
    loss2, grads2 = model.loss(x2, y, mask)
    assert loss1 == loss2
    for name in grads1:
        if name == "embed.W":  # the rows of real tokens are equal; pad rows get exactly zero
            used = np.unique(x1[mask])
            assert np.array_equal(grads1[name][used], grads2[name][used])
            assert not grads2[name][np.setdiff1d(np.arange(10), used)].any()
        else:
            assert np.array_equal(grads1[name], grads2[name]), name
    # the same as running each sequence alone, unpadded
    for n, length in enumerate(lengths):
        alone, _ = model.loss(x1[n : n + 1, :length], y[n : n + 1])
        assert np.isclose(alone, model.loss(x1[n : n + 1], y[n : n + 1], mask[n : n + 1])[0],
                          rtol=1e-13)


@pytest.mark.parametrize("average", ["batch", "tokens"])
def test_language_model_gradients_with_carried_state(average):
    rng = np.random.default_rng(7)
    model = LanguageModel(6, 3, 4, num_layers=2, dtype=np.float64, seed=8)
    for p in model.params.values():  # weights large enough for gradients well above round-off
        p[...] = 0.5 * rng.standard_normal(p.shape)
    x, y = rng.integers(0, 6, (2, 4)), rng.integers(0, 6, (2, 4))
    model.loss(rng.integers(0, 6, (2, 3)), rng.integers(0, 6, (2, 3)))  # leaves a state behind
    state = [(h.copy(), c.copy()) for h, c in model.state]

    def loss():
        model.state = [(h.copy(), c.copy()) for h, c in state]
        return model.loss(x, y, padding_mask([4, 3], 4), average=average)

    result = check_model_gradients(loss, model.params)
    assert result.worst[1] < TOL, str(result)


def test_language_model_carries_state_across_batches():
    rng = np.random.default_rng(9)
    model = LanguageModel(8, 3, 5, num_layers=2, dtype=np.float64)
    stream = rng.integers(0, 8, (2, 9))
    whole = model.scores(stream[:, :8])
    model.reset_state()
    first, second = model.scores(stream[:, :5]), model.scores(stream[:, 5:8])
    assert np.allclose(np.concatenate([first, second], axis=1), whole, rtol=0, atol=1e-13)
    model.scores(stream[:1, :3])  # a new batch size restarts from zeros
    model.reset_state()
    assert model.state is None
    loss, grads = model.loss(stream[:, :8], stream[:, 1:], train=False)
    assert grads is None and np.isfinite(loss)


def test_dropout_only_while_training():
    rng = np.random.default_rng(10)
    model = SequenceClassifier(3, 4, 2, dropout=0.5, dtype=np.float64)
    x, y = rng.standard_normal((4, 5, 3)), rng.integers(0, 2, 4)
    assert model.loss(x, y, train=False)[0] == model.loss(x, y, train=False)[0]
    assert model.loss(x, y)[0] != model.loss(x, y)[0]
    assert np.array_equal(model.predict(x), model.scores(x).argmax(1))


def test_float32_models_stay_float32():
    model = SequenceClassifier(3, 4, 2, num_layers=2)
    loss, grads = model.loss(np.ones((2, 3, 3)), np.array([0, 1]))
    assert all(p.dtype == np.float32 for p in model.params.values())
    assert all(g.dtype == np.float32 for g in grads.values())
    lm = LanguageModel(5, 3, 4)
    _, grads = lm.loss(np.array([[1, 2]]), np.array([[2, 3]]))
    assert all(g.dtype == np.float32 for g in grads.values())


def test_seed_init_scales():
    model = SequenceClassifier(200, 100, 50, init="seed", init_scale=0.01, dtype=np.float64)
    assert abs(model.params["lstm0.Wx"].std() - 0.01) < 1e-3
    assert abs(model.params["out.W"].std() - 1.0) < 0.05
    xavier = SequenceClassifier(200, 100, 50, forget_bias=1.0, dtype=np.float64)
    Wh = xavier.params["lstm0.Wh"]
    assert np.allclose(Wh[:, :100].T @ Wh[:, :100], np.eye(100), atol=1e-12)  # orthogonal block
    assert np.all(xavier.params["lstm0.b"][100:200] == 1.0)
    with pytest.raises(ValueError, match="init must be one of"):
        SequenceClassifier(2, 2, 2, init="he")


def test_sgd_schedule_and_clipping():
    params = {"w": np.array([1.0, 2.0])}
    sgd = SGD(params, lr=1.0, decay=0.2)
    sgd.step({"w": np.array([0.5, 0.5])})
    assert np.allclose(params["w"], [0.5, 1.5])
    for _ in range(5):
        sgd.end_epoch()
    assert np.isclose(sgd.lr, 1.0 / (1 + 0.2 * 5))
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    assert global_norm(grads) == 5.0
    assert clip_grad_norm(grads, 1.0) == 5.0
    assert np.isclose(global_norm(grads), 1.0, rtol=1e-5)
    assert clip_grad_norm([np.array([0.3])], 1.0) == pytest.approx(0.3)


def test_adam_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    w = rng.standard_normal(5)
    params = {"w": w.copy()}
    adam = Adam(params, lr=0.01)
    w_t = torch.tensor(w, requires_grad=True)
    adam_t = torch.optim.Adam([w_t], lr=0.01)
    for _ in range(10):
        g = rng.standard_normal(5)
        adam.step({"w": g})
        w_t.grad = torch.from_numpy(g)
        adam_t.step()
    assert np.abs(params["w"] - w_t.detach().numpy()).max() < 1e-12


@pytest.mark.parametrize("make_optimizer", [lambda p: SGD(p, lr=0.5), lambda p: Adam(p, lr=0.02)])
def test_training_reduces_the_loss(make_optimizer):
    rng = np.random.default_rng(12)
    x = rng.standard_normal((32, 6, 3))
    y = (x[:, :, 0].sum(axis=1) > 0).astype(int)  # the sign of a sum over time
    model = SequenceClassifier(3, 8, 2, seed=0)
    opt = make_optimizer(model.params)
    first = model.loss(x, y, train=False)[0]
    for _ in range(60):
        _, grads = model.loss(x, y)
        clip_grad_norm(grads, 5.0)
        opt.step(grads)
    assert model.loss(x, y, train=False)[0] < 0.5 * first


def test_language_model_with_a_frozen_pretrained_embedding():
    rng = np.random.default_rng(11)
    vectors = rng.standard_normal((6, 3))
    model = LanguageModel(6, 3, 4, embedding=vectors, train_embedding=False, dtype=np.float64)
    assert "embed.W" not in model.params and np.array_equal(model.frozen_embedding, vectors)
    for p in model.params.values():
        p[...] = 0.5 * rng.standard_normal(p.shape)
    x, y = rng.integers(0, 6, (2, 4)), rng.integers(0, 6, (2, 4))

    def loss():
        model.reset_state()
        return model.loss(x, y)

    assert set(loss()[1]) == set(model.params)
    assert check_model_gradients(loss, model.params).worst[1] < TOL
    tuned = LanguageModel(6, 3, 4, embedding=vectors, dtype=np.float64)
    assert np.array_equal(tuned.params["embed.W"], vectors)
