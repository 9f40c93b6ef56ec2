"""notebook_support: laptop results are loaded, smoke results are computed in-process."""

import json

import pytest

from course_lib.runs.notebook_support import (
    ResultsMissingError,
    describe_machine,
    experiment_results,
    format_duration,
    markdown_table,
    results_row,
)


def test_laptop_profile_loads_the_committed_file_and_names_the_command_when_missing(tmp_path):
    with pytest.raises(ResultsMissingError, match="lstm-course run adding"):
        experiment_results("adding", profile="laptop", results_dir=tmp_path)
    (tmp_path / "adding.json").write_text(json.dumps({"experiment": "adding", "x": 1}))
    assert experiment_results("adding", profile="full", results_dir=tmp_path)["x"] == 1


def test_smoke_profile_runs_the_smoke_configuration(tmp_path):
    record = experiment_results("adding", profile="smoke", results_dir=tmp_path,
                                overrides={"epochs": "1", "models": "lstm", "seeds": "1"})
    assert record["profile"] == "smoke" and (tmp_path / "adding-smoke.json").exists()
    row = results_row(record, "lstm/seed0")
    assert row["profile"] == "smoke" and row["epochs"] == 1
    assert row["command"] == "lstm-course run adding --profile smoke"
    table = markdown_table([row]).splitlines()
    assert len(table) == 3 and table[0].startswith("| experiment | run |")
    assert table[2].count("%") == 1  # test accuracy shown in per cent


def test_describe_machine_counts_threads_in_words():
    device = {"type": "cpu", "name": "AMD EPYC"}
    assert describe_machine({**device, "torch_threads": 1}) == "cpu (AMD EPYC, 1 thread)"
    assert describe_machine({**device, "torch_threads": 2}) == "cpu (AMD EPYC, 2 threads)"
    assert describe_machine(device) == "cpu (AMD EPYC, ? threads)"


def test_format_duration():
    assert format_duration(5.04) == "5.0 s"
    assert format_duration(75.3) == "1 min 15 s"


def test_one_table_function_formats_percent_and_aligns_numbers():
    from course_lib.runs.tables import markdown_table as the_table

    assert markdown_table is the_table  # notebooks, results and bench share it
    table = the_table([{"model": "lstm", "acc": 0.5, "n": 3, "note": None}], percent=("acc",),
                      right=("n",)).splitlines()
    assert table == ["| model | acc | n | note |", "|---|---|---:|---|",
                     "| lstm | 50.00 % | 3 | — |"]
