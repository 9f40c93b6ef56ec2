"""The site's generated results page: committed records only (no browser needed)."""

import json

from course_lib.tools.site import results_page


def record(profile: str) -> dict:
    return {"experiment": "demo", "profile": profile, "command": "lstm-course run demo",
            "final_metrics": {"m": {"test_accuracy": 0.9}}, "wall_time_s": 60.0,
            "config": {"epochs": 1}, "device": {"type": "cpu"}}


def test_the_results_page_leaves_out_smoke_records_and_their_plots(tmp_path):
    (tmp_path / "demo.json").write_text(json.dumps(record("laptop")))
    (tmp_path / "demo-smoke.json").write_text(json.dumps(record("smoke")))
    for name in ("demo-accuracy.png", "demo-smoke-accuracy.png"):
        (tmp_path / name).write_bytes(b"png")
    page = results_page(tmp_path)
    assert "results/demo-accuracy.png" in page
    assert "smoke" not in page
