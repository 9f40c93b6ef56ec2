"""Provenance: what a record says about where it came from (commit, libraries, machine, command)."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

from course_lib.env.paths import REPO_ROOT


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
