"""Same seed and same thread settings give identical metrics: one NumPy, one torch experiment.

The thread count itself may change the last digits (floats are summed in another order), so
both runs of a pair use the same settings, and the records say which ones they were.
"""

import pytest
import torch

from course_lib.data import registry
from course_lib.data.fetch import find
from course_lib.env.threads import set_blas_threads, set_threads, thread_settings
from course_lib.runs.runner import run_experiment
from tests.conftest import requires_ci_or_skip


def metrics(record):
    """Every per-epoch curve but the timings."""
    return {run: {k: v for k, v in history.items() if k != "time_s"}
            for run, history in record["history"].items()}


@pytest.fixture
def one_thread():
    """One torch and one OpenBLAS thread (quick on a shared machine), restored afterwards."""
    before = thread_settings()
    set_threads(1)
    yield
    torch.set_num_threads(before["torch_intra_op"])
    set_blas_threads(before["numpy_blas"] or 1)


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["mnist-numpy", "mnist-torch"])
def test_same_seed_and_threads_give_identical_metrics(tmp_path, name, one_thread):
    missing = [f for f in registry.DATASETS["mnist"]["files"] if find(f) is None]
    requires_ci_or_skip(not missing, "real MNIST data not found (set LSTM_COURSE_DATA)")
    first, second = (run_experiment(name, profile="smoke", progress=False, plots=False,
                                    results_dir=tmp_path / f"results{i}",
                                    checkpoint_root=tmp_path / f"ckpt{i}") for i in (1, 2))
    assert first["threads"] == second["threads"]
    assert first["threads"]["torch_intra_op"] == 1 and first["threads"]["numpy_blas"] in (1, None)
    assert metrics(first) == metrics(second)
    assert first["final_metrics"] == second["final_metrics"]
    assert first["extra"] == second["extra"]  # confusion matrices and mistakes too
    assert set(first["data"]["mnist"]) == set(registry.DATASETS["mnist"]["files"])
