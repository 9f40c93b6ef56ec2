"""course_lib: the helper package of the open LSTM course.

The folder says what a file is::

    __init__.py     the few names notebooks use everywhere: pick, active_profile, get_device
    env/            runtime settings: run profiles, the torch device, paths, float speed settings
    numpy_core/     the NumPy lessons (layers, lstm, rnn, gradcheck, models, train, optim); no torch
    torch_models/   the PyTorch models (hand-written LSTM, encoders, pooling, classifier, LM, Tree-LSTM)
    training/       the torch Trainer, its tasks, optimisers and checkpoints
    data/           the five data sets (registry, fetch, cache, loaders), text tools, and the ONE
                    batchify / BPTT windowing that the NumPy and torch language models share
    checks/         every exercise checker, one module per practice notebook, one Report idiom
    plots/          every plotting function, one module per subject
    runs/           the experiment machinery: registry, runner, provenance, sweeps, summaries, and
                    the ``run`` / ``results`` / ``sweep`` commands
    experiments/    registered experiments only ("add one file here"), plus common/ for what two share
    tools/          the instructor's and maintainer's commands: cli (the ``lstm-course`` entry
                    point), doctor, data, notebooks, exercises, bench

Students import the first seven; ``runs``, ``experiments`` and ``tools`` stand apart. The commands
that drive experiments live in ``runs/`` beside the machinery they call (one room for everything a
recorded run touches); ``tools/`` holds the commands that work on the repository itself.

Importing the package applies the fast float settings of :mod:`course_lib.env.speed`
(flush-to-zero for subnormal floats, glibc memory thresholds); set ``LSTM_COURSE_FAST_FLOATS=0``
to opt out.
"""

from course_lib.env.speed import use_fast_float_settings

FAST_FLOAT_SETTINGS = use_fast_float_settings()

from course_lib.env.device import get_device  # noqa: E402
from course_lib.env.profiles import PROFILES, active_profile, pick  # noqa: E402

__version__ = "0.1.0"
__all__ = ["PROFILES", "active_profile", "pick", "get_device", "FAST_FLOAT_SETTINGS"]
