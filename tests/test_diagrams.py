"""Every diagram draws; the annotated LSTM cell shows the values of lstm_step_forward."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib.numpy_core.lstm import lstm_step_forward  # noqa: E402
from course_lib.plots import diagrams  # noqa: E402

ALL = [
    lambda: diagrams.lstm_cell(),
    lambda: diagrams.lstm_cell(variant="peephole"),
    lambda: diagrams.lstm_cell(variant="cifg"),
    diagrams.rnn_cell, diagrams.gru_cell, diagrams.unrolled,
    lambda: diagrams.backward_paths(cell_path=0.01, h_path=0.2),
    diagrams.truncated_bptt, diagrams.mnist_rows_bilstm, diagrams.imdb_classifier,
    diagrams.tied_language_model, diagrams.attention_pooling, diagrams.tree_lstm_node,
]


@pytest.mark.parametrize("make", ALL)
def test_every_diagram_draws_with_alt(make):
    diagram = make()
    try:
        bundle = diagram._repr_mimebundle_()
        assert bundle["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
        assert diagram.alt and bundle["text/plain"] == diagram.alt
        assert bundle["text/html"].startswith('<img src="data:image/png;base64,')
        assert 'alt="' in bundle["text/html"]
    finally:
        diagram.close()


def test_unknown_variant_is_refused():
    with pytest.raises(ValueError):
        diagrams.lstm_cell(variant="nope")


def test_annotated_cell_shows_the_real_step():
    rng = np.random.default_rng(3)
    N, D, H, unit = 2, 3, 4, 2
    next_h, next_c, cache = lstm_step_forward(
        rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H)),
        rng.normal(size=(D, 4 * H)), rng.normal(size=(H, 4 * H)), rng.normal(size=4 * H))
    _, prev_h, prev_c, _, _, i, f, g, o, tanh_c = cache
    expected = {"c_prev": prev_c[0, unit], "h_prev": prev_h[0, unit], "i": i[0, unit],
                "f": f[0, unit], "g": g[0, unit], "o": o[0, unit], "c": next_c[0, unit],
                "tanh_c": tanh_c[0, unit], "h": next_h[0, unit],
                "f_c": f[0, unit] * prev_c[0, unit], "i_g": i[0, unit] * g[0, unit]}
    diagram = diagrams.lstm_cell(cache=cache, unit=unit)
    try:
        drawn = {}
        for text in diagram.figure.axes[0].texts:
            gid = text.get_gid()
            if gid and gid.startswith("value:"):
                drawn[gid[len("value:"):]] = float(text.get_text().rsplit("=", 1)[1])
        assert set(drawn) == set(expected)
        for name, value in expected.items():
            assert drawn[name] == pytest.approx(value, abs=5e-4), name
    finally:
        diagram.close()
