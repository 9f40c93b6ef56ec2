"""Small NumPy models built from the layers: stacked LSTMs, a classifier, a language model.

Dimension letters: N batch size, T time steps, D input (or embedding) size, H hidden size,
C number of classes, V vocabulary size, L number of LSTM layers.

Each model keeps its weights in ``model.params``, a dict name -> array in a fixed order::

    "embed.W" (V, D)      the embedding, when the model has a trainable one
    "lstm0.Wx" (D, 4H), "lstm0.Wh" (H, 4H), "lstm0.b" (4H,)     layer 0, then lstm1.* ...
    "out.W" (H, C or V), "out.b" (C or V,)

and ``model.loss(...)`` returns ``(loss, grads)`` with ``grads`` keyed like ``params``.
Optimisers update ``params`` in place.
"""

from __future__ import annotations

import numpy as np

from course_lib.numpy_core import init as initialise
from course_lib.numpy_core import layers
from course_lib.numpy_core.lstm import lstm_backward, lstm_final_state, lstm_forward
from course_lib.numpy_core.shapes import expect_shape


def lstm_stack_forward(x, weights, state=None, dropout=0.0, train=True, rng=None):
    """L LSTM layers on top of each other, each reading the hidden states of the one below.

    Inputs:
    - x: (N, T, D) input sequence
    - weights: list of L tuples (Wx, Wh, b), layer 0 first
    - state: list of L tuples (h0, c0), each (N, H); None starts every layer from zeros
    - dropout: drop probability on the input of every layer above the first (as torch.nn.LSTM)

    Returns (h, cache): h (N, T, H) from the top layer; ``lstm_stack_final_state(cache)`` gives
    the state after the last step, to carry into the next batch.
    """
    caches = []
    for layer, (Wx, Wh, b) in enumerate(weights):
        drop_cache = None
        if layer > 0:
            x, drop_cache = layers.dropout_forward(x, dropout, train, rng)
        H = Wh.shape[0]
        if state is None:
            h0, c0 = np.zeros((x.shape[0], H), x.dtype), None
        else:
            h0, c0 = state[layer]
        x, lstm_cache = lstm_forward(x, h0, Wx, Wh, b, c0=c0)
        caches.append((drop_cache, lstm_cache))
    return x, caches


def lstm_stack_final_state(cache):
    """The final (h_T, c_T) of every layer, from lstm_stack_forward's cache."""
    return [lstm_final_state(lstm_cache) for _, lstm_cache in cache]


def lstm_stack_backward(dh, cache):
    """Backward pass of lstm_stack_forward.

    Returns (dx, dweights): dx (N, T, D) and a list of L tuples (dWx, dWh, db).
    """
    dweights = []
    for drop_cache, lstm_cache in reversed(cache):
        dh, _dh0, _dc0, dWx, dWh, db = lstm_backward(dh, lstm_cache)
        if drop_cache is not None:
            dh = layers.dropout_backward(dh, drop_cache)
        dweights.append((dWx, dWh, db))
    return dh, dweights[::-1]


def _init_lstm_params(params, D, H, num_layers, rng, init, init_scale, forget_bias, dtype):
    for layer in range(num_layers):
        Wx, Wh, b = initialise.lstm_params(D if layer == 0 else H, H, rng, init, init_scale,
                                           forget_bias, dtype)
        params.update({f"lstm{layer}.Wx": Wx, f"lstm{layer}.Wh": Wh, f"lstm{layer}.b": b})


def _lstm_weights(params, num_layers):
    return [tuple(params[f"lstm{k}.{w}"] for w in ("Wx", "Wh", "b")) for k in range(num_layers)]


def _backward(params, loss_cache, caches):
    """The gradients of both models' loss, keyed and ordered like ``params``: back through the
    output layer, the pooling over time (the classifier's caches only), the LSTM stack and the
    embedding, the forward pass read in reverse."""
    grads = {}
    dscores = layers.softmax_cross_entropy_backward(1.0, loss_cache)
    dh, grads["out.W"], grads["out.b"] = layers.affine_backward(dscores, caches["out"])
    dh = layers.dropout_backward(dh, caches["drop_out"])  # (N, T, H), or (N, H) pooled
    if "pool" in caches:
        dh = layers.masked_mean_backward(dh, caches["pool"])  # (N, T, H)
    dx, dweights = lstm_stack_backward(dh, caches["lstm"])
    for layer, (dWx, dWh, db) in enumerate(dweights):
        grads.update({f"lstm{layer}.Wx": dWx, f"lstm{layer}.Wh": dWh, f"lstm{layer}.b": db})
    if "embed.W" in params:
        dx = layers.dropout_backward(dx, caches["drop_in"])
        grads["embed.W"] = layers.word_embedding_backward(dx, caches["embed"])
    return {name: grads[name] for name in params}


