"""A model that an earlier ``lstm-course run`` trained, loaded back for a notebook.

A laptop run keeps each model's checkpoints in ``checkpoints/<experiment>/<run>/``: ``last.pt``
after every epoch, ``best.pt`` at the best validation epoch. Notebooks 08 and 09 sample from
the language models trained there, when this machine has trained them.
"""

from __future__ import annotations

from course_lib.env.paths import CHECKPOINTS_DIR
from course_lib.training import load_checkpoint


def load_saved_model(experiment, run, build, which="best.pt"):
    """The weights of ``checkpoints/<experiment>/<run>/<which>`` in the model ``build()``
    returns, in evaluation mode; None when that run was never made here."""
    path = CHECKPOINTS_DIR / experiment / run / which
    if not path.exists():
        return None
    model = build()
    model.load_state_dict(load_checkpoint(path)["model"])
    return model.eval()
