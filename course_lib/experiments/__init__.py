'''Experiments, registered by name; ``lstm-course run NAME`` runs one and writes ``results/``.

An experiment is one small module in this package. It holds a configuration ``@dataclass``
(with a ``seed`` field), one instance of it per run profile, and a ``run(config, ctx)`` function
registered with :func:`register`. Every module here is imported by ``lstm-course run``, so
adding a file is all it takes. A new experiment, say ``course_lib/experiments/mnist.py``::

    from dataclasses import dataclass

    from course_lib.experiments import register
    from course_lib.torch_models import SequenceClassifier
    from course_lib.training import ClassificationTask, TrainConfig


    @dataclass
    class MnistConfig:
        train_size: int = 60_000  # training images
        hidden_size: int = 128
        epochs: int = 10
        seed: int = 0


    PROFILES = {
        "smoke": MnistConfig(train_size=512, hidden_size=16, epochs=1),
        "laptop": MnistConfig(),
        "full": MnistConfig(hidden_size=256, epochs=20),
    }


    @register("mnist-rows", "MNIST read row by row by an LSTM (PyTorch)", PROFILES)
    def run(config: MnistConfig, ctx):
        task = ClassificationTask(train, val, test, batch_size=64)  # tensors from course_lib.data
        model = SequenceClassifier(10, input_size=28, hidden_size=config.hidden_size)
        ctx.fit("lstm", model, task, TrainConfig(epochs=config.epochs, eval_test=True,
                                                 seed=config.seed))
        return {"note": "anything JSON-able lands under 'extra' in the results file"}

``ctx`` (a :class:`~course_lib.runs.runner.RunContext`) knows the device, profile, seed
and whether to resume; ``ctx.fit(name, model, task, train_config)`` trains one model with the
course's Trainer (checkpoints in ``checkpoints/<stem>/<name>/``) and records its per-epoch history
under ``name``. The run function may train several models (one ``fit`` each) and return a dict of
extra results; its optional keys ``"reference_lines"`` ({metric: {label: value}}: baselines or
papers' figures drawn on the plots) and ``"axis_labels"`` ({metric: label with unit}) shape the plots.

Each run writes ``results/<stem>.json`` (config, profile, seed, device, library versions, git
commit, command, wall time, per-epoch history and final metrics of every model, extra results)
and ``results/<stem>-<metric>.png``. ``<stem>`` is the name, plus ``-<profile>`` unless laptop,
plus ``-seed<N>`` when ``--seed`` differs from the configuration's.
'''

from course_lib.runs.registry import (
    EXPERIMENTS,
    Experiment,
    get_experiment,
    load_all,
    register,
)

__all__ = ["EXPERIMENTS", "Experiment", "register", "get_experiment", "load_all"]