class SequenceClassifier:
    """One label per sequence: [embedding ->] LSTM (L layers) -> masked mean over time -> linear.

    - input_dim: D, the size of each input vector (the embedding size when vocab_size is given)
    - hidden_dim: H; num_classes: C; num_layers: L
    - vocab_size: V; when given, inputs are (N, T) token ids looked up in an embedding
    - embedding: optional (V, D) array to start the embedding from (e.g. GloVe vectors);
      train_embedding=False keeps it frozen (it is then not in ``params``)
    - dropout: drop probability on the embedding output, between LSTM layers and before the
      linear layer
    - init: "xavier" or "seed" (see course_lib.numpy_core.init); init_scale: the seeds' LSTM
      scale (0.1 or 0.01); forget_bias: initial forget-gate bias
    - dtype: float32 (fast) or float64 (gradient checks); seed: for initialisation and dropout
    """

    def __init__(self, input_dim, hidden_dim, num_classes, *, num_layers=1, vocab_size=None,
                 embedding=None, train_embedding=True, dropout=0.0, init="xavier", init_scale=0.1,
                 forget_bias=0.0, dtype=np.float32, seed=0):
        self.num_layers, self.dropout, self.dtype = num_layers, dropout, np.dtype(dtype)
        self.rng = np.random.default_rng(seed)
        self.params = {}
        self.frozen_embedding = None
        if embedding is not None:
            vocab_size = embedding.shape[0] if vocab_size is None else vocab_size
            expect_shape("embedding", embedding, (vocab_size, input_dim), "(V, D)")
            W = np.array(embedding, dtype=dtype)
        elif vocab_size is not None:
            W = initialise.embedding_params(vocab_size, input_dim, self.rng, dtype)
        if vocab_size is not None:
            if train_embedding:
                self.params["embed.W"] = W
            else:
                self.frozen_embedding = W
        self.uses_embedding = vocab_size is not None
        _init_lstm_params(self.params, input_dim, hidden_dim, num_layers, self.rng, init,
                          init_scale, forget_bias, dtype)
        W, b = initialise.linear_params(hidden_dim, num_classes, self.rng, init, dtype)
        self.params.update({"out.W": W, "out.b": b})

    def _forward(self, x, mask, train):
        caches = {}
        if self.uses_embedding:
            W = self.params.get("embed.W", self.frozen_embedding)
            x, caches["embed"] = layers.word_embedding_forward(x, W)
            x, caches["drop_in"] = layers.dropout_forward(x, self.dropout, train, self.rng)
        else:
            x = np.asarray(x, dtype=self.dtype)
        h, caches["lstm"] = lstm_stack_forward(x, _lstm_weights(self.params, self.num_layers),
                                               dropout=self.dropout, train=train, rng=self.rng)
        pooled, caches["pool"] = layers.masked_mean_forward(h, mask)  # (N, H)
        pooled, caches["drop_out"] = layers.dropout_forward(pooled, self.dropout, train, self.rng)
        scores, caches["out"] = layers.affine_forward(pooled, self.params["out.W"],
                                                      self.params["out.b"])
        return scores, caches

    def scores(self, x, mask=None):
        """Class scores (N, C) for inputs x (N, T, D), or (N, T) token ids; no dropout."""
        return self._forward(x, mask, train=False)[0]

    def predict(self, x, mask=None):
        """Predicted class (N,) for each sequence."""
        return self.scores(x, mask).argmax(axis=1)

    def loss(self, x, y, mask=None, train=True):
        """Mean softmax cross-entropy over the batch, and its gradients.

        Inputs: x (N, T, D) or (N, T) token ids; y (N,) labels; mask (N, T), True at real steps
        (sequences padded at the end; None: no padding).
        Returns (loss, grads), grads keyed like ``params``; with train=False no dropout and
        grads is None.
        """
        scores, caches = self._forward(x, mask, train)
        loss, loss_cache = layers.softmax_cross_entropy_forward(scores, y)
        if not train:
            return loss, None
        return loss, _backward(self.params, loss_cache, caches)


