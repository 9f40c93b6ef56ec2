"""Finishing sentences with a language model: greedy, temperature and top-k sampling, with the
model's probabilities shown.

Dimension letters: V vocabulary size. A model has the
:class:`~course_lib.torch_models.LanguageModel` interface ``model(tokens (1, T), state) ->
(logits (1, T, V), state)``; a vocabulary has ``stoi`` / ``itos`` (:class:`course_lib.data.Vocab`).
"""

from __future__ import annotations

import torch


def next_token_probs(logits, temperature=1.0, top_k=None):
    """The distribution to sample the next token from, (V,), given the logits (V,).

    ``softmax(logits / temperature)``: below 1 it sharpens (0 is greedy: all the mass on the most
    likely token), above 1 it flattens. ``top_k`` keeps the k most likely tokens and renormalises.
    """
    logits = torch.as_tensor(logits).float()
    if temperature == 0:
        return torch.nn.functional.one_hot(logits.argmax(), logits.numel()).float()
    scaled = logits / temperature
    if top_k is not None:
        kth = torch.topk(scaled, min(top_k, scaled.numel())).values[-1]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
    return torch.softmax(scaled, dim=0)


def encode_prefix(vocab, words):
    """Words (a string or a list) -> ids; words outside the vocabulary become ``<unk>``."""
    if isinstance(words, str):
        words = words.split()
    return [vocab[w] for w in words]


@torch.no_grad()
def _read(model, ids):
    """Run the model over ``ids``: the logits (V,) after the last one, and the state."""
    device = next(model.parameters()).device
    logits, state = model(torch.tensor([ids], device=device))  # (1, T, V)
    return logits[0, -1].float().cpu(), state


def next_word_table(model, vocab, prefix, k=5):
    """The k most likely next words after ``prefix`` with their probabilities: [(word, p)]."""
    was_training = model.training
    model.eval()
    logits, _ = _read(model, encode_prefix(vocab, prefix))
    model.train(was_training)
    probs = torch.softmax(logits, 0)
    top = torch.topk(probs, k)
    return [(vocab.itos[int(i)], float(p)) for p, i in zip(top.values, top.indices)]


@torch.no_grad()
def complete(model, vocab, prefix, n=10, temperature=1.0, top_k=None, seed=0, stop="<eos>"):
    """Continue ``prefix`` by up to ``n`` words, one at a time.

    Each word is drawn from :func:`next_token_probs` (temperature 0: greedy); ``stop`` ends the
    sentence early. Returns [(word, p)] where p is the probability the model itself (at
    temperature 1, no top-k) gave to the chosen word.
    """
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    logits, state = _read(model, encode_prefix(vocab, prefix))
    out = []
    for _ in range(n):
        probs = next_token_probs(logits, temperature, top_k)
        token = int(torch.multinomial(probs, 1, generator=generator))
        out.append((vocab.itos[token], float(torch.softmax(logits, 0)[token])))
        if vocab.itos[token] == stop:
            break
        step, state = model(torch.tensor([[token]], device=device), state)
        logits = step[0, -1].float().cpu()
    model.train(was_training)
    return out


def show_completion(prefix, words, sep=" "):
    """One line: the prefix, then each generated word with its probability, e.g.
    ``the company said [that 0.31] [it 0.12]``."""
    prefix = prefix if isinstance(prefix, str) else sep.join(prefix)
    return prefix + sep + sep.join(f"[{w} {p:.2f}]" for w, p in words)
