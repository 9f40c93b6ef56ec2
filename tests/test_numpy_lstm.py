"""The NumPy LSTM and RNN: gradient checks, agreement with torch.nn.LSTM, dtypes, errors."""

import subprocess
import sys

import numpy as np
import pytest

from course_lib.numpy_core import (
    check_layer_gradients,
    lstm_backward,
    lstm_final_state,
    lstm_forward,
    lstm_stack_backward,
    lstm_stack_forward,
    lstm_step_backward,
    lstm_step_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    sigmoid,
)

TOL = 1e-7
SHAPES = [(1, 1, 1, 1), (2, 3, 4, 5), (1, 4, 3, 2), (3, 1, 2, 3), (4, 5, 3, 1)]  # N, T, D, H


def lstm_inputs(N, T, D, H, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return {
        "x": rng.standard_normal((N, T, D)).astype(dtype),
        "h0": rng.standard_normal((N, H)).astype(dtype),
        "Wx": (0.5 * rng.standard_normal((D, 4 * H))).astype(dtype),
        "Wh": (0.5 * rng.standard_normal((H, 4 * H))).astype(dtype),
        "b": (0.5 * rng.standard_normal(4 * H)).astype(dtype),
    }


def test_importing_the_numpy_core_does_not_import_torch():
    code = "import sys, course_lib.numpy_core; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_sigmoid_matches_the_definition_and_never_overflows():
    z = np.array([-1000.0, -30.0, -1.0, 0.0, 2.0, 40.0, 1000.0])
    with np.errstate(over="raise"):
        s = sigmoid(z)
    expected = np.array([0.0, *(1 / (1 + np.exp(-z[1:-1]))), 1.0])
    assert np.allclose(s, expected, rtol=1e-12, atol=1e-15)
    assert sigmoid(z.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_lstm_step_gradients(N, T, D, H):
    inp = lstm_inputs(N, T, D, H)
    rng = np.random.default_rng(1)
    step = {"x": inp["x"][:, 0], "prev_h": inp["h0"], "prev_c": rng.standard_normal((N, H)),
            "Wx": inp["Wx"], "Wh": inp["Wh"], "b": inp["b"]}
    result = check_layer_gradients(lstm_step_forward, lstm_step_backward, step)
    assert result.worst[1] < TOL, str(result)
    assert set(result.errors) == {"x", "prev_h", "prev_c", "Wx", "Wh", "b"}


def lstm_forward_with_final_state(x, h0, c0, Wx, Wh, b):
    """lstm_forward with (h_T, c_T) as extra outputs, so the check sends gradients into them."""
    h, cache = lstm_forward(x, h0, Wx, Wh, b, c0=c0)
    h_T, c_T = lstm_final_state(cache)
    return h, h_T, c_T, cache


def lstm_backward_from_final_state(dh, dh_T, dc_T, cache):
    return lstm_backward(dh, cache, dh_T=dh_T, dc_T=dc_T)


@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_lstm_sequence_gradients(N, T, D, H):
    """Every gradient, dc0 included, with gradients arriving at h, h_T and c_T."""
    inp = lstm_inputs(N, T, D, H)
    inp = {"x": inp["x"], "h0": inp["h0"], "c0": np.random.default_rng(3).standard_normal((N, H)),
           "Wx": inp["Wx"], "Wh": inp["Wh"], "b": inp["b"]}
    result = check_layer_gradients(lstm_forward_with_final_state, lstm_backward_from_final_state,
                                   inp)
    assert result.worst[1] < TOL, str(result)
    assert set(result.errors) == {"x", "h0", "c0", "Wx", "Wh", "b"}


def test_lstm_backward_without_final_gradients_equals_zero_final_gradients():
    inp = lstm_inputs(2, 4, 3, 5)
    h, cache = lstm_forward(**inp)
    dh = np.random.default_rng(8).standard_normal(h.shape)
    zeros = np.zeros((2, 5))
    for a, b in zip(lstm_backward(dh, cache), lstm_backward(dh, cache, dh_T=zeros, dc_T=zeros)):
        assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="dc_T has shape"):
        lstm_backward(dh, cache, dc_T=np.zeros((2, 4)))


@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_rnn_gradients(N, T, D, H):
    rng = np.random.default_rng(2)
    seq = {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H)),
           "Wx": 0.5 * rng.standard_normal((D, H)), "Wh": 0.5 * rng.standard_normal((H, H)),
           "b": 0.5 * rng.standard_normal(H)}
    result = check_layer_gradients(rnn_forward, rnn_backward, seq)
    assert result.worst[1] < TOL, str(result)
    step = dict(seq, x=seq["x"][:, 0].copy())
    step["prev_h"] = step.pop("h0")
    step = {k: step[k] for k in ("x", "prev_h", "Wx", "Wh", "b")}
    result = check_layer_gradients(rnn_step_forward, rnn_step_backward, step)
    assert result.worst[1] < TOL, str(result)


