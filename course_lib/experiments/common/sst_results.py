"""Reading the SST experiments' results records (``sst``, ``sst-transfer``, ``sst-tree``) for
notebook 10: a recipe in words, the results table, per-epoch curves over the seeds.

A record is what ``lstm-course run sst`` writes (``results/sst.json``); its ``extra["rows"]``
holds, per row of the table, the recipe, the per-seed test accuracies at the best dev epoch
(``test_mean``, ``test_std``, ``best_epoch``) and the wall time; its ``history`` one
per-epoch history per ``<row>/<seed>`` run. The pictures are in :mod:`course_lib.plots.sst`.
"""

from __future__ import annotations

import numpy as np

POOLING_NAMES = {"last": "last state", "mean": "mean", "max": "max",
                 "attention": "additive attention", "seed_attention": "seeds' attention",
                 "max+attention": "max + additive attention"}


def describe(recipe: dict) -> str:
    """A recipe in words: "BiLSTM, max + additive attention, GloVe (lr x0.1), phrases"."""
    layers = f"{recipe['layers']}-layer " if recipe["layers"] > 1 else ""
    cell = f"{layers}{'BiLSTM' if recipe['bidirectional'] else 'LSTM'}"
    embedding = "GloVe-50" if recipe["embedding"] == "glove" else "random 50-d"
    if recipe["embedding"] == "glove" and recipe["embedding_lr_scale"] != 1:
        embedding += f" (lr x{recipe['embedding_lr_scale']:g})"
    extras = [f"label smoothing {recipe['label_smoothing']:g}"] if recipe["label_smoothing"] else []
    if recipe.get("halve_after") is not None:
        extras.append("lr halved per round")
    return ", ".join([cell, POOLING_NAMES[recipe["pooling"]], embedding, *extras])


def results_table(record: dict, minutes=True) -> list[dict]:
    """Rows for :func:`~course_lib.runs.notebook_support.markdown_table`: ours (mean ± std
    over seeds of the test accuracy at the best dev epoch), then the seeds' and the papers'."""
    extra, rows = record["extra"], []
    for name, row in extra["rows"].items():
        recipe = row["recipe"]
        wall = row["wall_time_s"] / 60 if minutes else row["wall_time_s"]
        rows.append({
            "row": name, "task": "SST-2" if recipe["labels"] == "binary" else "SST-5",
            "model": describe(recipe),
            "trained on": f"{row['train_examples']:,} {'phrases' if recipe['phrases'] else 'sentences'}",
            "test accuracy (%)": f"{100 * row['test_mean']:.2f} ± {100 * row['test_std']:.2f}",
            "seeds": row["seeds"], "best-dev epochs": ", ".join(map(str, row["best_epoch"])),
            "wall time": f"{wall:.1f} min" if minutes else f"{wall:.0f} s",
        })
    published = [("SST-5", label, value) for label, value in
                 {**extra["seed_rows"], **extra["references"]}.items()]
    published += [("SST-2", label, value) for label, value in extra.get("sst2_references", {}).items()]
    for task, label, value in published:
        rows.append({"row": label, "task": task, "model": "(published)", "trained on": "",
                     "test accuracy (%)": f"{100 * value:.1f}", "seeds": "", "best-dev epochs": "",
                     "wall time": ""})
    return rows


def epoch_curves(record: dict, row: str, split: str = "test") -> tuple[np.ndarray, np.ndarray]:
    """Per-epoch accuracy of ``row`` over its seeds: (epochs (E,), accuracies (S, E))."""
    runs = [h for name, h in record["history"].items() if name.startswith(f"{row}/")]
    return np.array(runs[0]["epoch"]), np.array([h[f"{split}_accuracy"] for h in runs])