class LanguageModel:
    """Next-token prediction: embedding -> LSTM (L layers) -> linear over the vocabulary.

    The LSTM state is carried from one call to the next (truncated backpropagation through
    time over a stream cut into consecutive batches); ``reset_state()`` starts from zeros again.

    - vocab_size: V; embed_dim: D; hidden_dim: H; num_layers: L
    - embedding: optional (V, D) array to start the embedding from (e.g. GloVe vectors);
      train_embedding=False keeps it frozen (it is then not in ``params``)
    - dropout: drop probability on the embedding output, between layers and before the output
      layer (Zaremba et al. 2014)
    - init, init_scale, forget_bias, dtype, seed: as for SequenceClassifier
    """

    def __init__(self, vocab_size, embed_dim, hidden_dim, *, num_layers=1, embedding=None,
                 train_embedding=True, dropout=0.0, init="xavier", init_scale=0.1,
                 forget_bias=0.0, dtype=np.float32, seed=0):
        self.num_layers, self.dropout, self.dtype = num_layers, dropout, np.dtype(dtype)
        self.rng = np.random.default_rng(seed)
        if embedding is not None:
            expect_shape("embedding", embedding, (vocab_size, embed_dim), "(V, D)")
            W = np.array(embedding, dtype=dtype)
        else:
            W = initialise.embedding_params(vocab_size, embed_dim, self.rng, dtype)
        self.params, self.frozen_embedding = {}, None
        if train_embedding:
            self.params["embed.W"] = W
        else:
            self.frozen_embedding = W
        _init_lstm_params(self.params, embed_dim, hidden_dim, num_layers, self.rng, init,
                          init_scale, forget_bias, dtype)
        W, b = initialise.linear_params(hidden_dim, vocab_size, self.rng, init, dtype)
        self.params.update({"out.W": W, "out.b": b})
        self.state = None  # list of L tuples (h, c), each (N, H)

    def reset_state(self):
        """Forget the carried LSTM state: the next call starts from zeros."""
        self.state = None

    def _forward(self, x, train):
        caches = {}
        W = self.params.get("embed.W", self.frozen_embedding)
        x, caches["embed"] = layers.word_embedding_forward(x, W)  # (N, T, D)
        x, caches["drop_in"] = layers.dropout_forward(x, self.dropout, train, self.rng)
        state = self.state
        if state is not None and state[0][0].shape[0] != x.shape[0]:
            state = None  # a different batch size cannot continue the old streams
        h, caches["lstm"] = lstm_stack_forward(x, _lstm_weights(self.params, self.num_layers),
                                               state, self.dropout, train, self.rng)
        self.state = lstm_stack_final_state(caches["lstm"])
        h, caches["drop_out"] = layers.dropout_forward(h, self.dropout, train, self.rng)
        scores, caches["out"] = layers.affine_forward(h, self.params["out.W"], self.params["out.b"])
        return scores, caches  # scores (N, T, V)

    def scores(self, x):
        """Next-token scores (N, T, V) for token ids x (N, T); no dropout; advances the state."""
        return self._forward(x, train=False)[0]

    def loss(self, x, y, mask=None, train=True, average="batch"):
        """Softmax cross-entropy of the next tokens, and its gradients.

        Inputs: x (N, T) token ids; y (N, T) the tokens that follow; mask (N, T) True where
        the loss counts; average: "batch" (summed over time, mean over sequences: Zaremba's
        recipe) or "tokens" (mean per token; exp of it is the perplexity).
        Returns (loss, grads), grads keyed like ``params``; with train=False no dropout and
        grads is None. Advances the carried state either way.
        """
        scores, caches = self._forward(x, train)
        loss, loss_cache = layers.softmax_cross_entropy_forward(scores, y, mask, average)
        if not train:
            return loss, None
        return loss, _backward(self.params, loss_cache, caches)
