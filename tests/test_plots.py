"""The plotting helpers: what they compute (gate traces, tree layouts), and that they draw."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.numpy_core import lstm_final_state, lstm_forward
from course_lib.plots import lstm as plots


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_record_gates_follows_lstm_forward():
    rng = np.random.default_rng(0)
    N, T, D, H = 2, 6, 3, 4
    x = rng.standard_normal((N, T, D))
    Wx, Wh, b = rng.standard_normal((D, 4 * H)), rng.standard_normal((H, 4 * H)), np.zeros(4 * H)
    trace = plots.record_gates(x, Wx, Wh, b)
    h, cache = lstm_forward(x, np.zeros((N, H)), Wx, Wh, b)
    assert set(trace) == set("ifgoch")
    assert all(v.shape == (N, T, H) for v in trace.values())
    assert np.allclose(trace["h"], h)
    assert np.allclose(trace["c"][:, -1], lstm_final_state(cache)[1])
    assert np.all((trace["f"] > 0) & (trace["f"] < 1))


def test_single_unit_remembers_with_an_open_forget_gate_and_forgets_with_a_closed_one():
    kept = plots.single_unit_trace(2.0, a_i=6.0, a_f=12.0, a_o=6.0, T=40, pulse=(5, 10))
    lost = plots.single_unit_trace(2.0, a_i=6.0, a_f=-6.0, a_o=6.0, T=40, pulse=(5, 10))
    assert kept["c"][-1] > 0.9 * kept["c"][9] > 0
    assert abs(lost["c"][-1]) < 1e-6
    assert np.all(kept["c"][:5] == 0)  # nothing is written before the pulse


def test_single_unit_with_a_closed_input_gate_stores_nothing():
    trace = plots.single_unit_trace(2.0, a_i=-30.0, a_f=3.0, a_o=0.0)
    assert np.abs(trace["c"]).max() < 1e-10


def test_plot_functions_return_labelled_figures():
    lags = np.arange(5)
    fig = plots.plot_gradient_norms(lags, {"a": 0.5 ** lags, "b": 2.0 ** lags})
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    history = {"step": [1, 2], "val_mse": [0.2, 0.1]}
    assert plots.plot_histories({"LSTM": history}, baseline=1 / 6).axes[0].get_ylabel()
    assert len(plots.plot_single_unit().axes) == 3
    assert len(plots.plot_single_unit_grid().axes) == 4
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 4, 2))
    trace = plots.record_gates(x, rng.standard_normal((2, 8)), rng.standard_normal((2, 8)),
                               np.zeros(8))
    assert len(plots.plot_gates(trace, x, units=[0, 1]).axes) == 5


def test_gate_explorer_has_four_sliders():
    explorer = plots.gate_explorer()
    sliders = [w for w in explorer.children if hasattr(w, "min") and hasattr(w, "max")]
    assert len(sliders) == 4


def _tiny_adding_lstm():
    from course_lib.numpy_core.toy_tasks import AddingRegressor

    return AddingRegressor("lstm", hidden_dim=3, dtype=np.float64, seed=4)  # untrained


def test_adding_sequence_marks_two_steps_and_writes_their_values():
    values = np.linspace(0.1, 0.8, 8)
    x = plots.adding_sequence(values, 1, 5, first_value=0.9, second_value=None)
    assert x.shape == (1, 8, 2)
    assert np.flatnonzero(x[0, :, 1]).tolist() == [1, 5]
    assert x[0, 1, 0] == 0.9 and x[0, 5, 0] == values[5]
    assert np.array_equal(np.delete(x[0, :, 0], 1), np.delete(values, 1))


def test_read_adding_sums_the_marked_values_and_predicts_like_the_model():
    from course_lib.numpy_core.toy_tasks import adding_problem

    model = _tiny_adding_lstm()
    x, y = adding_problem(4, 8, np.random.default_rng(1))
    trace, prediction, target = plots.read_adding(model, x)
    assert np.allclose(target, y)
    assert np.allclose(prediction, model.predict(x))
    assert trace["c"].shape == (4, 8, 3)


def test_marker_contrast_finds_the_unit_whose_input_gate_opens_at_the_markers():
    x = plots.adding_sequence(np.full(6, 0.5), 1, 4)  # (1, 6, 2)
    i = np.full((1, 6, 2), 0.2)
    i[0, [1, 4], 1] = 0.9  # unit 1 opens at the markers, unit 0 never does
    assert np.allclose(plots.marker_contrast({"i": i}, x), [0.0, 0.7])


def test_plot_adding_gates_draws_the_gates_and_cells_that_lstm_forward_computes():
    model = _tiny_adding_lstm()
    p = model.params
    T, H, units = 8, 3, [0, 2]
    x = plots.adding_sequence(np.random.default_rng(2).random(T), 2, 6, 0.8, 0.3)
    fig = plots.plot_adding_gates(model, x, units)
    _, cache = lstm_forward(x, np.zeros((1, H)), p["cell.Wx"], p["cell.Wh"], p["cell.b"])
    gates = cache["gates"][:, 0]  # (T, 4H), blocks i, f, g, o after their activations
    axes = fig.axes
    assert len(axes) == 5
    for ax, block in zip(axes[1:4], (0, 1, 3)):  # the panels of i, f and o
        for line, u in zip(ax.get_lines(), units):  # the units' lines come first
            assert np.allclose(line.get_ydata(), gates[:, block * H + u])
    for line, u in zip(axes[4].get_lines(), units):
        assert np.allclose(line.get_ydata(), cache["cs"][1:, 0, u])
    # the marked steps as vertical lines in every panel, and the answer against the sum
    for ax in axes:
        verticals = [ln.get_xdata() for ln in ax.get_lines() if len(ln.get_xdata()) == 2]
        assert sorted(xs[0] for xs in verticals if xs[0] == xs[1]) == [2, 6]
    prediction = model.predict(x)[0]
    assert f"prediction {prediction:.3f}, true sum 1.100" in axes[0].get_title()
    assert axes[-1].get_xlabel() and all(ax.get_ylabel() for ax in axes)


def test_adding_explorer_starts_at_the_default_and_keeps_each_marker_in_its_half():
    model = _tiny_adding_lstm()
    explorer = plots.adding_explorer(model, np.full(10, 0.5), [0], first=2, second=7,
                                     first_value=0.8, second_value=0.35)
    sliders = {w.description: w for w in explorer.children if hasattr(w, "max")}
    assert {k: sliders[k].value for k in sliders} == {
        "1st marker": 2, "2nd marker": 7, "1st value": 0.8, "2nd value": 0.35}
    assert (sliders["1st marker"].min, sliders["1st marker"].max) == (0, 4)
    assert (sliders["2nd marker"].min, sliders["2nd marker"].max) == (5, 9)


def test_tree_layout_numbers_nodes_like_flatten_tree_and_draw_tree_draws_them():
    from course_lib.data.sst import parse_tree
    from course_lib.plots.data import draw_tree, tree_layout

    tree = parse_tree("(1 (2 not) (1 (2 a) (1 film)))")
    nodes, xy, edges = tree_layout(tree)
    assert [node.word for node in nodes] == ["not", "a", "film", None, None]  # leaves first
    assert nodes[-1] is tree  # the root last
    assert xy.tolist() == [[0, 0], [1, 0], [2, 0], [1.5, 1], [0.75, 2]]
    assert sorted(edges) == [(3, 1), (3, 2), (4, 0), (4, 3)]
    ax = draw_tree(tree).axes[0]
    assert [t.get_text() for t in ax.texts] == ["2", "2", "1", "1", "1", "not", "a", "film"]
    assert ax.get_title()


def test_confusion_matrix_picture_in_counts_and_in_per_cent_of_each_class():
    from course_lib.plots.classification import plot_confusion_matrix

    matrix = np.array([[5, 1, 0], [2, 6, 0], [0, 0, 0]])  # class 2 never occurs
    counts = plot_confusion_matrix(matrix).axes[0]
    assert [t.get_text() for t in counts.texts][:3] == ["5", "1", "0"]
    shares = plot_confusion_matrix(matrix, ["neg", "neu", "pos"], per_class=True).axes[0]
    assert [t.get_text() for t in shares.texts][:2] == ["83 %\n(5)", "17 %\n(1)"]
    for ax in (counts, shares):
        assert ax.get_title() and ax.get_xlabel() == "predicted class" and len(ax.texts) == 9


def test_seed_format_ranks_the_sweep_on_dev_never_on_test():
    from course_lib.plots.sweep import seed_format

    rows = [{"model": "lstm", "hidden_size": h, "batch_size": 64, "epoch": 1,
             "val_accuracy": v, "test_accuracy": t}
            for h, v, t in ((20, 0.80, 0.90), (50, 0.85, 0.70))]  # test would pick h = 20
    table = seed_format(rows, top=1, models=("lstm",))
    assert table[0]["state dim"] == 50 and table[0]["test accuracy (%)"] == "70.0"
    for row in rows:
        del row["val_accuracy"]
    with pytest.raises(ValueError, match="no val_accuracy"):
        seed_format(rows, top=1, models=("lstm",))
