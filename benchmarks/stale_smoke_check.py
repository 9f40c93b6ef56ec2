"""Do the code changes since a stale record change what its experiment computes? A smoke check.

``lstm-course results`` marks a record stale when a source file its experiment ran has changed
since (``course_lib.runs.code_hash``). A change may be a docstring, a new function or a fix that
moves every number; only rerunning tells. Re-recording the laptop run costs up to an hour per
record, so this script first runs the experiment's *smoke* profile twice, one thread each: with
the code of the record's commit and with the code of this checkout's HEAD (each in a temporary
worktree, so that uncommitted edits and new commits during the check do not count), and
compares every metric of every epoch. Identical histories say the changed files do not touch the
smoke run's numerics; they are evidence, not proof (a laptop-only branch is not exercised).

    .venv/bin/python benchmarks/stale_smoke_check.py [NAME ...]   (default: every stale record)

Writes ``results/stale-records-check.md`` (with every name) and prints it. Needs LSTM_COURSE_DATA.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))

from course_lib.runs.code_hash import changed_files  # noqa: E402

REPORT = HERE / "results" / "stale-records-check.md"


def stale_records(names=None) -> dict[str, dict]:
    """{experiment: its laptop record} for the records whose code changed since (or ``names``)."""
    found = {}
    for path in sorted((HERE / "results").glob("*.json")):
        record = json.loads(path.read_text())
        if not isinstance(record, dict) or "code" not in record or record["profile"] != "laptop":
            continue
        if path.stem != record["experiment"]:
            continue
        if (names and path.stem in names) or (not names and changed_files(record["code"]["files"])):
            found[path.stem] = record
    return found


def smoke_history(tree: Path, name: str, out: Path) -> dict:
    """The per-epoch metrics of ``name``'s smoke run with the code in ``tree``, one thread (the
    epochs' wall times left out: they differ between any two runs)."""
    env = dict(os.environ, PYTHONPATH=str(tree), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    subprocess.run([sys.executable, "-m", "course_lib.tools.cli", "run", name, "--profile", "smoke",
                    "--threads", "1", "--no-progress", "--allow-dirty", "--results-dir", str(out),
                    "--checkpoint-dir", str(out / "checkpoints")],
                   cwd=tree, env=env, check=True, capture_output=True)
    smoke = json.loads((out / f"{name}-smoke.json").read_text())
    tree_commit = subprocess.run(["git", "-C", str(tree), "rev-parse", "HEAD"], capture_output=True,
                                 text=True, check=True).stdout.strip()
    if smoke["git_commit"]["commit"] != tree_commit:  # the code did not come from ``tree``
        raise RuntimeError(f"{name}: ran {smoke['git_commit']['commit']}, not {tree_commit}")
    history = smoke["history"]
    return {model: {k: v for k, v in metrics.items() if not k.startswith("time")}
            for model, metrics in history.items()}


def worktree(commit: str, scratch: Path) -> Path:
    """A checkout of ``commit`` under ``scratch`` (made once)."""
    tree = scratch / f"tree-{commit[:10]}"
    if not tree.exists():
        subprocess.run(["git", "-C", str(HERE), "worktree", "add", "--detach", str(tree), commit],
                       check=True, capture_output=True)
    return tree


def compare(name: str, record: dict, head: str, scratch: Path) -> dict:
    commit = record["git_commit"]["commit"]
    then = smoke_history(worktree(commit, scratch), name, scratch / f"{name}-then")
    now = smoke_history(worktree(head, scratch), name, scratch / f"{name}-now")
    return {"experiment": name, "recorded at": commit[:10],
            "changed files": len(changed_files(record["code"]["files"])),
            "smoke histories": "identical" if then == now else "DIFFER"}


def main(names) -> int:
    if "LSTM_COURSE_DATA" not in os.environ:
        sys.exit("set LSTM_COURSE_DATA to the course's data folder first")
    records = stale_records(names)
    head = subprocess.run(["git", "-C", str(HERE), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="stale-check-") as scratch:
            for name, record in records.items():
                rows.append(compare(name, record, head, Path(scratch)))
                print(rows[-1], flush=True)
    finally:  # the worktrees' folders are gone: forget them
        subprocess.run(["git", "-C", str(HERE), "worktree", "prune"], check=False)
    lines = [f"# Stale records: smoke runs with the recorded code and with today's ({head[:10]})", "",
             f"Made by `.venv/bin/python benchmarks/stale_smoke_check.py` on "
             f"{datetime.now(timezone.utc):%Y-%m-%d}, one thread per run. Identical per-epoch "
             "histories of the smoke profile say the files changed since a record was made do not "
             "change that experiment's numerics in its smoke configuration (evidence, not proof).",
             "", "| experiment | recorded at | changed files | smoke histories |", "|---|---|---|---|"]
    lines += [f"| {r['experiment']} | {r['recorded at']} | {r['changed files']} | "
              f"{r['smoke histories']} |" for r in rows]
    REPORT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return sum(r["smoke histories"] != "identical" for r in rows)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
