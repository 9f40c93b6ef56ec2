"""The PyTorch LSTM variants against nn.LSTM and the NumPy core, on the same weights (float64)."""

import numpy as np
import pytest
import torch

from course_lib.numpy_core.lstm import lstm_forward
from course_lib.numpy_core.variants import cifg_step_forward, peephole_step_forward
from course_lib.torch_models import SequenceClassifier
from course_lib.torch_models.variants import VARIANTS, VariantLSTM

N, T, D, H = 3, 5, 4, 6


def _x(seed=0):
    return np.random.default_rng(seed).standard_normal((N, T, D))


def _numpy_loop(step, x, *weights):
    h = c = np.zeros((N, H))
    out = []
    for t in range(T):
        h, c, _ = step(x[:, t], h, c, *weights)
        out.append(h)
    return np.stack(out, axis=1)


def _weights(layer):
    return [p.detach().numpy() for p in (layer.Wx, layer.Wh, layer.b)]


def test_vanilla_equals_the_numpy_lstm():
    torch.manual_seed(0)
    layer, x = VariantLSTM(D, H, dtype=torch.float64), _x()
    out = layer(torch.tensor(x))[0].detach().numpy()
    ref, _ = lstm_forward(x, np.zeros((N, H)), *_weights(layer))
    assert np.abs(out - ref).max() < 1e-12


def test_peephole_equals_numpy():
    torch.manual_seed(1)
    layer, x = VariantLSTM(D, H, "ph", dtype=torch.float64), _x(1)
    out = layer(torch.tensor(x))[0].detach().numpy()
    ref = _numpy_loop(peephole_step_forward, x, *_weights(layer), layer.p.detach().numpy())
    assert np.abs(out - ref).max() < 1e-12


def test_cifg_equals_numpy():
    torch.manual_seed(2)
    layer, x = VariantLSTM(D, H, "cifg", dtype=torch.float64), _x(2)
    out = layer(torch.tensor(x))[0].detach().numpy()
    ref = _numpy_loop(cifg_step_forward, x, *_weights(layer))
    assert np.abs(out - ref).max() < 1e-12


def test_removed_gates_are_constant():
    """NFG with a forget pre-activation of +inf is the vanilla LSTM with f = 1, and so on."""
    torch.manual_seed(3)
    x = torch.tensor(_x(3))
    for variant, block in (("nfg", 1), ("nig", 0), ("nog", 3)):
        layer = VariantLSTM(D, H, variant, dtype=torch.float64)
        vanilla = VariantLSTM(D, H, dtype=torch.float64)
        with torch.no_grad():
            for name in ("Wx", "Wh", "b"):
                getattr(vanilla, name).copy_(getattr(layer, name))
            vanilla.Wx[:, block * H:(block + 1) * H] = 0
            vanilla.Wh[:, block * H:(block + 1) * H] = 0
            vanilla.b[block * H:(block + 1) * H] = 60.0  # sigmoid(60) = 1 in float64
        assert torch.allclose(layer(x)[0], vanilla(x)[0], atol=1e-12), variant


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_plugs_into_the_classifier(variant):
    torch.manual_seed(0)
    model = SequenceClassifier(3, input_size=D, hidden_size=H, rnn_type=f"lstm-{variant}",
                               pooling="last")
    out = model(torch.randn(N, T, D))
    assert out.shape == (N, 3)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
