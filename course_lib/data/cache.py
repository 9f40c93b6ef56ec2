"""Where data lives on disk: the read-only data folder, the cache, parsed caches, verification records.

- ``LSTM_COURSE_DATA``: a folder of data sets that is read first and never written.
- ``LSTM_COURSE_CACHE``: where downloads and parsed forms go (default: the repository's ``data/``,
  or the user cache folder when course_lib is installed outside a checkout).

Parsed forms that are slow to rebuild (GloVe's matrix, tokenised IMDB) are saved under
``<cache>/parsed/`` with the pinned source digest in their name, so a new pin rebuilds them.
Every write goes to a temporary file first and is renamed into place, so an interrupted write never
leaves a partial file behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

DATA_ENV = "LSTM_COURSE_DATA"
CACHE_ENV = "LSTM_COURSE_CACHE"
OFFLINE_ENV = "LSTM_COURSE_OFFLINE"

_REPO_DATA = Path(__file__).resolve().parents[2] / "data"


def data_dir() -> Path | None:
    """The read-only data folder named by ``LSTM_COURSE_DATA``, or None when unset."""
    value = os.environ.get(DATA_ENV, "").strip()
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    """The writable cache folder (``LSTM_COURSE_CACHE``, else the repo's ``data/``)."""
    value = os.environ.get(CACHE_ENV, "").strip()
    if value:
        return Path(value).expanduser()
    if (_REPO_DATA / "README.md").exists():
        return _REPO_DATA
    import pooch

    return Path(pooch.os_cache("lstm-course"))


def offline() -> bool:
    """True when ``LSTM_COURSE_OFFLINE`` is set to a true value: never download."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


@contextlib.contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside ``path``; rename it to ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates owner-only files
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def parsed_path(stem: str, digest: str, suffix: str = ".npz") -> Path:
    """Path of a parsed cache keyed by the source digest: ``<cache>/parsed/<stem>-<digest12>.npz``."""
    return cache_dir() / "parsed" / f"{stem}-{digest[:12]}{suffix}"


def save_arrays(path: Path, **arrays: np.ndarray) -> None:
    """Write arrays to an uncompressed ``.npz`` atomically (quick to load back)."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)


def load_arrays(path: Path) -> dict[str, np.ndarray] | None:
    """Load a parsed cache written by :func:`save_arrays`; None if missing or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except (OSError, ValueError, EOFError):
        return None


def encode_strings(strings: list[str]) -> np.ndarray:
    """Strings -> one uint8 array (UTF-8, newline separated) for ``.npz`` without pickling."""
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)


def decode_strings(array: np.ndarray) -> list[str]:
    """Inverse of :func:`encode_strings`."""
    text = array.tobytes().decode("utf-8")
    return text.split("\n") if text else []


# --- verification records: skip re-hashing a file that has not changed since it was verified ---

def _records_path() -> Path:
    return cache_dir() / "parsed" / "verified.json"


def _signature(path: Path) -> list:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _key(path: Path, member: str | None) -> str:
    return f"{path.resolve()}::{member or ''}"


def _read_records() -> dict:
    try:
        return json.loads(_records_path().read_text())
    except (OSError, ValueError):
        return {}


def recorded_digest(path: Path, member: str | None) -> str | None:
    """The content digest recorded for this file when it was last verified, if unchanged since."""
    record = _read_records().get(_key(path, member))
    if record and record.get("signature") == _signature(path):
        return record.get("sha256")
    return None


def record_digest(path: Path, member: str | None, sha256: str) -> None:
    """Remember that this file (as it is now on disk) has content digest ``sha256``."""
    records = _read_records()
    records[_key(path, member)] = {"signature": _signature(path), "sha256": sha256}
    try:
        with atomic_path(_records_path()) as tmp:
            tmp.write_text(json.dumps(records, indent=1, sort_keys=True))
    except OSError:
        pass  # a read-only cache only costs a re-hash next time


def forget_digest(path: Path, member: str | None) -> None:
    """Drop the verification record of a file (after removing it, or when its digest is wrong)."""
    records = _read_records()
    if records.pop(_key(path, member), None) is not None:
        try:
            with atomic_path(_records_path()) as tmp:
                tmp.write_text(json.dumps(records, indent=1, sort_keys=True))
        except OSError:
            pass
