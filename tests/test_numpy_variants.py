"""GRU, peephole LSTM and CIFG in NumPy: gradient checks and the torch.nn.GRU oracle (float64)."""

import numpy as np
import pytest

from course_lib.numpy_core.gradcheck import check_layer_gradients
from course_lib.numpy_core.variants import (
    cifg_step_backward,
    cifg_step_forward,
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
    peephole_step_backward,
    peephole_step_forward,
)

N, T, D, H = 3, 5, 4, 6


def _arrays(rng, **shapes):
    return {k: rng.standard_normal(s) * 0.5 for k, s in shapes.items()}


def _worst(result):
    errors = result.errors if hasattr(result, "errors") else dict(result)
    return max(errors.values())


def test_gru_step_gradients():
    rng = np.random.default_rng(0)
    inputs = _arrays(rng, x=(N, D), prev_h=(N, H), Wx=(D, 3 * H), Wh=(H, 3 * H),
                     bx=(3 * H,), bh=(3 * H,))
    assert _worst(check_layer_gradients(gru_step_forward, gru_step_backward, inputs)) < 1e-7


def test_gru_sequence_gradients():
    rng = np.random.default_rng(1)
    inputs = _arrays(rng, x=(N, T, D), h0=(N, H), Wx=(D, 3 * H), Wh=(H, 3 * H),
                     bx=(3 * H,), bh=(3 * H,))
    assert _worst(check_layer_gradients(gru_forward, gru_backward, inputs)) < 1e-7


def test_peephole_step_gradients():
    rng = np.random.default_rng(2)
    inputs = _arrays(rng, x=(N, D), prev_h=(N, H), prev_c=(N, H), Wx=(D, 4 * H),
                     Wh=(H, 4 * H), b=(4 * H,), p=(3 * H,))
    assert _worst(check_layer_gradients(peephole_step_forward, peephole_step_backward,
                                        inputs)) < 1e-7


def test_cifg_step_gradients():
    rng = np.random.default_rng(3)
    inputs = _arrays(rng, x=(N, D), prev_h=(N, H), prev_c=(N, H), Wx=(D, 3 * H),
                     Wh=(H, 3 * H), b=(3 * H,))
    assert _worst(check_layer_gradients(cifg_step_forward, cifg_step_backward, inputs)) < 1e-7


def test_peephole_with_zero_peepholes_is_the_lstm():
    from course_lib.numpy_core.lstm import lstm_step_forward

    rng = np.random.default_rng(4)
    a = _arrays(rng, x=(N, D), prev_h=(N, H), prev_c=(N, H), Wx=(D, 4 * H), Wh=(H, 4 * H),
                b=(4 * H,))
    h1, c1, _ = peephole_step_forward(**a, p=np.zeros(3 * H))
    h2, c2, _ = lstm_step_forward(**a)
    assert np.allclose(h1, h2, atol=1e-14) and np.allclose(c1, c2, atol=1e-14)


def test_gru_equals_torch_nn_gru():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    gru = torch.nn.GRU(D, H, batch_first=True).double()
    rng = np.random.default_rng(5)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    dh = rng.standard_normal((N, T, H))
    Wx = gru.weight_ih_l0.detach().numpy().T.copy()
    Wh = gru.weight_hh_l0.detach().numpy().T.copy()
    bx, bh = gru.bias_ih_l0.detach().numpy().copy(), gru.bias_hh_l0.detach().numpy().copy()
    h, cache = gru_forward(x, h0, Wx, Wh, bx, bh)
    dx, dh0, dWx, dWh, dbx, dbh = gru_backward(dh, cache)

    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0[None], requires_grad=True)
    out, _ = gru(xt, h0t)
    (out * torch.tensor(dh)).sum().backward()
    pairs = [(h, out), (dx, xt.grad), (dh0, h0t.grad[0]), (dWx, gru.weight_ih_l0.grad.T),
             (dWh, gru.weight_hh_l0.grad.T), (dbx, gru.bias_ih_l0.grad), (dbh, gru.bias_hh_l0.grad)]
    for mine, theirs in pairs:
        assert np.abs(mine - theirs.detach().numpy()).max() < 1e-10
