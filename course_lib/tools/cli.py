"""The ``lstm-course`` command: one entry point, one module per sub-command.

Each sub-command module defines ``add_arguments(parser)`` and ``main(args) -> int``.
Modules are imported only when their command runs, so ``lstm-course doctor`` stays quick.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module, one-line help)
COMMANDS = {
    "doctor": ("course_lib.tools.doctor", "check the environment, device, profile and data sets"),
    "exercises": ("course_lib.tools.exercises", "build exercises/ from solutions/, or check it is fresh"),
    "notebooks": ("course_lib.tools.notebooks", "sync, check or execute the notebook pairs"),
    "data": ("course_lib.tools.data", "fetch and verify the data sets"),
    "run": ("course_lib.runs.cli", "run a registered experiment, write results/"),
    "results": ("course_lib.runs.summary", "print a table of every recorded result"),
    "sweep": ("course_lib.runs.sweep", "run a resumable hyperparameter grid"),
    "site": ("course_lib.tools.site", "build the course website from the committed notebooks"),
    "bench": ("course_lib.tools.bench", "measure training throughput of every implementation"),
}


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser, for ``--help`` and unknown commands only."""
    parser = argparse.ArgumentParser(prog="lstm-course", description="The open LSTM course.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, description=help_text)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        parser.parse_args(argv)  # prints help or a clear "invalid choice" error
        return 2
    name = argv[0]
    module = importlib.import_module(COMMANDS[name][0])
    command_parser = argparse.ArgumentParser(
        prog=f"lstm-course {name}", description=COMMANDS[name][1]
    )
    module.add_arguments(command_parser)
    args = command_parser.parse_args(argv[1:])
    try:
        return int(module.main(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
