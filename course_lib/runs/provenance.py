"""Provenance: what a record says about where it came from.

The commit and the state of the working tree at the start of the run (:func:`git_commit`), the
libraries, the machine, the data files the run read (:func:`data_digests`) and
the command. A record meant for the committed ``results/`` folder must start from a clean tree
(:func:`refuse_dirty_record`), so that its commit names the code that produced it.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
from pathlib import Path

from course_lib.env import paths
from course_lib.env.paths import REPO_ROOT

CODE_FOLDER = "course_lib/"  # untracked files here are code the run may import: they count


class DirtyTreeError(RuntimeError):
    """A record for the committed results/ was asked for from a tree with uncommitted changes."""


def _git(root, *args) -> bytes:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=30,
                          check=True).stdout


def uncommitted_files(root=REPO_ROOT) -> list[str]:
    """Files that make the tree dirty: tracked files with changes (staged or not) anywhere, and
    untracked, not ignored, files under ``course_lib/`` (new code counts)."""
    entries = _git(root, "status", "--porcelain", "-z", "--untracked-files=all").split(b"\0")
    changed, skip = [], False
    for entry in entries:
        if skip or not entry:  # the original path of a rename or copy
            skip = False
            continue
        status, path = entry[:2].decode(), entry[3:].decode()
        skip = "R" in status or "C" in status
        if status != "??" or path.startswith(CODE_FOLDER):
            changed.append(path)
    return changed


def diff_sha256(files: list[str], root=REPO_ROOT) -> str:
    """sha256 of ``git diff HEAD`` (every tracked change) and of the untracked ``files``."""
    digest = hashlib.sha256(_git(root, "diff", "HEAD", "--binary"))
    tracked = set(_git(root, "ls-files", "-z").decode().split("\0"))
    for name in sorted(set(files) - tracked):
        path = Path(root) / name
        digest.update(f"untracked {name}\n".encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


def own_records(results_dir):
    """The folder whose files a run is replacing, when it is a folder strictly under ``results/``
    (a sweep's ``results/sweeps/<name>/``), relative to the repository; else None. Changes there
    are the records being redone, not code: :func:`git_commit` does not count them."""
    committed = Path(paths.RESULTS_DIR).resolve()
    folder = Path(results_dir).resolve()
    if committed not in folder.parents:
        return None
    try:
        return folder.relative_to(Path(REPO_ROOT).resolve()).as_posix() + "/"
    except ValueError:
        return None


def git_commit(root=REPO_ROOT, own_folder: str | None = None) -> dict:
    """{"commit": sha or None, "dirty": bool or None}; a dirty tree adds "dirty_files" and
    "diff_sha256" (see :func:`uncommitted_files`, :func:`diff_sha256`). None where git is missing.
    Files under ``own_folder`` (from :func:`own_records`) do not count."""
    try:
        sha = _git(root, "rev-parse", "HEAD").decode().strip() or None
        files = [f for f in uncommitted_files(root)
                 if not (own_folder and f.startswith(own_folder))]
        state = {"commit": sha, "dirty": bool(files)}
        if files:
            state.update(dirty_files=files, diff_sha256=diff_sha256(files, root))
    except (OSError, subprocess.SubprocessError):
        state = {"commit": None, "dirty": None}
    return state


def is_committed_record(results_dir, profile: str) -> bool:
    """Whether a record is for the committed ``results/`` folder: written into it (or a folder
    under it, e.g. a sweep's), and not in the smoke profile (smoke records are git-ignored)."""
    committed = Path(paths.RESULTS_DIR).resolve()
    folder = Path(results_dir).resolve()
    return profile != "smoke" and (folder == committed or committed in folder.parents)


def refuse_dirty_record(state: dict, results_dir, profile: str, allow_dirty: bool = False) -> None:
    """Raise :class:`DirtyTreeError` when a record for ``results/`` would start from a tree that
    is not a clean commit (``state`` from :func:`git_commit`), unless ``allow_dirty``."""
    if allow_dirty or not is_committed_record(results_dir, profile) or state["dirty"] is False:
        return
    if state["dirty"] is None:
        why = "its commit is unknown (no git repository, or git is missing)"
    else:
        files = state["dirty_files"]
        why = (f"the tree has uncommitted changes in {len(files)} file(s): "
               + ", ".join(files[:5]) + (", ..." if len(files) > 5 else ""))
    raise DirtyTreeError(
        f"refusing to record into {results_dir}: {why}. A committed record must name the code that "
        "produced it. Commit first; or write elsewhere with --results-dir (smoke and temporary "
        "runs are never refused); or pass --allow-dirty to record anyway, marked \"dirty\": true "
        "with the diff's sha256.")


def data_digests() -> dict:
    """{data set: {logical file: pinned sha256}} of every data file located in this process.

    The data layer notes each file it locates (:data:`course_lib.data.fetch.LOCATED`). Loaders
    cached in memory do not locate again, so in a process that ran several experiments this may
    list more files than one of them read, never fewer; ``lstm-course run`` runs one per process.
    """
    from course_lib.data import fetch, registry

    digests: dict[str, dict] = {}
    for name in sorted(fetch.LOCATED):
        digests.setdefault(fetch.dataset_of(name), {})[name] = registry.FILES[name]["sha256"]
    return digests


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
