"""The parts of a run: its first start and every ``--resume`` after a stop, with their wall times.

``checkpoints/<stem>/parts.json`` lists them; a fresh run starts the list again, a resumed run
appends to it. Each part is written when it starts (``"ended": null``) and again when it ends,
also when it stops with Ctrl-C or an error, so the record's wall time is the sum over every part.
A part killed without a chance to write (SIGKILL, power cut) keeps ``"wall_time_s": null``, and
the record says its total is incomplete.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

PARTS_FILE = "parts.json"


def read_parts(folder) -> list[dict]:
    path = Path(folder) / PARTS_FILE
    return json.loads(path.read_text()) if path.exists() else []


def write_parts(folder, parts: list[dict]) -> None:
    path = Path(folder) / PARTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(parts, indent=1) + "\n")
    os.replace(tmp, path)  # complete or not at all


def begin_part(folder, resume: bool, **about) -> list[dict]:
    """Start a part (a new list unless ``resume``); ``about``: e.g. the commit. Returns the list."""
    parts = read_parts(folder) if resume else []
    parts.append({"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "resumed": resume, **about, "wall_time_s": None, "ended": None})
    write_parts(folder, parts)
    return parts


def end_part(folder, parts: list[dict], wall_time_s: float, ended: str = "finished") -> None:
    """Record the last part's wall time and how it ended ("finished", "KeyboardInterrupt", ...)."""
    parts[-1].update(wall_time_s=wall_time_s, ended=ended)
    write_parts(folder, parts)


def total_wall_time(parts: list[dict]) -> float:
    """Seconds summed over the parts whose time is known."""
    return float(sum(p["wall_time_s"] for p in parts if p["wall_time_s"] is not None))
