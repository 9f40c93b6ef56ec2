"""The curves every recorded run gets: one PNG per metric, a line per model and split."""

from __future__ import annotations

from pathlib import Path


def write_history_plots(histories: dict, stem: Path, title: str, reference_lines=None,
                   axis_labels=None) -> list[Path]:
    """One PNG per metric (``<stem>-<metric>.png``): a line per run and split over epochs.

    ``histories``: run name -> Trainer history. ``reference_lines``: metric -> {label: value},
    drawn as horizontal lines (a baseline, a paper's figure). ``axis_labels``: metric -> y-axis
    label with its unit (e.g. "loss": "mean squared error"). Returns the paths written.
    """
    # A Figure outside pyplot: nothing here touches the session's backend or its open figures.
    # (This used matplotlib.use("Agg"), which switched a notebook's kernel away from the inline
    # backend for good after its first recorded run: from then on plt.show() drew nothing, and
    # the widgets of notebooks 01 and 06 stopped redrawing in JupyterLab.)
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    reference_lines, axis_labels = reference_lines or {}, axis_labels or {}
    default_labels = {"accuracy": "accuracy (fraction)", "loss": "loss (nats per example)",
                      "perplexity": "perplexity"}
    metrics = []
    for history in histories.values():
        for key in history:
            split, _, metric = key.partition("_")
            if split in ("train", "val", "test") and metric != "grad_norm" and metric not in metrics:
                metrics.append(metric)
    styles = {"train": "-", "val": "--", "test": ":"}
    paths = []
    for metric in metrics:
        fig = Figure(figsize=(6.4, 4.0))
        ax = fig.add_subplot()
        for i, (run, history) in enumerate(histories.items()):
            for split, style in styles.items():
                values = history.get(f"{split}_{metric}")
                if values:
                    ax.plot(history["epoch"], values, style, color=f"C{i}", marker=".",
                            label=f"{run} {split}")
        for j, (label, value) in enumerate(reference_lines.get(metric, {}).items()):
            ax.axhline(value, color="grey", linestyle=["-.", (0, (1, 3))][j % 2], label=label)
        ax.set_title(f"{title}: {metric} per epoch")
        ax.set_xlabel("epoch")
        ax.set_ylabel(axis_labels.get(metric, default_labels.get(metric, metric)))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if metric in ("loss", "perplexity"):
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
        fig.tight_layout()
        path = stem.with_name(f"{stem.name}-{metric}.png")
        fig.savefig(path, dpi=100)
        paths.append(path)
    return paths
