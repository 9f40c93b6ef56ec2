"""``lstm-course doctor``: is this machine ready for the course?

Prints versions, the device torch will use, the run profile, and for each data set where it
was found or the exact command that fetches it. Notebook 00 shows the same report.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path


def short_path(text: str) -> str:
    """``text`` with the checkout's folder written ``<course>`` and the home folder ``~``, so the
    report can be stored in a notebook or pasted in an issue without naming the machine."""
    from course_lib.env.paths import REPO_ROOT

    text = str(text).replace(str(REPO_ROOT), "<course>")
    data = os.environ.get("LSTM_COURSE_DATA")
    if data:
        text = text.replace(str(Path(data).resolve()), "$LSTM_COURSE_DATA").replace(
            data.rstrip("/"), "$LSTM_COURSE_DATA")
    return text.replace(str(Path.home()), "~")


def python_place() -> str:
    """Where this Python lives, without naming the machine's folders."""
    from course_lib.env.paths import REPO_ROOT

    if Path(sys.prefix).resolve().is_relative_to(REPO_ROOT.resolve()):
        return "the course's virtual environment"
    return short_path(sys.executable)


def environment_report() -> list[tuple[str, str]]:
    """(item, value) rows: Python, library versions, device, profile, fast-float settings."""
    import matplotlib
    import numpy
    import torch

    import course_lib
    from course_lib.env.device import resolve_device_name
    from course_lib.env.profiles import active_profile

    settings = course_lib.FAST_FLOAT_SETTINGS
    return [
        ("python", f"{platform.python_version()} ({python_place()})"),
        ("course_lib", course_lib.__version__),
        ("numpy", numpy.__version__),
        ("torch", torch.__version__),
        ("matplotlib", matplotlib.__version__),
        ("device", resolve_device_name()),
        ("cpu threads", str(torch.get_num_threads())),
        ("run profile", active_profile()),
        ("flush denormals", "on" if settings["flush_denormals"] else "off"),
    ]


def data_report() -> list[dict]:
    """One dict per data set: name, found_at (or None), fix (the command that gets it)."""
    from course_lib.data import status

    return status()


def format_table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()
             for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report() -> tuple[str, bool]:
    """The doctor's full text, and whether every data set was found."""
    text = format_table(environment_report(), ("item", "value"))
    data = data_report()
    rows = [(d["name"], short_path(d["found_at"]) if d["found_at"] else "MISSING",
             "" if d["found_at"] else d["fix"]) for d in data]
    text += "\n\n" + format_table(rows, ("data set", "found at", "to fetch it"))
    return text, all(d["found_at"] for d in data)


def add_arguments(parser) -> None:
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a data set is missing")


def main(args) -> int:
    text, all_found = report()
    print(text)
    if not all_found:
        print("\nSome data sets are missing: run the command shown, or point LSTM_COURSE_DATA "
              "at a folder that holds them.")
    return 1 if (args.strict and not all_found) else 0
