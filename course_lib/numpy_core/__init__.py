"""The course's LSTM in plain NumPy: layers, models, optimisers, gradient checks, and the
confusion matrix of a classifier's answers (:mod:`.metrics`).

Imports NumPy only (never torch). Dimension letters: N batch, T time, D input, H hidden.
Layers follow the CS231n contract ``<name>_forward(...) -> (out, cache)`` and
``<name>_backward(dout, cache) -> gradients``; LSTM gates are stacked i, f, g, o as in PyTorch.
"""

from course_lib.numpy_core.gradcheck import (
    GradCheckResult,
    check_layer_gradients,
    check_model_gradients,
    numerical_gradient,
    rel_error,
)
from course_lib.numpy_core.init import INITS
from course_lib.numpy_core.layers import (
    affine_backward,
    affine_forward,
    dropout_backward,
    dropout_forward,
    masked_mean_backward,
    masked_mean_forward,
    softmax_cross_entropy_backward,
    softmax_cross_entropy_forward,
    word_embedding_backward,
    word_embedding_forward,
)
from course_lib.numpy_core.lstm import (
    lstm_backward,
    lstm_final_state,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    sigmoid,
)
from course_lib.numpy_core.models import (
    LanguageModel,
    SequenceClassifier,
    lstm_stack_backward,
    lstm_stack_final_state,
    lstm_stack_forward,
)
from course_lib.numpy_core.optim import SGD, Adam, clip_grad_norm, global_norm
from course_lib.numpy_core.rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

__all__ = [
    "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
    "lstm_final_state", "sigmoid",
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
    "word_embedding_forward", "word_embedding_backward", "affine_forward", "affine_backward",
    "masked_mean_forward", "masked_mean_backward",
    "softmax_cross_entropy_forward", "softmax_cross_entropy_backward",
    "dropout_forward", "dropout_backward",
    "lstm_stack_forward", "lstm_stack_backward", "lstm_stack_final_state",
    "SequenceClassifier", "LanguageModel", "INITS",
    "SGD", "Adam", "clip_grad_norm", "global_norm",
    "numerical_gradient", "rel_error", "check_layer_gradients", "check_model_gradients",
    "GradCheckResult",
]
