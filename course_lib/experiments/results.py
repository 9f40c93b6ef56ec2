"""What a run records: the environment it ran in, and its loss and metric curves as pictures."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

from course_lib.paths import REPO_ROOT


def git_commit() -> dict:
    """{"commit": sha or None, "dirty": True when tracked files have uncommitted changes}."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    try:
        sha = git("rev-parse", "HEAD") or None
        dirty = bool(git("status", "--porcelain", "--untracked-files=no")) if sha else None
    except (OSError, subprocess.SubprocessError):
        sha, dirty = None, None
    return {"commit": sha, "dirty": dirty}


def library_versions() -> dict:
    import matplotlib
    import numpy
    import torch

    import course_lib

    return {"python": platform.python_version(), "torch": torch.__version__,
            "numpy": numpy.__version__, "matplotlib": matplotlib.__version__,
            "course_lib": course_lib.__version__}


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_info(device) -> dict:
    """The device's type, a human name, and the CPU threads torch uses."""
    import torch

    device = torch.device(device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_name()
    return {"type": device.type, "name": name, "torch_threads": torch.get_num_threads(),
            "platform": f"{platform.system()} {platform.machine()}"}


def command_line() -> str:
    """How this process was started, as a shell command (for the results file)."""
    argv = list(sys.argv)
    if argv and argv[0].endswith("lstm-course"):
        argv[0] = "lstm-course"
    return " ".join(argv)


def plot_histories(histories: dict, stem: Path, title: str, reference_lines=None,
                   axis_labels=None) -> list[Path]:
    """One PNG per metric (``<stem>-<metric>.png``): a line per run and split over epochs.

    ``histories``: run name -> Trainer history. ``reference_lines``: metric -> {label: value},
    drawn as horizontal lines (a baseline, a paper's figure). ``axis_labels``: metric -> y-axis
    label with its unit (e.g. "loss": "mean squared error"). Returns the paths written.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
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
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
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
        plt.close(fig)
        paths.append(path)
    return paths
