"""The LSTM-variants comparison (12): one bar per cell with its seeds, and the learning curves.

Both are drawn from a ``variants`` results record; ``python -m course_lib.plots.variants
[results/variants.json]`` saves them beside it as ``<stem>-bars.png`` and ``<stem>-curves.png``.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

TASK_LABELS = {"adding": "test MSE (lower is better)", "mnist": "test accuracy (higher is better)"}


def plot_variant_bars(record: dict):
    """Per task: each cell's mean test metric over seeds (bar), one std (error bar), and each
    seed's run (dots); the adding problem's always-predict-1 baseline as a dashed line."""
    results, seeds = record["extra"]["results"], record["config"]["seeds"]
    fig, axes = plt.subplots(1, len(results), figsize=(6.5 * len(results), 4), squeeze=False)
    for ax, (task, cells) in zip(axes[0], results.items()):
        names = list(cells)
        colors = ["tab:orange" if c == "lstm-vanilla" else "tab:blue" for c in names]
        ax.bar(names, [cells[c]["mean"] for c in names], yerr=[cells[c]["std"] for c in names],
               capsize=4, color=colors, alpha=0.8)
        for k, c in enumerate(names):
            ax.plot([k] * len(cells[c]["values"]), cells[c]["values"], "k.", ms=4)
        if task == "adding":
            ax.axhline(record["extra"]["adding_baseline_mse"], ls="--", color="grey",
                       label="always predict 1")
            ax.legend()
        ax.set(title=f"{task}: mean ± std over {seeds} seeds", ylabel=TASK_LABELS[task],
               xlabel="cell")
        ax.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    return fig


def plot_variant_curves(record: dict):
    """Per task: each cell's validation loss per epoch at its chosen learning rate, averaged
    over its seeds (the vanilla LSTM drawn thicker)."""
    results, config = record["extra"]["results"], record["config"]
    fig, axes = plt.subplots(1, len(results), figsize=(6.5 * len(results), 4), squeeze=False)
    for ax, (task, cells) in zip(axes[0], results.items()):
        for cell, r in cells.items():
            runs = [record["history"][f"{task}/{cell}/lr{r['lr']:g}/seed{config['seed'] + k}"]
                    for k in range(config["seeds"])]
            epochs = min(len(run["val_loss"]) for run in runs)  # equal unless a run stopped early
            curve = np.mean([run["val_loss"][:epochs] for run in runs], axis=0)  # (epochs,)
            ax.plot(runs[0]["epoch"][:epochs], curve, marker=".", label=cell,
                    lw=2.5 if cell == "lstm-vanilla" else 1.2)
        ax.set(title=f"{task}: validation loss at the chosen rate, mean over seeds",
               xlabel="epoch",
               ylabel="validation loss" + (" (MSE)" if task == "adding" else " (cross-entropy)"))
        ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    return fig


def write_figures(record: dict, stem) -> list[Path]:
    """Save both pictures of a record as ``<stem>-bars.png`` and ``<stem>-curves.png``."""
    stem, paths = Path(stem), []
    for name, draw in (("bars", plot_variant_bars), ("curves", plot_variant_curves)):
        fig = draw(record)
        paths.append(stem.with_name(f"{stem.name}-{name}.png"))
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)
    return paths


if __name__ == "__main__":  # python -m course_lib.plots.variants [results/variants.json]
    import json
    import sys

    from course_lib.env.paths import RESULTS_DIR

    source = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS_DIR / "variants.json"
    for path in write_figures(json.loads(source.read_text()), str(source).removesuffix(".json")):
        print(path)
