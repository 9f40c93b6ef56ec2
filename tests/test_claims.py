"""Claims bound to measurements: README's results table against results/, and the claims helper.

Every number in the "ours" column of README's results table must be held by the record that the
row's command writes (a fraction read as "%", seconds read as "min"); a failure names the row,
the stated number and the nearest recorded one.
"""

import json
import re

import pytest

from course_lib.env.paths import REPO_ROOT, RESULTS_DIR
from course_lib.runs.claims import ClaimError, check_text, claim, load_record, stated_numbers

_COMMAND = re.compile(r"lstm-course (run|sweep) ([\w-]+)([^`]*)")


def results_table(readme: str) -> list[dict]:
    """The rows of README's results table (the one whose header has "ours" and "command")."""
    lines = readme.splitlines()
    start = next(i for i, line in enumerate(lines) if "| ours |" in line and "command" in line)
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows.append(dict(zip(header, cells)))
    return rows


def records_of(command_cell: str, results_dir) -> list[dict]:
    """The records a row's command cell writes: ``run NAME`` -> NAME.json (``-full`` with
    ``--profile full``, under ``--results-dir``), ``sweep NAME`` -> sweeps/NAME/summary.json."""
    records = []
    for kind, name, rest in _COMMAND.findall(command_cell):
        if kind == "sweep":
            path = results_dir / "sweeps" / name / "summary.json"
            record = json.loads(path.read_text())
            record["_file"] = str(path)
            records.append(record)
            continue
        folder = re.search(r"--results-dir (\S+)", rest)
        base = REPO_ROOT / folder.group(1) if folder else results_dir
        stem = f"{name}-full" if "--profile full" in rest else name
        records.append(load_record(stem, base))
    return records


def check_readme(readme: str, results_dir=RESULTS_DIR) -> list[str]:
    problems = []
    for row in results_table(readme):
        records = records_of(row["command"], results_dir)
        if not records:
            problems.append(f"README row {row['task']!r}: its command names no record")
            continue
        merged = {"_file": " + ".join(r["_file"] for r in records), "records": records}
        problems += check_text(row["ours"], merged, f"README row {row['task']!r}")
    return problems


def test_every_number_in_readmes_results_table_is_recorded():
    problems = check_readme((REPO_ROOT / "README.md").read_text())
    assert not problems, "\n".join(problems)


def test_a_planted_mismatch_fails_naming_the_file_and_both_numbers(tmp_path):
    (tmp_path / "demo.json").write_text(json.dumps(
        {"final_metrics": {"lstm": {"test_accuracy": 0.9852}}, "wall_time_s": 192.0}))
    readme = ("| task | seeds' row | ours | command | target |\n|---|---|---|---|---|\n"
              "| demo | 93.4 % | **98.52 %** (3.2 min) | `lstm-course run demo` | ≥ 97 % |\n")
    assert check_readme(readme, tmp_path) == []
    planted = readme.replace("98.52 %", "98.57 %")
    problems = check_readme(planted, tmp_path)
    assert len(problems) == 1
    assert "demo.json" in problems[0] and "98.57 %" in problems[0] and "98.52" in problems[0]


def test_claim_checks_one_recorded_value(tmp_path):
    (tmp_path / "demo.json").write_text(json.dumps({"extra": {"ensemble_accuracy": 0.9}}))
    assert claim("demo", "extra.ensemble_accuracy", "90.00 %", tmp_path) == 0.9
    with pytest.raises(ClaimError, match=r"demo.json.*89.90 %.*0.9"):
        claim("demo", "extra.ensemble_accuracy", "89.90 %", tmp_path)


def test_stated_numbers_read_units_and_skip_counts():
    stated = stated_numbers("**50.12 ± 0.80 %** (3 seeds, 12.9 min; 1,423 tok/s) 201.8 ppl, SE 0.19")
    assert [(s.value, s.decimals, s.unit) for s in stated] == [
        (50.12, 2, "%"), (0.80, 2, "%"), (12.9, 1, "min"), (201.8, 1, ""), (0.19, 2, "SE")]


def test_a_standard_error_is_read_from_the_recorded_accuracy_and_the_test_size(tmp_path):
    (tmp_path / "demo.json").write_text(json.dumps(
        {"data": {"imdb": {}}, "final_metrics": {"lstm": {"test_accuracy": 0.9}}}))
    readme = ("| task | seeds' row | ours | command | target |\n|---|---|---|---|---|\n"
              "| demo | — | 90.00 % (SE 0.19) | `lstm-course run demo` | — |\n")
    assert check_readme(readme, tmp_path) == []  # sqrt(0.9 * 0.1 / 25,000) = 0.0019
    assert len(check_readme(readme.replace("SE 0.19", "SE 0.25"), tmp_path)) == 1
