"""The `variants` experiment runs in the smoke profile and reports mean and std per cell."""

from course_lib.runs.runner import run_experiment


def test_variants_smoke_adding(tmp_path):
    record = run_experiment("variants", profile="smoke", overrides={"tasks": "adding"},
                            results_dir=tmp_path, checkpoint_root=tmp_path, plots=False,
                            allow_dirty=True, progress=False)
    results = record["extra"]["results"]["adding"]
    assert set(results) == {"lstm-vanilla", "lstm-cifg", "gru"}
    for row in results.values():
        assert len(row["values"]) == 2 and row["std"] >= 0
        assert row["lr"] in (1e-2,) and row["metric"] == "test_loss"
    params = record["extra"]["parameters"]
    assert params["lstm-cifg"] < params["gru"] < params["lstm-vanilla"]


def test_the_committed_record_draws_its_bars_and_curves(tmp_path):
    import json

    from course_lib.env.paths import RESULTS_DIR
    from course_lib.plots.variants import write_figures

    record = json.loads((RESULTS_DIR / "variants.json").read_text())
    paths = write_figures(record, tmp_path / "variants")
    assert [p.name for p in paths] == ["variants-bars.png", "variants-curves.png"]
    assert all(p.stat().st_size > 10_000 for p in paths)
