"""Every diagram draws; the annotated LSTM cell shows the values of lstm_step_forward."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402

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


def _segments(diagram):
    """Every straight stroke of a diagram: the arrows and the plotted lines, as point pairs."""
    ax = diagram.figure.axes[0]
    segments = [tuple(map(tuple, patch._posA_posB)) for patch in ax.patches
                if isinstance(patch, FancyArrowPatch)]
    for line in ax.lines:
        xs, ys = line.get_data()
        segments += [((xs[k], ys[k]), (xs[k + 1], ys[k + 1])) for k in range(len(xs) - 1)]
    return segments


def _cross(s, t, eps=1e-9):
    """Whether two segments cross at a point inside both (touching or a T-junction is not)."""
    def side(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    (a, b), (c, d) = s, t
    return (side(a, b, c) * side(a, b, d) < -eps) and (side(c, d, a) * side(c, d, b) < -eps)


def test_crossing_detector_sees_a_cross_and_not_a_junction():
    assert _cross(((0, 0), (2, 2)), ((0, 2), (2, 0)))
    assert not _cross(((0, 0), (2, 0)), ((1, 0), (1, 2)))  # T-junction
    assert not _cross(((0, 0), (1, 0)), ((0, 1), (1, 1)))


@pytest.mark.parametrize("make", [diagrams.gru_cell, diagrams.backward_paths,
                                  lambda: diagrams.backward_paths(cell_path=0.0068, h_path=6.2)])
def test_no_two_arrows_cross(make):
    diagram = make()
    try:
        segments = _segments(diagram)
        assert len(segments) > 10
        crossings = [(s, t) for k, s in enumerate(segments) for t in segments[k + 1:]
                     if _cross(s, t)]
        assert not crossings
    finally:
        diagram.close()


def test_backward_paths_shows_the_measured_numbers():
    diagram = diagrams.backward_paths(cell_path=0.006821, h_path=6.2105)
    try:
        texts = {t.get_gid(): t.get_text() for t in diagram.figure.axes[0].texts}
        assert "cell path alone: 0.0068" in texts["value:measured"]
        assert "with the h paths (full): 6.2" in texts["value:measured"]
        assert "0.0068" in diagram.alt and "6.2" in diagram.alt
    finally:
        diagram.close()
