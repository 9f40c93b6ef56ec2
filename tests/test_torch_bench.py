"""`lstm-course bench` machinery on tiny shapes (speed targets are checked by the bench, not here)."""

import subprocess
import sys

import torch

from course_lib.tools.bench import IMPLS, WORKLOADS, Workload, markdown_table, time_workload


def test_every_implementation_steps_and_is_timed():
    tiny = {"classify": Workload("classify", 4, 5, 3, 6, vocab=30, classes=3),
            "lm": Workload("lm", 2, 4, 6, 6, layers=2, vocab=20)}
    for w in tiny.values():
        timed = time_workload(w, list(IMPLS) + ["nn.LSTM-f64"], torch.device("cpu"), repeats=1,
                              target_s=0.001)
        assert set(timed) == set(IMPLS) | {"nn.LSTM-f64"}
        assert all(r["median_s"] > 0 and len(r["times_s"]) == 1 for r in timed.values())


def test_timing_a_numpy_step_does_not_import_torch():
    """Notebook 03 times the NumPy classifier in fresh processes: torch would cost seconds each."""
    code = ("import sys; from course_lib.tools.bench import Workload, time_workload; "
            "timed = time_workload(Workload('classify', 4, 5, 3, 6, classes=3), ['numpy-f32'], "
            "repeats=2, target_s=0)['numpy-f32']; "
            "assert timed['steps_per_repeat'] == 1 and len(timed['times_s']) == 2; "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_flops_and_table():
    w = WORKLOADS["mnist"]
    assert w.flops() == 3 * (2 * 64 * 28 * (28 + 128) * 512 + 2 * 64 * 128 * 10)
    assert WORKLOADS["ptb-small"].items() == 20 * 35 and WORKLOADS["ptb-small"].unit == "tok/s"
    record = {"device": {"name": "x", "type": "cpu", "torch_threads": 2}, "peak_gflops": 100.0,
              "repeats": 3, "started": "now",
              "workloads": {"mnist": {"unit": "seq/s", "results": {"nn.LSTM": {
                  "throughput": 1234.5, "ratio_to_nn_lstm": 1.0, "gflops": 50.0,
                  "fraction_of_peak": 0.5}}}}}
    assert "| mnist | nn.LSTM | 1,234 | seq/s | 1.00 | 50 | 50 % | nan |" in markdown_table(record)


def test_every_variant_cell_is_timed():
    from course_lib.tools.bench import VARIANT_IMPLS

    for w in (Workload("classify", 4, 5, 3, 6, classes=3), Workload("lm", 2, 4, 6, 6, vocab=20)):
        timed = time_workload(w, ["nn.LSTM", *VARIANT_IMPLS], torch.device("cpu"), repeats=1,
                              target_s=0.001)
        assert set(timed) == {"nn.LSTM", *VARIANT_IMPLS}
        assert all(r["median_s"] > 0 for r in timed.values())
