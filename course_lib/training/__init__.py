"""The training engine: one :class:`Trainer` for every experiment, tasks that define the batches.

- :mod:`.optim`: ``TrainConfig`` (every knob, one dataclass), optimisers, learning-rate schedules.
- :mod:`.tasks`: ``ClassificationTask`` / ``RegressionTask`` (one target per sequence).
- :mod:`.lm_task`: ``LanguageModelTask`` (BPTT windows of :mod:`course_lib.data.batches`, carried
  state, Zaremba's loss).
- :mod:`.checkpoint`: checkpoints loaded with ``weights_only=True``, random-generator states.
- :mod:`.trainer`: ``Trainer``: the loop, per-epoch evaluation, history, resume, Ctrl-C, NaN check.
"""

from course_lib.training.checkpoint import load_checkpoint, save_checkpoint
from course_lib.training.lm_task import LanguageModelTask
from course_lib.training.optim import TrainConfig, learning_rate, make_optimizer
from course_lib.training.tasks import ClassificationTask, RegressionTask, padded_split
from course_lib.training.trainer import NonFiniteLossError, Trainer, to_device

__all__ = [
    "Trainer", "TrainConfig", "NonFiniteLossError", "ClassificationTask", "RegressionTask",
    "LanguageModelTask", "learning_rate", "make_optimizer",
    "save_checkpoint", "load_checkpoint", "to_device", "padded_split",
]
