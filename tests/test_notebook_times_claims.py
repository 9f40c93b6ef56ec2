"""README's sentence on lecture times states what results/notebook-times.md recorded."""

import re

from course_lib.env.paths import REPO_ROOT


def test_readme_lecture_times_match_the_record():
    record = (REPO_ROOT / "results" / "notebook-times.md").read_text()
    walls = {m.group(1): int(m.group(2))
             for m in re.finditer(r"^\| (\d\d_\w+) \| (\d+) \|", record, re.MULTILINE)}
    slowest = max(walls, key=walls.get)
    readme = (REPO_ROOT / "README.md").read_text()
    stated = re.search(r"the slowest, (\d\d), takes (\d+) s, and all (\d+) take\s+(\d+\.\d) minutes",
                       readme)
    assert stated, "README's notebook-times sentence is missing"
    assert stated.group(1) == slowest[:2] and int(stated.group(2)) == walls[slowest]
    assert int(stated.group(3)) == len(walls)
    assert float(stated.group(4)) == round(sum(walls.values()) / 60, 1)
