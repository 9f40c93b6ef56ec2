"""README's sentence on stale records states what results/stale-records-check.md recorded, and that
record covers every record that is stale against today's code (so a later code change that makes
another record stale fails here until the check is run again)."""

import json
import re

from course_lib.env.paths import REPO_ROOT, RESULTS_DIR
from course_lib.runs.code_hash import changed_files

CHECK = RESULTS_DIR / "stale-records-check.md"


def checked_rows() -> dict[str, tuple[str, str]]:
    """{experiment: (recorded commit, "identical" or "DIFFER")} from the check's table."""
    rows = re.findall(r"^\| ([\w-]+) \| ([0-9a-f]{10}) \| \d+ \| (\w+) \|$", CHECK.read_text(),
                      re.MULTILINE)
    return {name: (commit, verdict) for name, commit, verdict in rows}


def stale_today() -> dict[str, str]:
    """{experiment: its record's commit} for the laptop records whose code changed since."""
    stale = {}
    for path in sorted(RESULTS_DIR.glob("*.json")):
        record = json.loads(path.read_text())
        if (isinstance(record, dict) and "code" in record and record.get("profile") == "laptop"
                and path.stem == record["experiment"] and changed_files(record["code"]["files"])):
            stale[path.stem] = record["git_commit"]["commit"]
    return stale


def test_the_check_covers_every_stale_record_at_its_recorded_commit():
    rows = checked_rows()
    for name, commit in stale_today().items():
        assert name in rows, f"{name} is stale: run benchmarks/stale_smoke_check.py again"
        assert rows[name][0] == commit[:10], f"{name} was re-recorded since the check: run it again"


def test_readme_states_what_the_check_found():
    rows = checked_rows()
    readme = " ".join((REPO_ROOT / "README.md").read_text().split())
    stated = re.search(r"smoke histories are identical for all (\d+) of them", readme)
    assert stated, "README's sentence on the stale-record check is missing"
    assert int(stated.group(1)) == len(rows)
    assert all(verdict == "identical" for _, verdict in rows.values())
