"""Every record that README's results table cites pins the code that made it (issue 17): recorded
from a clean tree, at a start commit that is on main's history, with its thread settings, the
wall time summed over every resumed part (marked incomplete where a killed part could not write
its own), and a hash of the code it ran."""

import json
import subprocess
from pathlib import Path

import pytest

from course_lib.env.paths import REPO_ROOT, RESULTS_DIR
from tests.test_claims import records_of, results_table


def git(*args) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(REPO_ROOT), *args], capture_output=True, text=True)


def cited_records() -> list[dict]:
    """The records of every row; for a sweep, the record of each of its points."""
    readme = (REPO_ROOT / "README.md").read_text()
    found = []
    for row in results_table(readme):
        for record in records_of(row["command"], RESULTS_DIR):
            if "spec" in record:  # a sweep's summary: its points' records lie in runs/
                for path in sorted((Path(record["_file"]).parent / "runs").glob("*.json")):
                    found.append({**json.loads(path.read_text()), "_file": str(path)})
            else:
                found.append(record)
    return found


def test_every_cited_record_is_clean_and_carries_threads_parts_and_code():
    records = cited_records()
    assert len(records) >= 15
    for record in records:
        where = record["_file"]
        assert record["git_commit"]["dirty"] is False, where
        assert record["threads"]["torch_intra_op"] >= 1 and "OMP_NUM_THREADS" in record["threads"]
        assert record["code"]["sha256"] and record["code"]["files"], where
        parts = record["parts"]
        assert parts and all(part["dirty"] is False for part in parts), where
        # the record names the commit its first part started from, not the one it ended at
        assert record["started"] == parts[0]["started"], where
        assert record["git_commit"]["commit"] == parts[0]["commit"], where
        known = [p["wall_time_s"] for p in parts if p["wall_time_s"] is not None]
        assert record["wall_time_s"] == pytest.approx(sum(known)), where
        # a part killed before it could write its time leaves the sum marked incomplete
        assert record["wall_time_complete"] is (len(known) == len(parts)), where


def test_every_cited_record_was_made_by_a_commit_on_main():
    if git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        pytest.skip("a shallow clone lacks the history to check")
    for record in cited_records():
        commit = record["git_commit"]["commit"]
        assert git("merge-base", "--is-ancestor", commit, "HEAD").returncode == 0, \
            f"{record['_file']}: {commit[:10]} is not on this branch's history"