def test_lstm_forward_equals_a_loop_of_steps_and_exposes_the_final_state():
    inp = lstm_inputs(3, 6, 4, 5)
    c0 = np.random.default_rng(3).standard_normal((3, 5))
    h, cache = lstm_forward(**inp, c0=c0)
    prev_h, prev_c, hs = inp["h0"], c0, []
    for t in range(6):
        prev_h, prev_c, _ = lstm_step_forward(inp["x"][:, t], prev_h, prev_c,
                                              inp["Wx"], inp["Wh"], inp["b"])
        hs.append(prev_h)
    assert np.allclose(h, np.stack(hs, axis=1), rtol=0, atol=1e-14)
    h_T, c_T = lstm_final_state(cache)
    assert np.allclose(h_T, prev_h, rtol=0, atol=1e-14)
    assert np.allclose(c_T, prev_c, rtol=0, atol=1e-14)


def test_rnn_forward_equals_a_loop_of_steps():
    rng = np.random.default_rng(4)
    x, h0 = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 4))
    Wx, Wh, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 4)), rng.standard_normal(4)
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    prev = h0
    for t in range(5):
        prev, _ = rnn_step_forward(x[:, t], prev, Wx, Wh, b)
        assert np.allclose(h[:, t], prev, rtol=0, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(dtype):
    inp = lstm_inputs(2, 3, 4, 5, dtype=dtype)
    h, cache = lstm_forward(**inp)
    grads = lstm_backward(np.ones_like(h), cache)
    assert h.dtype == dtype and all(g.dtype == dtype for g in grads)
    next_h, next_c, step_cache = lstm_step_forward(inp["x"][:, 0], inp["h0"], inp["h0"],
                                                   inp["Wx"], inp["Wh"], inp["b"])
    assert next_h.dtype == next_c.dtype == dtype
    assert all(g.dtype == dtype for g in lstm_step_backward(next_h, next_c, step_cache))
    rh, rcache = rnn_forward(inp["x"], inp["h0"], inp["Wx"][:, :5], inp["Wh"][:, :5], inp["b"][:5])
    assert rh.dtype == dtype and all(g.dtype == dtype for g in rnn_backward(rh, rcache))


@pytest.mark.parametrize("name, bad, message", [
    ("x", np.zeros((2, 3)), "x has shape (2, 3), expected 3 dimensions (N, T, D)"),
    ("h0", np.zeros((3, 5)), "h0 has shape (3, 5), expected (N, H) = (2, 5)"),
    ("Wx", np.zeros((4, 16)), "Wx has shape (4, 16), expected (D, 4H) = (4, 20)"),
    ("Wh", np.zeros((5, 5)), "Wh has shape (5, 5), expected (H, 4H) = (5, 20)"),
    ("b", np.zeros(5), "b has shape (5,), expected (4H,) = (20,)"),
])
def test_lstm_forward_names_the_mismatched_argument(name, bad, message):
    inp = dict(lstm_inputs(2, 3, 4, 5), **{name: bad})
    with pytest.raises(ValueError) as error:
        lstm_forward(**inp)
    assert str(error.value) == message


def test_backward_and_step_functions_check_shapes():
    inp = lstm_inputs(2, 3, 4, 5)
    h, cache = lstm_forward(**inp)
    with pytest.raises(ValueError, match=r"dh has shape \(2, 3, 4\)"):
        lstm_backward(np.zeros((2, 3, 4)), cache)
    with pytest.raises(ValueError, match="prev_c has shape"):
        lstm_step_forward(inp["x"][:, 0], inp["h0"], np.zeros((2, 4)), inp["Wx"], inp["Wh"],
                          inp["b"])
    with pytest.raises(ValueError, match="Wh has shape"):
        rnn_forward(inp["x"], inp["h0"], inp["Wx"][:, :5], inp["Wh"], inp["b"][:5])


# --- torch.nn.LSTM as the oracle (torch is used in tests only) -----------------------------

@pytest.mark.parametrize("N, T, D, H", [(1, 1, 1, 1), (3, 7, 4, 5), (2, 12, 3, 8)])
def test_lstm_matches_torch_in_float64(N, T, D, H):
    torch = pytest.importorskip("torch")
    inp = lstm_inputs(N, T, D, H, seed=5)
    rng = np.random.default_rng(6)
    c0, dh = rng.standard_normal((N, H)), rng.standard_normal((N, T, H))
    h, cache = lstm_forward(**inp, c0=c0)
    dh_T, dc_T = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    dx, dh0, dc0, dWx, dWh, db = lstm_backward(dh, cache, dh_T=dh_T, dc_T=dc_T)

    lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.float64)
    b_ih = rng.standard_normal(4 * H)  # split b in two to exercise b = bias_ih + bias_hh
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(inp["Wx"].T))
        lstm.weight_hh_l0.copy_(torch.from_numpy(inp["Wh"].T))
        lstm.bias_ih_l0.copy_(torch.from_numpy(b_ih))
        lstm.bias_hh_l0.copy_(torch.from_numpy(inp["b"] - b_ih))
    x_t = torch.tensor(inp["x"], requires_grad=True)
    h0_t = torch.tensor(inp["h0"][None], requires_grad=True)
    c0_t = torch.tensor(c0[None], requires_grad=True)
    out, (h_T, c_T) = lstm(x_t, (h0_t, c0_t))
    torch.autograd.backward([out, h_T, c_T], [torch.from_numpy(dh), torch.from_numpy(dh_T[None]),
                                               torch.from_numpy(dc_T[None])])

    def err(a, b):
        return np.abs(np.asarray(a) - b.detach().numpy()).max()

    my_h_T, my_c_T = lstm_final_state(cache)
    assert err(h, out) < 1e-10 and err(my_h_T, h_T[0]) < 1e-10 and err(my_c_T, c_T[0]) < 1e-10
    assert err(dx, x_t.grad) < 1e-10
    assert err(dh0, h0_t.grad[0]) < 1e-10 and err(dc0, c0_t.grad[0]) < 1e-10
    assert err(dWx, lstm.weight_ih_l0.grad.T) < 1e-10
    assert err(dWh, lstm.weight_hh_l0.grad.T) < 1e-10
    assert err(db, lstm.bias_ih_l0.grad) < 1e-10 and err(db, lstm.bias_hh_l0.grad) < 1e-10


