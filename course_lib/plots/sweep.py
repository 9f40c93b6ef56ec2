"""Reading a sweep's table (notebook 11): the seed's table format, heat-maps, time and accuracy.

The table is ``summary["table"]`` of :func:`course_lib.runs.sweep.run_sweep`: one dict per
(grid point, model, epoch) with the grid's fields (here ``hidden_size``, ``batch_size``),
``model``, ``epoch``, the per-epoch metrics (``test_accuracy``, ``train_accuracy``, ...) and
``time_s`` (seconds that epoch took, evaluation included). Every function returns a figure or
plain rows; titles, axis labels and units are set here.

The grid is read on **dev** (``val_accuracy``) by default: the lessons drawn over the whole grid
are choices too. Test accuracy appears only beside the rows that dev chose (:func:`seed_format`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

MODEL_NAMES = {"lstm": "LSTM", "rnn": "vanilla RNN"}
METRIC_NAMES = {"val_accuracy": "dev accuracy", "test_accuracy": "test accuracy",
                "train_accuracy": "train accuracy"}


def values(rows, key) -> list:
    """The distinct values of ``key`` in ``rows``, sorted."""
    return sorted({row[key] for row in rows})


def select(rows, **where) -> list[dict]:
    """The rows whose fields equal every ``where`` item."""
    return [r for r in rows if all(r[k] == v for k, v in where.items())]


def grid(rows, model, metric="val_accuracy", epoch=None, y="hidden_size", x="batch_size"):
    """A (len(y values), len(x values)) array of ``metric`` for ``model`` at ``epoch``
    (None: each run's last epoch); NaN where a point is missing."""
    ys, xs = values(rows, y), values(rows, x)
    out = np.full((len(ys), len(xs)), np.nan)
    for i, yv in enumerate(ys):
        for j, xv in enumerate(xs):
            run = select(rows, model=model, **{y: yv, x: xv})
            if run:
                row = run[-1] if epoch is None else next((r for r in run if r["epoch"] == epoch), None)
                out[i, j] = np.nan if row is None else row[metric]
    return ys, xs, out


def plot_heatmaps(rows, models=("lstm", "rnn"), epoch=None, metric="val_accuracy"):
    """One heat-map per model: accuracy (%) over hidden size (rows) x batch size (columns)."""
    fig, axes = plt.subplots(1, len(models), figsize=(5.2 * len(models), 4.0), squeeze=False)
    for ax, model in zip(axes[0], models):
        ys, xs, acc = grid(rows, model, metric, epoch)
        image = ax.imshow(100 * acc, cmap="viridis", vmin=50, vmax=100, origin="lower")
        for i in range(len(ys)):
            for j in range(len(xs)):
                ax.text(j, i, f"{100 * acc[i, j]:.1f}", ha="center", va="center",
                        color="white" if acc[i, j] < 0.8 else "black", fontsize=9)
        ax.set(title=f"{MODEL_NAMES.get(model, model)}", xlabel="batch size",
               ylabel="hidden size (state dim)", xticks=range(len(xs)), yticks=range(len(ys)))
        ax.set_xticklabels(xs)
        ax.set_yticklabels(ys)
        fig.colorbar(image, ax=ax, label=f"{METRIC_NAMES[metric]} (%)")
    when = "last epoch" if epoch is None else f"epoch {epoch}"
    fig.suptitle(f"IMDB {METRIC_NAMES[metric]} over the grid ({when})")
    fig.tight_layout()
    return fig


def seed_format(rows, top=5, models=("lstm", "rnn")) -> list[dict]:
    """The best ``top`` (model, state dim, batch, epochs) of each model, chosen by **dev**
    accuracy (``val_accuracy``), in the columns of seed 002's table, with the test accuracy of
    each chosen row beside it (read, never used to rank)."""
    out = []
    for model in models:
        candidates = select(rows, model=model)
        if any(r.get("val_accuracy") is None for r in candidates):
            raise ValueError("these rows have no val_accuracy: the sweep ran without a dev split, "
                             "so its best rows cannot be chosen (never choose them on test)")
        best = sorted(candidates, key=lambda r: -r["val_accuracy"])[:top]
        out += [{"model": MODEL_NAMES.get(model, model), "state dim": r["hidden_size"],
                 "batch size": r["batch_size"], "epochs": r["epoch"],
                 "dev accuracy (%)": f"{100 * r['val_accuracy']:.1f}",
                 "test accuracy (%)": f"{100 * r['test_accuracy']:.1f}"} for r in best]
    return out


def plot_batch_lessons(rows, model="lstm", metric="val_accuracy"):
    """Left: seconds per epoch against batch size (one line per hidden size). Right: ``metric``
    after each epoch, one line per batch size (largest hidden size)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.0))
    hidden = values(rows, "hidden_size")
    batches = values(rows, "batch_size")
    for k, h in enumerate(hidden):
        times = [np.median([r["time_s"] for r in select(rows, model=model, hidden_size=h,
                                                         batch_size=b)]) for b in batches]
        left.plot(batches, times, marker="o", color=f"C{k}", label=f"hidden {h}")
    left.set(title=f"{MODEL_NAMES.get(model, model)}: time per epoch", xlabel="batch size",
             ylabel="seconds per epoch (median, with evaluation)", xscale="log", xticks=batches)
    left.set_xticklabels(batches)
    left.legend(fontsize="small")
    left.grid(alpha=0.3)
    for k, b in enumerate(batches):
        run = select(rows, model=model, hidden_size=hidden[-1], batch_size=b)
        right.plot([r["epoch"] for r in run], [100 * r[metric] for r in run],
                   marker="o", color=f"C{k}", label=f"batch {b}")
    right.set(title=f"{MODEL_NAMES.get(model, model)}({hidden[-1]}): accuracy per epoch",
              xlabel="epoch", ylabel=f"{METRIC_NAMES[metric]} (%)")
    right.legend(fontsize="small")
    right.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_rnn_vs_lstm(rows, batch_size=None, metric="val_accuracy"):
    """``metric`` per epoch of the RNN and the LSTM at every hidden size (one batch size)."""
    batch_size = batch_size or values(rows, "batch_size")[0]
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for k, h in enumerate(values(rows, "hidden_size")):
        for model, style in (("lstm", "-"), ("rnn", "--")):
            run = select(rows, model=model, hidden_size=h, batch_size=batch_size)
            ax.plot([r["epoch"] for r in run], [100 * r[metric] for r in run], style,
                    marker=".", color=f"C{k}", label=f"{MODEL_NAMES[model]}({h})")
    ax.axhline(50, color="grey", linewidth=0.8, label="chance (50 %)")
    ax.set(title=f"IMDB: LSTM (solid) vs vanilla RNN (dashed), batch {batch_size}",
           xlabel="epoch", ylabel=f"{METRIC_NAMES[metric]} (%)")
    ax.legend(fontsize="small", ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
