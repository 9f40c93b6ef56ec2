"""The curves every recorded run writes must leave the notebook's matplotlib alone.

A run recorded inside a lecture (06 and 01 run smoke experiments) used to switch the kernel's
backend to Agg: from then on plt.show() drew nothing, and ipywidgets' interact showed no
picture in JupyterLab.
"""

import matplotlib
import matplotlib.pyplot as plt

from course_lib.plots.history import write_history_plots


def test_history_plots_keep_the_backend_and_leave_no_open_figure(tmp_path, monkeypatch):
    before = matplotlib.get_backend()
    monkeypatch.setitem(matplotlib.rcParams, "backend", "svg")  # not Agg: a switch would show
    open_before = plt.get_fignums()
    history = {"epoch": [1, 2], "train_loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}
    paths = write_history_plots({"run": history}, tmp_path / "demo", "demo")
    assert [p.name for p in paths] == ["demo-loss.png"] and paths[0].stat().st_size > 1000
    assert matplotlib.get_backend() == "svg"
    assert plt.get_fignums() == open_before
    monkeypatch.undo()
    assert matplotlib.get_backend() == before
