"""The course's PyTorch models.

- :mod:`.lstm`: the hand-written ``LSTMCell`` / ``LSTM`` (NumPy layout Wx, Wh, b; gates i, f, g, o).
- :mod:`.recurrent`: ``RecurrentEncoder``, stacked and bidirectional layers exact on padded batches.
- :mod:`.pooling`: masked mean / max / last pooling and two attention poolings.
- :mod:`.classifier`: ``SequenceClassifier`` for token ids or feature vectors.
- :mod:`.language_model`: ``LanguageModel`` after Zaremba et al. (2014).
- :mod:`.sampling`: finishing a sentence with a language model (greedy, temperature, top-k).
- :mod:`.tree_lstm`: the binary Tree-LSTM over SST's parse trees.
"""

from course_lib.torch_models.classifier import SequenceClassifier
from course_lib.torch_models.language_model import LanguageModel
from course_lib.torch_models.lstm import LSTM, LSTMCell, copy_to_nn_lstm, lstm_step
from course_lib.torch_models.pooling import AdditiveAttention, SeedAttention
from course_lib.torch_models.recurrent import RecurrentEncoder, length_mask, reverse_padded

__all__ = [
    "LSTM", "LSTMCell", "lstm_step", "copy_to_nn_lstm", "RecurrentEncoder", "length_mask",
    "reverse_padded", "AdditiveAttention", "SeedAttention", "SequenceClassifier", "LanguageModel",
]
