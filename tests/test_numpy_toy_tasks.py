"""The adding problem, its NumPy regressor and the gradient-norm measurement of notebook 01."""

import numpy as np
import pytest

from course_lib.numpy_core import (
    check_model_gradients,
    lstm_backward,
    lstm_forward,
    rnn_backward,
    rnn_forward,
)
from course_lib.numpy_core.toy_tasks import (
    ADDING_BASELINE_MSE,
    AddingRegressor,
    adding_problem,
    input_gradient_norms,
    train_adding,
)


@pytest.mark.parametrize("T", [2, 3, 10, 51])
def test_adding_problem_has_one_marker_in_each_half_and_sums_them(T):
    x, y = adding_problem(200, T, np.random.default_rng(0))
    assert x.shape == (200, T, 2) and y.shape == (200,)
    markers = x[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, : T // 2].sum(axis=1) == 1)
    assert np.allclose(y, (x[:, :, 0] * markers).sum(axis=1))
    assert np.all((x[:, :, 0] >= 0) & (x[:, :, 0] < 1))


def test_adding_problem_is_reproducible_and_keeps_the_dtype():
    a = adding_problem(5, 8, 3, dtype=np.float32)
    b = adding_problem(5, 8, np.random.default_rng(3), dtype=np.float32)
    assert a[0].dtype == np.float32 and a[1].dtype == np.float32
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_adding_problem_rejects_too_short_sequences():
    with pytest.raises(ValueError, match="T must be at least 2"):
        adding_problem(3, 1, 0)


def test_baseline_is_the_variance_of_the_target():
    _, y = adding_problem(200_000, 10, 0)
    assert np.mean((y - 1.0) ** 2) == pytest.approx(ADDING_BASELINE_MSE, rel=0.02)


@pytest.mark.parametrize("cell", ["lstm", "rnn"])
def test_adding_regressor_gradients(cell):
    model = AddingRegressor(cell, hidden_dim=3, dtype=np.float64, seed=1)
    x, y = adding_problem(4, 6, 2)
    result = check_model_gradients(lambda: model.loss(x, y), model.params)
    assert result.passed(1e-7), str(result)


def test_adding_regressor_rejects_unknown_cells():
    with pytest.raises(ValueError, match="'lstm' or 'rnn'"):
        AddingRegressor("gru")


def test_train_adding_records_a_history():
    model = AddingRegressor("lstm", hidden_dim=4, seed=0)
    history = train_adding(model, T=5, steps=6, batch_size=8, eval_every=3, eval_size=16,
                           progress=False)
    assert history["step"] == [3, 6]
    assert len(history["train_mse"]) == len(history["val_mse"]) == 2
    assert history["seconds"] > 0


@pytest.mark.parametrize("forward, backward, G", [(rnn_forward, rnn_backward, 1),
                                                  (lstm_forward, lstm_backward, 4)])
def test_input_gradient_norms_reads_the_backward_pass_from_the_last_step(forward, backward, G):
    rng = np.random.default_rng(0)
    N, T, D, H = 2, 5, 3, 4
    x, h0 = rng.standard_normal((N, T, D)), np.zeros((N, H))
    weights = (rng.standard_normal((D, G * H)), rng.standard_normal((H, G * H)), np.zeros(G * H))
    norms = input_gradient_norms(forward, backward, x, h0, weights, np.random.default_rng(1))
    h, cache = forward(x, h0, *weights)
    dh = np.zeros_like(h)
    dh[:, -1] = np.random.default_rng(1).standard_normal((N, H))
    dx = backward(dh, cache)[0]
    assert norms.shape == (T,)
    assert norms[0] == pytest.approx(np.linalg.norm(dx[:, -1]))
    assert norms[-1] == pytest.approx(np.linalg.norm(dx[:, 0]))