def test_stacked_lstm_matches_torch_in_float64():
    torch = pytest.importorskip("torch")
    N, T, D, H, L = 3, 6, 4, 5, 3
    rng = np.random.default_rng(7)
    x, dh = rng.standard_normal((N, T, D)), rng.standard_normal((N, T, H))
    weights = [(0.5 * rng.standard_normal((D if k == 0 else H, 4 * H)),
                0.5 * rng.standard_normal((H, 4 * H)), rng.standard_normal(4 * H))
               for k in range(L)]
    h, cache = lstm_stack_forward(x, weights)
    dx, dweights = lstm_stack_backward(dh, cache)

    lstm = torch.nn.LSTM(D, H, num_layers=L, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        for k, (Wx, Wh, b) in enumerate(weights):
            getattr(lstm, f"weight_ih_l{k}").copy_(torch.from_numpy(Wx.T))
            getattr(lstm, f"weight_hh_l{k}").copy_(torch.from_numpy(Wh.T))
            getattr(lstm, f"bias_ih_l{k}").copy_(torch.from_numpy(b))
            getattr(lstm, f"bias_hh_l{k}").zero_()
    x_t = torch.tensor(x, requires_grad=True)
    out, _ = lstm(x_t)
    out.backward(torch.from_numpy(dh))
    assert np.abs(h - out.detach().numpy()).max() < 1e-10
    assert np.abs(dx - x_t.grad.numpy()).max() < 1e-10
    for k, (dWx, dWh, db) in enumerate(dweights):
        assert np.abs(dWx - getattr(lstm, f"weight_ih_l{k}").grad.numpy().T).max() < 1e-10
        assert np.abs(dWh - getattr(lstm, f"weight_hh_l{k}").grad.numpy().T).max() < 1e-10
        assert np.abs(db - getattr(lstm, f"bias_ih_l{k}").grad.numpy()).max() < 1e-10


def test_cut_h_paths_leaves_only_the_cell_path():
    """With the h-paths cut, dc0 is the product of the forget gates times dL/dc_T (the carousel),
    and with Wh = 0 there are no h-paths, so cutting changes nothing."""
    inp = lstm_inputs(3, 6, 2, 4, seed=11)
    c0 = np.random.default_rng(12).standard_normal((3, 4))
    h, cache = lstm_forward(**inp, c0=c0)
    dh = np.zeros_like(h)
    dh[:, -1] = np.random.default_rng(13).standard_normal((3, 4))
    dx, dh0, dc0, *_ = lstm_backward(dh, cache, cut_h_paths=True)
    H = 4
    f = cache["gates"][:, :, H:2 * H]  # (T, N, H), the forget gates after the sigmoid
    o_T, tanh_c_T = cache["gates"][-1][:, 3 * H:], cache["tanh_cs"][-1]
    dc_T = dh[:, -1] * o_T * (1 - tanh_c_T**2)
    assert np.allclose(dc0, dc_T * f.prod(axis=0), rtol=1e-12, atol=0)
    assert not dh0.any()
    assert not np.allclose(dc0, lstm_backward(dh, cache)[2])  # the h-paths matter here

    no_recurrence = dict(inp, Wh=np.zeros_like(inp["Wh"]))
    h, cache = lstm_forward(**no_recurrence, c0=c0)
    for a, b in zip(lstm_backward(dh, cache, cut_h_paths=True)[2:], lstm_backward(dh, cache)[2:]):
        assert np.allclose(a, b, rtol=1e-13, atol=1e-15)
