import json

from course_lib.runs.summary import load_runs, results_table


def write_run(folder, name, profile, final):
    record = {"experiment": name, "profile": profile, "command": f"lstm-course run {name}",
              "wall_time_s": 90.0, "device": {"type": "cpu", "torch_threads": 2},
              "final_metrics": final, "runs": {m: {"epochs_run": 3} for m in final}}
    (folder / f"{name}-{profile}.json").write_text(json.dumps(record))


def test_table_has_one_row_per_model_with_its_headline_metric(tmp_path):
    write_run(tmp_path, "mnist", "laptop", {"lstm": {"test_accuracy": 0.9912, "test_loss": 0.03}})
    write_run(tmp_path, "ptb", "laptop", {"small": {"test_perplexity": 113.04, "test_loss": 4.7}})
    write_run(tmp_path, "tiny", "smoke", {"lstm": {"test_accuracy": 0.5}})
    (tmp_path / "bench-cpu.json").write_text(json.dumps({"workloads": []}))
    runs = load_runs(tmp_path)
    assert [r["experiment"] for r in runs] == ["mnist", "ptb"]
    table = results_table(runs)
    assert "| mnist | lstm | test acc. 99.12% | 3 | 1.5 min |" in table
    assert "| ptb | small | test ppl 113.0 |" in table
    assert "tiny" not in table
    assert len(load_runs(tmp_path, include_smoke=True)) == 3


def test_stale_column_compares_todays_code_with_the_recorded_hashes(tmp_path):
    import hashlib

    from course_lib.runs.summary import staleness

    source = tmp_path / "experiment.py"
    source.write_text("epochs = 3\n")
    code = {"files": {str(source): hashlib.sha256(source.read_bytes()).hexdigest()}}
    write_run(tmp_path, "fresh", "laptop", {"lstm": {"test_accuracy": 0.9}})
    record = json.loads((tmp_path / "fresh-laptop.json").read_text()) | {"code": code}
    (tmp_path / "fresh-laptop.json").write_text(json.dumps(record))
    [run] = load_runs(tmp_path)
    assert staleness(run) == "no" and "| no | `lstm-course run fresh` |" in results_table([run])
    source.write_text("epochs = 4\n")
    assert staleness(run) == "yes (1 file)"
    assert "| yes (1 file) |" in results_table([run])
    assert staleness({"final_metrics": {}}) == "unknown"  # recorded before code hashes
    assert "| stale |" in results_table([run]).splitlines()[0]
