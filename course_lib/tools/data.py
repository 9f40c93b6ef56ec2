"""``lstm-course data``: fetch the data sets, or check the ones there.

    lstm-course data fetch [NAME ...|all]   download what is missing (with progress bars)
    lstm-course data check [NAME ...|all]   where each data set is, digests and record counts
"""

from __future__ import annotations

import sys

from course_lib.data import cache, registry
from course_lib.data.errors import DataError


def add_arguments(parser) -> None:
    names = ", ".join(registry.DATASETS)
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    for action, help_text in (
        ("fetch", "download the missing data sets into the cache, verifying them"),
        ("check", "show where each data set is found, verify digests and record counts"),
    ):
        command = sub.add_parser(action, help=help_text, description=help_text)
        command.add_argument(
            "names", nargs="*", metavar="NAME", help=f"data sets ({names}) or 'all' (default)"
        )


def _names(requested: list[str]) -> list[str]:
    if not requested or "all" in requested:
        return list(registry.DATASETS)
    unknown = [name for name in requested if name not in registry.DATASETS]
    if unknown:
        raise ValueError(
            f"unknown data set {', '.join(map(repr, unknown))}: choose from "
            f"{', '.join(registry.DATASETS)} or all"
        )
    return requested


def _fetch(names: list[str]) -> int:
    from course_lib.data.fetch import fetch_dataset, summarise

    print(f"data folder ({cache.DATA_ENV}): {cache.data_dir() or 'not set'}")
    print(f"cache: {cache.cache_dir()}")
    failed = 0
    for name in names:
        try:
            locations = fetch_dataset(name, progress=True)
            print(f"{name}: ok, {summarise(locations)}")
        except DataError as error:
            failed += 1
            print(f"{name}: FAILED\n{error}", file=sys.stderr)
    return 1 if failed else 0


def _mark(value) -> str:
    return {True: "yes", False: "NO", None: "-"}[value]


def _check(names: list[str]) -> int:
    from course_lib.data.check import check

    print(f"data folder ({cache.DATA_ENV}): {cache.data_dir() or 'not set'}")
    print(f"cache: {cache.cache_dir()}\n")
    rows = []
    for name in names:
        rows.append(check(name))
    header = ("data set", "where found", "digest OK", "record counts OK")
    table = [header] + [
        (row["name"], row["found_at"] or "NOT FOUND", _mark(row["digest_ok"]),
         _mark(row["counts_ok"]))
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for i, line in enumerate(table):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * width for width in widths))
    bad = [row for row in rows if not (row["digest_ok"] and row["counts_ok"])]
    for row in bad:
        print(f"\n{row['name']}:", *row["problems"], sep="\n  ")
        if row["found_at"] is None:
            from course_lib.data.fetch import fix_hint

            print(f"  Fix: {fix_hint(row['name'])}")
    return 1 if bad else 0


def main(args) -> int:
    try:
        names = _names(args.names)
    except ValueError as error:
        print(f"lstm-course data: {error}", file=sys.stderr)
        return 2
    return _fetch(names) if args.action == "fetch" else _check(names)
