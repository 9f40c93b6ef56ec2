"""What README and results/cpu-zen4/README.md say about the kind of CPU is what the records hold:
the same code, seed and threads on another CPU gave other numbers, and the record's own commit
gave the same numbers there as today's code (so the CPU, not the code, moved them)."""

import json
import re

from course_lib.env.paths import REPO_ROOT, RESULTS_DIR
from course_lib.runs.claims import check_text, load_record

OTHER_CPU = RESULTS_DIR / "cpu-zen4"
RECORDS = {"mnist-numpy": ("mnist-numpy", RESULTS_DIR),
           "zen4 mnist-numpy": ("mnist-numpy", OTHER_CPU),
           "zen4 mnist-numpy at the record's commit": ("mnist-numpy", OTHER_CPU / "mnist-numpy-a8fab26"),
           "imdb-padding": ("imdb-padding", RESULTS_DIR),
           "zen4 imdb-padding": ("imdb-padding", OTHER_CPU),
           "mnist-torch": ("mnist-torch", RESULTS_DIR),
           "zen4 mnist-torch": ("mnist-torch", OTHER_CPU),
           "zen4 mnist-torch at the record's commit": ("mnist-torch", OTHER_CPU / "mnist-torch-6dde9ed")}


def records() -> dict[str, dict]:
    return {label: load_record(name, folder) for label, (name, folder) in RECORDS.items()}


def without_times(history: dict) -> dict:
    """``history`` ({run: {metric: per-epoch list}}) without the wall times, which always differ."""
    return {run: {metric: values for metric, values in h.items() if "time" not in metric}
            for run, h in history.items()}


def test_the_other_cpus_records_ran_clean_with_one_thread():
    for label, record in records().items():
        assert record["git_commit"]["dirty"] is False, label
        assert record["threads"]["torch_intra_op"] == 1 and record["threads"]["numpy_blas"] == 1
        assert record["profile"] == "laptop", label


def test_the_records_own_commit_computes_like_todays_code_on_the_other_cpu():
    found = records()
    for name in ("mnist-numpy", "mnist-torch"):
        at_commit = found[f"zen4 {name} at the record's commit"]
        assert at_commit["git_commit"]["commit"] == found[name]["git_commit"]["commit"]
        assert without_times(at_commit["history"]) == without_times(found[f"zen4 {name}"]["history"])
        assert at_commit["final_metrics"] != found[name]["final_metrics"]


def bullet(readme: str, title: str) -> str:
    match = re.search(rf"^- \*\*{title}\.\*\*(.*?)(?=^- \*\*|^\||\Z)", readme, re.M | re.S)
    assert match, f"README's {title!r} bullet is missing"
    return " ".join(match.group(1).split())


def merged() -> dict:
    """All the records above as one, the way the claims checker reads several records."""
    chosen = list(records().values())
    return {"_file": " + ".join(r["_file"] for r in chosen), "records": chosen}


def test_readmes_cpu_sentences_state_what_the_records_hold():
    text = bullet((REPO_ROOT / "README.md").read_text(), "Determinism")
    cpu_part = text[text.index("So does the CPU"):]  # the thread-count figure is TOOLCHAIN.md's
    assert not check_text(cpu_part, merged(), "README's determinism bullet")
    found = records()
    for label in ("mnist-numpy", "zen4 mnist-numpy"):
        metrics = found[label]["final_metrics"]["numpy"]
        assert f"{100 * metrics['test_accuracy']:.2f} %" in text
        assert f"{metrics['val_loss']:.5f}" in text


def test_the_other_cpus_readme_table_states_what_the_records_hold():
    table = [line for line in (OTHER_CPU / "README.md").read_text().splitlines()
             if line.startswith("| `")]
    assert len(table) == len(list(OTHER_CPU.rglob("*.json")))
    problems, all_records = [], merged()
    for line in table:
        shown = line.split("|")[2]
        problems += check_text(shown, all_records, f"results/cpu-zen4/README.md: {line[:30]}")
    assert not problems, "\n".join(problems)


def test_a_wrong_figure_in_the_other_cpus_sentences_fails():
    assert check_text("gives 98.66 %", merged(), "planted")


def test_the_readme_names_every_record_in_the_folder():
    readme = (OTHER_CPU / "README.md").read_text()
    for path in OTHER_CPU.rglob("*.json"):
        assert f"`{path.relative_to(OTHER_CPU).as_posix()}`" in readme
        assert json.loads(path.read_text())["device"]["type"] == "cpu"
