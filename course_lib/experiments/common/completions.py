"""Completions recorded at the end of a language-model run, so that notebooks 08 and 09 show the
trained model's own text on a fresh clone, where no checkpoint exists.

Each completion continues a fixed prompt with :func:`course_lib.torch_models.sampling.complete`
under one decoding setting (greedy, a temperature, top-k) and a fixed seed; the record keeps the
generated tokens and the probability the model gave each one (at temperature 1).
"""

from __future__ import annotations

from course_lib.torch_models.sampling import complete

# (label, temperature, top_k): greedy, three temperatures, and top-k (notebook 08, "Finishing
# sentences")
WORD_SETTINGS = (("greedy", 0.0, None), ("τ = 0.7", 0.7, None), ("τ = 1.0", 1.0, None),
                 ("τ = 1.5", 1.5, None), ("top-10, τ = 1", 1.0, 10))
WORD_PROMPTS = ("the company said it expects", "stock prices")
CHAR_SETTINGS = tuple((f"τ = {t}" if t else "greedy", t, None) for t in (0.0, 0.5, 0.8, 1.0, 1.3))
CHAR_PROMPTS = ("the company said ",)


def record_completions(model, vocab, prompts, settings, n, seed=0, characters=False) -> list[dict]:
    """One dict per (prompt, setting): prompt, label, temperature, top_k, seed, tokens, probabilities.

    ``characters``: the prompts are text, read one symbol at a time (PTB's ``_`` for a space),
    and generation does not stop at ``<eos>``; otherwise they are words and ``<eos>`` ends one.
    """
    rows = []
    for prompt in prompts:
        tokens = ["_" if c == " " else c for c in prompt] if characters else prompt.split()
        for label, temperature, top_k in settings:
            out = complete(model, vocab, tokens, n=n, temperature=temperature, top_k=top_k,
                           seed=seed, stop=None if characters else "<eos>")
            rows.append({"prompt": prompt, "label": label, "temperature": temperature,
                         "top_k": top_k, "seed": seed, "tokens": [t for t, _ in out],
                         "probabilities": [round(p, 4) for _, p in out]})
    return rows
