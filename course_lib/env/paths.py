"""Where things live: the repository root and its results/ and checkpoints/ folders."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = REPO_ROOT / "results"
CHECKPOINTS_DIR = REPO_ROOT / "checkpoints"
NOTEBOOK_FOLDERS = ("notebooks", "solutions", "exercises")
