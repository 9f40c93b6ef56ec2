"""Plots shared by the NumPy notebooks: gradient norms, training curves, LSTM gates.

Every function draws on new axes (or the ``ax`` it is given) and returns the figure; titles,
axis labels and units are set here so that every notebook's plots read the same way.

The gate explorers of notebook 01 live here too: one LSTM unit, driven by a short input
pulse, with sliders for the input and for the pre-activations of the three gates (ipywidgets),
and a static grid of settings for when there is no live front end (GitHub, CI); and a trained
adding-problem LSTM, with sliders for where its two markers sit and what values they mark.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_lib.numpy_core.lstm import lstm_step_forward

GATE_COLOURS = {"i": "tab:green", "f": "tab:blue", "g": "tab:purple", "o": "tab:orange"}
GATE_NAMES = {"i": "input gate i", "f": "forget gate f", "g": "candidate g",
              "o": "output gate o"}


def plot_gradient_norms(lags, curves, ax=None, title="Gradient norm vs time lag"):
    """Log-scale gradient norms against the time lag.

    - lags: (K,) time lags in steps
    - curves: dict label -> (K,) norms
    """
    fig, ax = _figure(ax, (7, 4))
    for label, norms in curves.items():
        ax.semilogy(lags, np.maximum(norms, 1e-300), label=label)
    ax.set(title=title, xlabel="time lag k (steps back from the last step)",
           ylabel="gradient norm (log scale)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return fig


def plot_histories(histories, baseline=None, ax=None, key="val_mse",
                   title="Adding problem: validation error during training"):
    """Validation mean squared error against training steps, one line per run.

    - histories: dict label -> history from ``train_adding`` ("step", ``key``)
    - baseline: error of always predicting the mean, drawn as a dashed line
    """
    fig, ax = _figure(ax, (7, 4))
    for label, history in histories.items():
        ax.semilogy(history["step"], history[key], label=label)
    if baseline is not None:
        ax.axhline(baseline, color="grey", linestyle="--", label="predict the mean")
    ax.set(title=title, xlabel="training step (one batch each)",
           ylabel="validation MSE (log scale)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return fig


# ---------------------------------------------------------------- gates of a trained LSTM
def record_gates(x, Wx, Wh, b, h0=None, c0=None):
    """Run an LSTM step by step and keep every gate and state.

    Inputs: x (N, T, D); Wx (D, 4H), Wh (H, 4H), b (4H,); h0, c0 (N, H) or None (zeros).
    Returns a dict with "i", "f", "g", "o", "c", "h", each (N, T, H).
    """
    N, T, _ = x.shape
    H = Wh.shape[0]
    h = np.zeros((N, H), x.dtype) if h0 is None else h0
    c = np.zeros((N, H), x.dtype) if c0 is None else c0
    trace = {k: np.empty((N, T, H), x.dtype) for k in "ifgoch"}
    for t in range(T):
        h, c, cache = lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
        _, _, _, _, _, i, f, g, o, _ = cache
        for name, value in zip("ifgoch", (i, f, g, o, c, h)):
            trace[name][:, t] = value
    return trace


def plot_gates(trace, inputs, units, sample=0, input_labels=("value", "marker"),
               title="Inside a trained LSTM"):
    """The gates and cell states of a few units over time, for one sequence.

    - trace: from ``record_gates``; inputs: (N, T, D) the inputs that produced it
    - units: indices of the hidden units to show
    """
    fig, axes = plt.subplots(5, 1, figsize=(9, 10), sharex=True)
    steps = np.arange(inputs.shape[1])
    for d, label in enumerate(input_labels):
        axes[0].step(steps, inputs[sample, :, d], where="mid", label=label)
    axes[0].set(ylabel="input", title=title)
    axes[0].legend(loc="upper right")
    for ax, gate in zip(axes[1:4], "ifo"):
        for u in units:
            ax.plot(steps, trace[gate][sample, :, u], label=f"unit {u}")
        ax.set(ylabel=GATE_NAMES[gate], ylim=(-0.05, 1.05))
    axes[1].legend(loc="upper right", ncol=len(units))
    for u in units:
        axes[4].plot(steps, trace["c"][sample, :, u])
    axes[4].set(ylabel="cell state c", xlabel="time step t")
    for ax in axes:
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- a trained LSTM, explored
def adding_sequence(values, first, second, first_value=None, second_value=None):
    """One adding-problem input with its two markers at steps ``first`` and ``second``
    (notebook 01, section 6).

    - values: (T,) the value at every step, in [0, 1)
    - first, second: the marked steps; first_value, second_value: the values written there
      (None keeps ``values`` at that step)
    Returns x (1, T, 2): x[0, :, 0] the values, x[0, :, 1] the markers (two ones).
    """
    x = np.zeros((1, len(values), 2))
    x[0, :, 0] = values
    for step, value in ((first, first_value), (second, second_value)):
        x[0, step, 1] = 1.0
        if value is not None:
            x[0, step, 0] = value
    return x


def read_adding(model, x):
    """Run a trained adding-problem LSTM over x (N, T, 2), step by step, keeping every gate
    (notebook 01, section 6).

    - model: an ``AddingRegressor`` with an LSTM cell (``params``, ``predict``)
    Returns (trace, prediction, target): trace from ``record_gates`` (each (N, T, H)); the
    model's prediction (N,) and the true sum of the two marked values (N,).
    """
    p = model.params
    x = np.asarray(x, p["cell.Wx"].dtype)
    trace = record_gates(x, p["cell.Wx"], p["cell.Wh"], p["cell.b"])
    target = np.sum(x[:, :, 0] * x[:, :, 1], axis=1)
    return trace, model.predict(x), target


def marker_contrast(trace, x):
    """How much more each unit's input gate opens at the marked steps than elsewhere
    (notebook 01, section 6).

    Inputs: trace from ``record_gates`` (each (N, T, H)); x (N, T, 2) with the markers in
    x[:, :, 1]. Returns (H,): mean input gate at the marked steps minus at the others.
    """
    marked = x[:, :, 1] == 1  # (N, T)
    return trace["i"][marked].mean(axis=0) - trace["i"][~marked].mean(axis=0)


def plot_adding_gates(model, x, units, title="The trained LSTM reads one sequence"):
    """The gates and cell states of a trained adding-problem LSTM, for one sequence.

    Notebook 01, section 6: ``plot_gates`` of ``read_adding``, with the marked steps as dotted
    lines and, in the title, the model's prediction against the true sum.

    - model: an ``AddingRegressor`` with an LSTM cell
    - x: (1, T, 2) the sequence (``adding_sequence``); units: the hidden units to show
    """
    trace, prediction, target = read_adding(model, x)
    fig = plot_gates(trace, x, units, title=f"{title}: prediction {prediction[0]:.3f}, "
                     f"true sum {target[0]:.3f}")
    for ax in fig.axes:
        for step in np.flatnonzero(x[0, :, 1]):
            ax.axvline(step, color="grey", linestyle=":", linewidth=1)
    return fig


def adding_explorer(model, values, units, first, second, first_value, second_value):
    """Sliders for the two marked steps and their values, redrawing ``plot_adding_gates``
    (notebook 01, section 6: the gate explorer driven by data).

    - values: (T,) the values of the unmarked steps; first, second, first_value,
      second_value: where the sliders start (the first marker moves in the first half, the
      second in the second half, as in training; values in steps of 0.05)
    Returns the ipywidgets ``interactive`` object, or None when ipywidgets is missing.
    """
    try:
        import ipywidgets as widgets
    except ImportError:
        return None
    T, half = len(values), len(values) // 2

    def step_slider(value, low, high, description):
        return widgets.IntSlider(value=value, min=low, max=high, description=description,
                                 continuous_update=False)

    def value_slider(value, description):
        return widgets.FloatSlider(value=value, min=0.0, max=1.0, step=0.05,
                                   description=description, continuous_update=False)

    def draw(first, second, first_value, second_value):
        plot_adding_gates(model, adding_sequence(values, first, second, first_value,
                                                 second_value), units)
        plt.show()

    return widgets.interactive(
        draw, first=step_slider(first, 0, half - 1, "1st marker"),
        second=step_slider(second, half, T - 1, "2nd marker"),
        first_value=value_slider(first_value, "1st value"),
        second_value=value_slider(second_value, "2nd value"))


# ---------------------------------------------------------------- the gate explorer
def single_unit_trace(x_height, a_i, a_f, a_o, T=40, pulse=(5, 10)):
    """One LSTM unit (D = H = 1) fed a pulse of height ``x_height`` during ``pulse`` steps.

    The candidate reads the input, g_t = tanh(x_t); the gates have constant pre-activations
    a_i, a_f, a_o (no input or recurrent weights), so i, f, o are constants. Uses the course's
    lstm_step_forward. Returns a dict of (T,) arrays: "x", "i", "f", "g", "o", "c", "h".
    """
    x = np.zeros(T)
    x[pulse[0]:pulse[1]] = x_height
    Wx = np.array([[0.0, 0.0, 1.0, 0.0]])  # (D, 4H): only g reads the input
    Wh = np.zeros((1, 4))  # (H, 4H): no recurrent weights
    b = np.array([a_i, a_f, 0.0, a_o])  # (4H,): the gates' pre-activations
    trace = record_gates(x.reshape(1, T, 1), Wx, Wh, b)
    return {"x": x, **{k: v[0, :, 0] for k, v in trace.items()}}


def plot_single_unit(x_height=2.0, a_i=2.0, a_f=3.0, a_o=2.0, T=40, axes=None):
    """Draw ``single_unit_trace``: input and gates, cell state, hidden state."""
    trace = single_unit_trace(x_height, a_i, a_f, a_o, T)
    if axes is None:
        fig, axes = plt.subplots(3, 1, figsize=(8, 6.5), sharex=True)
    fig = axes[0].figure
    steps = np.arange(T)
    axes[0].step(steps, trace["x"], where="mid", color="black", label="input x")
    for gate in "ifo":
        axes[0].plot(steps, trace[gate], color=GATE_COLOURS[gate], label=f"{gate}")
    f = float(trace["f"][0])
    half_life = np.log(0.5) / np.log(f) if 0 < f < 1 else np.inf
    axes[0].set(ylabel="input, gates", title=f"f = {f:.4g}: a memory halves every "
                f"{half_life:.1f} steps" if np.isfinite(half_life) else f"f = {f:.4g}")
    axes[0].legend(loc="upper right", ncol=4, fontsize="small")
    axes[1].plot(steps, trace["c"], color="tab:red")
    axes[1].set(ylabel="cell state c")
    axes[2].plot(steps, trace["h"], color="tab:brown")
    axes[2].set(ylabel="hidden state h", xlabel="time step t")
    for ax in axes:
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def plot_single_unit_grid(forget_preactivations=(-2.0, 0.0, 3.0, 8.0), x_height=2.0,
                          a_i=2.0, a_o=2.0, T=40):
    """The static version of the explorer: the cell state for several forget-gate settings."""
    fig, axes = plt.subplots(1, len(forget_preactivations), figsize=(12, 3), sharey=True)
    steps = np.arange(T)
    for ax, a_f in zip(axes, forget_preactivations):
        trace = single_unit_trace(x_height, a_i, a_f, a_o, T)
        ax.step(steps, trace["x"] / max(abs(x_height), 1e-9), where="mid", color="grey",
                alpha=0.5, label="input pulse (scaled)")
        ax.plot(steps, trace["c"], color="tab:red", label="cell state c")
        ax.plot(steps, trace["h"], color="tab:brown", label="hidden state h")
        ax.set(title=f"a_f = {a_f:g} (f = {trace['f'][0]:.4g})", xlabel="time step t")
        ax.grid(True, alpha=0.3)
    axes[0].set_ylabel("value")
    axes[0].legend(loc="upper right", fontsize="small")
    fig.suptitle("One LSTM unit after a pulse of input: the forget gate sets how long it "
                 "remembers")
    fig.tight_layout()
    return fig


def gate_explorer(T=40):
    """Sliders for the input and the gates' pre-activations, redrawing the unit live.

    Returns the ipywidgets ``interactive`` object, or None when ipywidgets is missing.
    """
    try:
        import ipywidgets as widgets
    except ImportError:
        return None

    def slider(value, low, high, description):
        return widgets.FloatSlider(value=value, min=low, max=high, step=0.25,
                                   description=description, continuous_update=False)

    def draw(x_height, a_i, a_f, a_o):
        plot_single_unit(x_height, a_i, a_f, a_o, T)
        plt.show()

    return widgets.interactive(draw, x_height=slider(2.0, -3, 3, "input x"),
                               a_i=slider(2.0, -6, 6, "a_i"), a_f=slider(3.0, -6, 10, "a_f"),
                               a_o=slider(2.0, -6, 6, "a_o"))


def _figure(ax, size):
    if ax is None:
        fig, ax = plt.subplots(figsize=size)
    return ax.figure, ax
