import numpy as np

from course_lib.numpy_core.init import lstm_params
from course_lib.numpy_core.jacobians import lstm_state_jacobian, numerical_state_jacobian


def test_state_jacobian_matches_finite_differences_and_has_the_carousel_corner():
    rng = np.random.default_rng(0)
    D, H = 3, 5
    Wx, Wh, b = lstm_params(D, H, rng, "xavier", forget_bias=1.0, dtype=np.float64)
    x, h, c = rng.standard_normal(D), rng.standard_normal(H), rng.standard_normal(H)
    J = lstm_state_jacobian(x, h, c, Wx, Wh, b)
    assert J.shape == (2 * H, 2 * H)
    assert np.abs(J - numerical_state_jacobian(x, h, c, Wx, Wh, b)).max() < 1e-8
    f = 1 / (1 + np.exp(-(x @ Wx + h @ Wh + b)[H:2 * H]))
    assert np.allclose(J[H:, H:], np.diag(f))  # dc_t / dc_{t-1} = diag(f_t)
    assert np.abs(J[H:, :H]).max() > 1e-3  # ... but c_t also depends on h_{t-1}
    zero = lstm_state_jacobian(x, h, c, Wx, np.zeros_like(Wh), b)
    assert not zero[H:, :H].any()  # without recurrent weights only the cell path is left
