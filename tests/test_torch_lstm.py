"""The hand-written torch LSTM equals the NumPy core and torch.nn.LSTM (float64, < 1e-10)."""

import numpy as np
import pytest
import torch

from course_lib.numpy_core.lstm import lstm_backward, lstm_forward
from course_lib.torch_models import LSTM, LSTMCell, copy_to_nn_lstm, lstm_step

TOL = 1e-10


def numpy_params(D, H, seed=0):
    rng = np.random.default_rng(seed)
    return {"Wx": 0.3 * rng.standard_normal((D, 4 * H)), "Wh": 0.3 * rng.standard_normal((H, 4 * H)),
            "b": 0.3 * rng.standard_normal(4 * H)}


@pytest.mark.parametrize("N, T, D, H", [(3, 5, 4, 6), (1, 1, 2, 1), (2, 7, 3, 5)])
def test_three_implementations_agree_forward_and_backward(N, T, D, H):
    rng = np.random.default_rng(1)
    p = numpy_params(D, H)
    x, h0, c0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    dh = rng.standard_normal((N, T, H))

    # NumPy core: forward and the hand-derived backward.
    h_np, cache = lstm_forward(x, h0, p["Wx"], p["Wh"], p["b"], c0=c0)
    dx_np, dh0_np, _dc0_np, dWx_np, dWh_np, db_np = lstm_backward(dh, cache)

    # Hand-written torch LSTM, loaded from the NumPy weights; autograd does the backward.
    mine = LSTM.from_numpy(p)
    xt = torch.tensor(x, requires_grad=True)
    h0t, c0t = torch.tensor(h0[None], requires_grad=True), torch.tensor(c0[None])
    out, _ = mine(xt, (h0t, c0t))
    out.backward(torch.tensor(dh))
    cell = mine.cells[0]
    assert np.abs(out.detach().numpy() - h_np).max() < TOL
    for name, ours, ref in [("dx", xt.grad, dx_np), ("dh0", h0t.grad[0], dh0_np),
                            ("dWx", cell.Wx.grad, dWx_np), ("dWh", cell.Wh.grad, dWh_np),
                            ("db", cell.b.grad, db_np)]:
        assert np.abs(ours.numpy() - ref).max() < TOL, name

    # torch.nn.LSTM with the same weights.
    ref = copy_to_nn_lstm(mine, torch.nn.LSTM(D, H, batch_first=True).double())
    x2 = torch.tensor(x, requires_grad=True)
    out2, _ = ref(x2, (torch.tensor(h0[None]), torch.tensor(c0[None])))
    out2.backward(torch.tensor(dh))
    assert (out2 - out).abs().max() < TOL
    assert (x2.grad - xt.grad).abs().max() < TOL
    assert (ref.weight_ih_l0.grad.T - cell.Wx.grad).abs().max() < TOL
    assert (ref.weight_hh_l0.grad.T - cell.Wh.grad).abs().max() < TOL
    assert (ref.bias_ih_l0.grad - cell.b.grad).abs().max() < TOL


def test_two_layers_match_nn_lstm_and_state_is_returned():
    torch.manual_seed(0)
    ref = torch.nn.LSTM(3, 4, num_layers=2, batch_first=True).double()
    mine = LSTM.from_nn_lstm(ref)
    x = torch.randn(2, 6, 3, dtype=torch.float64)
    state = (torch.randn(2, 2, 4, dtype=torch.float64), torch.randn(2, 2, 4, dtype=torch.float64))
    (a, (ha, ca)), (b, (hb, cb)) = ref(x, state), mine(x, state)
    for u, v in [(a, b), (ha, hb), (ca, cb)]:
        assert (u - v).abs().max() < TOL
    assert hb.shape == (2, 2, 4)


def test_cell_matches_step_function_and_to_numpy_round_trip():
    p = numpy_params(3, 2)
    cell = LSTMCell(3, 2, dtype=torch.float64).load_numpy(**p)
    x = torch.randn(4, 3, dtype=torch.float64)
    h, c = cell(x)
    zeros = torch.zeros(4, 2, dtype=torch.float64)
    h2, c2 = lstm_step(x, zeros, zeros, cell.Wx, cell.Wh, cell.b)
    assert torch.equal(h, h2) and torch.equal(c, c2)
    back = LSTM.from_numpy(p).to_numpy()[0]
    assert all(np.array_equal(back[k], p[k]) for k in p)


def test_wrong_weight_shape_names_the_argument():
    with pytest.raises(ValueError, match="Wh"):
        LSTMCell(3, 2).load_numpy(np.zeros((3, 8)), np.zeros((3, 8)), np.zeros(8))


def test_bias_initialisation_differs_from_nn_lstm_as_documented():
    """Our bias is one U(-k, k) draw (variance k^2/3); nn.LSTM adds two (variance 2k^2/3)."""
    torch.manual_seed(0)
    H = 1024
    k = 1 / H**0.5
    ours = LSTM(4, H).cells[0].b.detach()
    ref = torch.nn.LSTM(4, H)
    theirs = (ref.bias_ih_l0 + ref.bias_hh_l0).detach()
    assert ours.abs().max() <= k and theirs.abs().max() > k
    assert abs(ours.var().item() / (k**2 / 3) - 1) < 0.05
    assert abs(theirs.var().item() / (2 * k**2 / 3) - 1) < 0.05
