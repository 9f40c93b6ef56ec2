'''The course's experiments, one module each: ``lstm-course run NAME`` writes ``results/``.

What lives here: registered experiments only, plus :mod:`.common` for what two or more of them
share. Every module of this folder is an experiment (``lstm-course run`` imports them all; there
is no list to update); sub-packages are not, and an experiment never imports another one: a
helper, configuration or constant wanted by a second experiment moves into ``common/`` under a
public name.

=====================  =====================================================================
``adding``             the adding problem: LSTM against a vanilla RNN
``mnist``              MNIST read row by row: NumPy (the seeds' run, and trained well), PyTorch
``imdb``               IMDB: the seeds' rerun, RNN vs LSTM, the padding lesson
``imdb_best``          IMDB: our best, a BiLSTM ensemble aiming at 90 %
``imdb_numpy``         IMDB: the seeds' NumPy row on their 1,000 reviews
``ptb_numpy``          PTB words: the seeds' NumPy model trained with the course's lessons
``ptb_word``           PTB words in PyTorch: Zaremba et al. exactly, and ours
``ptb_char``           PTB characters: bits per character, depth against embedding size
``sst``                SST-5/SST-2: the seeds' table and the phrase-level BiLSTM
``sst_transfer``       SST-5: the phrase-level BiLSTM pre-trained on IMDB
``sst_tree``           SST-5: Tree-LSTMs
=====================  =====================================================================

Adding an experiment is adding one file. It holds its configuration ``@dataclass`` (with a
``seed`` field; a configuration two experiments share lives in ``common/``), one instance of it
per run profile, and a ``run(config, ctx)`` function registered with :func:`register`. Say
``course_lib/experiments/mnist_rows.py``::

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
and whether to resume; ``ctx.fit(name, model, task, train_config)`` trains one PyTorch model
with the course's Trainer (checkpoints in ``checkpoints/<stem>/<name>/``) and records its
per-epoch history under ``name``; ``ctx.fit_numpy(name, model, optimizer, batches, ...)`` does
the same for a NumPy model. The run function may train several models (one ``fit`` each) and
return a dict of extra results; its optional keys ``"reference_lines"`` ({metric: {label:
value}}: baselines or papers' figures drawn on the plots) and ``"axis_labels"`` ({metric: label
with unit}) shape the plots.

Each run writes ``results/<stem>.json`` (config, profile, seed, device, library versions, git
commit, command, wall time, per-epoch history and final metrics of every model, extra results)
and ``results/<stem>-<metric>.png``. ``<stem>`` is the name, plus ``-<profile>`` unless laptop,
plus ``-seed<N>`` when ``--seed`` differs from the configuration's. The machinery (registry,
runner, provenance, sweeps) is in :mod:`course_lib.runs`.
'''

from course_lib.runs.registry import (
    EXPERIMENTS,
    Experiment,
    get_experiment,
    load_all,
    register,
)

__all__ = ["EXPERIMENTS", "Experiment", "register", "get_experiment", "load_all"]
