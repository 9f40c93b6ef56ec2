"""Checkers for practice notebook 08: perplexity, batchify and BPTT windows, the detached state,
temperature sampling.

Each ``check_<name>(fn)`` runs your function on fixed inputs, compares it with the reference
below, prints ``PASS`` or the most specific diagnosis it can, and returns True or False. The
references take keyword options whose defaults are correct and which compute the classic
mistakes declared in :mod:`.mistakes`. ``batchify`` and the windows are practice 04's checkers
(:mod:`.the_data`), run here on this practice's torch data and letters.

Dimension letters: L tokens in a stream, N streams, T steps per window, V vocabulary size.
Every check takes options for other inputs than its fixed ones (a ``seed``, other sizes): the
hidden tests of the graded cells use them.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import torch
from torch import nn

from course_lib.checks import mistakes as m
from course_lib.checks import the_data
from course_lib.checks.report import Report, diagnose
from course_lib.data.batches import bptt_windows
from course_lib.numpy_core.lm_train import perplexity as course_perplexity
from course_lib.torch_models.sampling import next_token_probs as course_next_token_probs

# ---------------------------------------------------------------------------- references


def reference_perplexity(log_prob_sums, token_counts, *, average="over tokens", sign=-1.0,
                         base=math.e, exponentiate=True):
    """exp(-(total log-probability) / (total tokens)): every token weighs the same.

    The keyword options compute the mistakes of ``mistakes.PERPLEXITY_MISTAKES``.
    """
    sums, counts = np.asarray(log_prob_sums, np.float64), np.asarray(token_counts, np.float64)
    if average == "batch perplexities":
        return float(np.mean(np.exp(-sums / counts)))
    mean_log_prob = {"over tokens": sums.sum() / counts.sum(), "of batch means":
                     float(np.mean(sums / counts)), None: sums.sum()}[average]
    cross_entropy = float(sign * mean_log_prob)  # nats per token
    if not exponentiate:
        return cross_entropy
    return base ** cross_entropy if cross_entropy < 700 else math.inf


def reference_train_epoch(model, data, T, optimizer, clip_norm, *, carry_state=True,
                          loss_per="stream", zero_grad=True):
    """One pass of truncated BPTT over data (N, L); returns the mean loss per token (float).

    The loss of a window is summed over its steps and averaged over the N streams (Zaremba's
    recipe); the state is carried from window to window and detached at each boundary. The
    keyword options compute the mistakes of ``mistakes.TRAIN_EPOCH_MISTAKES``.
    """
    model.train()
    N = data.shape[0]
    state = model.init_state(N)
    total, count = 0.0, 0
    for inputs, targets in bptt_windows(data, T):
        state = model.detach_state(state) if carry_state else model.init_state(N)
        logits, state = model(inputs, state)  # (N, T, V)
        summed = nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten(),
                                             reduction="sum")
        loss = summed / (N if loss_per == "stream" else targets.numel())
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        optimizer.step()
        total, count = total + summed.item(), count + targets.numel()
    return total / count


def reference_next_token_probs(logits, temperature=1.0, top_k=None, *, scale="divide",
                               use_top_k=True):
    """Sampling distribution (V,) from logits (V,): softmax(logits / temperature) restricted to
    the top_k most likely tokens (renormalised); temperature 0: all mass on the argmax.

    The keyword options compute the mistakes of ``mistakes.SAMPLING_MISTAKES``.
    """
    logits = torch.as_tensor(logits, dtype=torch.float64)
    if temperature == 0:
        return nn.functional.one_hot(logits.argmax(), logits.numel()).to(torch.float64)
    scaled = logits / temperature if scale == "divide" else logits * temperature
    if top_k is not None and use_top_k:
        kth = torch.topk(scaled, top_k).values[-1]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
    return torch.softmax(scaled, dim=0)


# ---------------------------------------------------------------------------- helpers


def _close(a, b, tol=1e-6):
    return abs(a - b) <= tol * max(1.0, abs(b))


# ---------------------------------------------------------------------------- perplexity

# Three batches of unequal size, so that every shortcut gives a different number.
LOG_PROB_SUMS = np.array([-46.0, -9.5, -130.2])  # summed natural-log probabilities per batch
TOKEN_COUNTS = np.array([10, 2, 30])  # tokens in each batch


def perplexity_inputs(seed=None, batches=5):
    """(log_prob_sums (B,), token_counts (B,)): the fixed three batches, or ``batches`` drawn
    with ``seed`` (1 to 60 tokens each, 2 to 6 nats per token)."""
    if seed is None:
        return LOG_PROB_SUMS, TOKEN_COUNTS
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 61, batches)
    return np.round(-counts * rng.uniform(2.0, 6.0, batches), 2), counts


def check_perplexity(fn, seed=None, batches=5):
    """``fn(log_prob_sums, token_counts) -> float``: the perplexity over all batches (the fixed
    three, or :func:`perplexity_inputs` drawn with ``seed``)."""
    report = Report("perplexity")
    report.forbid(fn, course_perplexity, reference_perplexity)
    sums, counts = perplexity_inputs(seed, batches)
    ok, value = report.call(fn, sums.copy(), counts.copy())
    if not ok:
        return report.done("")
    want = reference_perplexity(sums, counts)
    try:
        value = float(value)
    except (TypeError, ValueError):
        report.problem(f"it should return a number, got {type(value).__name__}")
        return report.done("")
    if not _close(value, want):
        report.problem(f"got {value:.6g}, expected {want:.6g}")
        diagnose(report, {"perplexity": value}, {"perplexity": want}, m.PERPLEXITY_MISTAKES,
                 lambda **options: {"perplexity": reference_perplexity(
                     sums, counts, **options)})
    total, count = sums.sum(), counts.sum()
    return report.done(f"{want:.4f} = exp({-total:.1f} / {count})")


# ---------------------------------------------------------------------------- batchify, windows


def check_batchify(fn, length=23, streams=4):
    """``fn(ids (L,), N) -> (N, L // N)`` array: N contiguous streams side by side (L =
    ``length``, N = ``streams``); practice 04's checker, in this practice's letters."""
    return the_data.check_batchify(fn, length, streams, letter="N", noun="streams")


def check_windows(fn, shape=(2, 15), T=4):
    """``fn(data (N, L), T)``: the list (or generator) of (inputs, targets) windows, for a torch
    tensor of ``shape`` (N, L) holding 0, 1, 2, ...; practice 04's checker on torch data."""
    return the_data.check_windows(fn, *shape, T, array="torch")


# ---------------------------------------------------------------------------- detach


LM_DIMS = (7, 3, 13, 4)  # V, N, L, T


def _lm_setup(seed=0, dims=LM_DIMS):
    """A tiny language model (vocabulary V), data (N, L) and SGD, the same every call."""
    from course_lib.torch_models import LanguageModel

    V, N, L, _ = dims
    with torch.random.fork_rng(devices=[]):  # the notebook's own random stream is left alone
        torch.manual_seed(seed)
        model = LanguageModel(V, embed_dim=4, hidden_size=5, num_layers=2, init_range=0.5)
    data = torch.randint(0, V, (N, L), generator=torch.Generator().manual_seed(seed + 1))
    return model, data, torch.optim.SGD(model.parameters(), lr=0.5)


def _params_after(train_epoch, seed=0, dims=LM_DIMS):
    model, data, optimizer = _lm_setup(seed, dims)
    loss = train_epoch(model, data, dims[3], optimizer, 100.0)
    return loss, torch.cat([p.detach().flatten() for p in model.parameters()])


def check_train_epoch(fn, seed=0, dims=LM_DIMS):
    """``fn(model, data (N, L), T, optimizer, clip_norm) -> mean loss per token``: one pass of
    truncated BPTT with the state carried across windows and detached at each boundary (a model
    and data drawn with ``seed``, of sizes ``dims`` = (V, N, L, T))."""
    report = Report("train_epoch")
    report.forbid(fn, reference_train_epoch)
    model, data, optimizer = _lm_setup(seed, dims)
    T = dims[3]
    ok, loss = report.call(fn, model, data, T, optimizer, 100.0)
    if not ok:
        if "second time" in str(report.error) or "freed" in str(report.error):
            report.hint("backward went into the previous window's graph, which is already "
                        "freed: detach the carried state before each window, "
                        "state = model.detach_state(state) (h.detach(), c.detach()); "
                        "retain_graph=True would silence the error and backpropagate through "
                        "every earlier window")
        return report.done("")
    got = torch.cat([p.detach().flatten() for p in model.parameters()])
    want_loss, want = _params_after(reference_train_epoch, seed, dims)
    try:
        loss = float(loss)
    except (TypeError, ValueError):
        report.problem(f"it should return the mean loss per token as a float, got {type(loss).__name__}")
        loss = None
    if not torch.allclose(got, want, rtol=1e-5, atol=1e-7):
        report.problem(f"the weights after one pass differ from the reference "
                       f"(max difference {float((got - want).abs().max()):.3g})")
        diagnose(report, {"weights": got}, {"weights": want}, m.TRAIN_EPOCH_MISTAKES,
                 lambda **options: {"weights": _params_after(partial(reference_train_epoch,
                                                                     **options), seed, dims)[1]})
    elif loss is not None and not _close(loss, want_loss, 1e-5):
        report.problem(f"the weights are right but the returned loss is {loss:.5f}, expected "
                       f"{want_loss:.5f}", "return the loss per *token*: the summed "
                       "cross-entropy of all windows divided by the number of targets")
    return report.done(f"weights and loss {want_loss:.4f} match after "
                       f"{len(list(bptt_windows(data, T)))} windows")


# ---------------------------------------------------------------------------- sampling

LOGITS = torch.tensor([2.0, -1.0, 0.5, 3.0, 0.0, 1.5])


CASES = [(1.0, None), (0.5, None), (2.0, None), (1.0, 3), (0.7, 2), (0.0, None)]


def _sampling_variant(logits, temperature, top_k, **options):
    return {"probabilities": reference_next_token_probs(logits, temperature, top_k, **options)}


def check_next_token_probs(fn, seed=None, V=11):
    """``fn(logits (V,), temperature, top_k=None) -> probabilities (V,)`` (on LOGITS, or on V
    logits drawn with ``seed``, with other temperatures and top-k)."""
    report = Report("next_token_probs")
    report.forbid(fn, course_next_token_probs, reference_next_token_probs)
    logits, cases = LOGITS, CASES
    if seed is not None:
        logits = 2 * torch.randn(V, generator=torch.Generator().manual_seed(seed))
        cases = [(1.0, None), (0.3, None), (3.0, None), (1.5, V // 2), (0.8, 1), (0.0, None)]
    for temperature, top_k in cases:
        ok, out = report.call(fn, logits.clone(), temperature, top_k)
        if not ok:
            return report.done("")
        want = reference_next_token_probs(logits, temperature, top_k)
        try:
            out = torch.as_tensor(out, dtype=torch.float64)
        except (TypeError, ValueError, RuntimeError):
            report.problem(f"it should return a tensor of probabilities, got {type(out).__name__}")
            return report.done("")
        where = f"temperature {temperature}" + (f", top_k {top_k}" if top_k else "")
        if out.shape != want.shape:
            report.problem(f"{where}: shape {tuple(out.shape)}, expected (V,) = {tuple(want.shape)}")
            break
        if torch.allclose(out, want, atol=1e-6):
            continue
        report.problem(f"{where}: got {[round(v, 4) for v in out.tolist()]}, expected "
                       f"{[round(v, 4) for v in want.tolist()]}")
        if temperature == 0:
            report.hint("temperature 0 means greedy: probability 1 on the argmax (do not "
                        "divide by 0)")
        elif not torch.isclose(out.sum(), torch.tensor(1.0, dtype=torch.float64), atol=1e-6):
            report.hint("probabilities must sum to 1: renormalise after removing tokens")
        elif not diagnose(report, {"probabilities": out}, {"probabilities": want},
                          m.SAMPLING_MISTAKES, partial(_sampling_variant, logits, temperature,
                                                       top_k)):
            report.hint("keep the k *largest* logits: torch.topk(logits, k).values[-1] is the "
                        "cut-off" if top_k else "softmax(logits / temperature): subtract nothing "
                        "else, scale before softmax")
        break
    temperatures = ", ".join(f"{t:g}" for t in sorted({t for t, _ in cases}))
    top_ks = ", ".join(str(k) for k in sorted({k for _, k in cases if k}))
    return report.done(f"temperatures {temperatures} and top-k {top_ks}")


# ---------------------------------------------------------------------------- the carried state


def reference_evaluate_perplexity(model, data, T, carry_state=True, *, state="as asked",
                                  average="over tokens"):
    """Perplexity of ``model`` on data (N, L) read in windows of T steps, in eval mode and
    without gradients: the state carried from each window to the next (``carry_state``), or
    every window started from ``model.init_state(N)``. The model's mode is restored.

    The keyword options compute the mistakes of ``mistakes.LM_EVALUATE_MISTAKES``.
    """
    carry = {"as asked": carry_state, "always carried": True, "always reset": False}[state]
    was_training = model.training
    model.eval()
    N = data.shape[0]
    carried = model.init_state(N)
    sums, counts = [], []
    with torch.no_grad():
        for inputs, targets in bptt_windows(data, T):
            logits, carried = model(inputs, carried if carry else model.init_state(N))
            log_probs = torch.log_softmax(logits, dim=-1)  # (N, k, V)
            sums.append(float(log_probs.gather(-1, targets[..., None]).sum()))
            counts.append(targets.numel())
    model.train(was_training)
    return reference_perplexity(sums, counts, average=average)


EVAL_DIMS = (7, 3, 14)  # V, N, L: 13 targets per row, so that T = 4 leaves a short last window
EVAL_STEPS = (1, 4)


def _eval_setup(seed=0, dims=EVAL_DIMS):
    """A tiny float64 language model with dropout, in training mode, and data (N, L)."""
    from course_lib.torch_models import LanguageModel

    V, N, L = dims
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = LanguageModel(V, embed_dim=4, hidden_size=5, num_layers=2, dropout=0.3,
                              init_range=0.8).double()
    data = torch.randint(0, V, (N, L), generator=torch.Generator().manual_seed(seed + 1))
    return model, data


def check_evaluate_perplexity(fn, seed=0, dims=EVAL_DIMS, steps=EVAL_STEPS):
    """``fn(model, data (N, L), T, carry_state=True) -> perplexity``: with the state carried
    across windows, or reset at every window; on a tiny model with dropout handed over in
    training mode (drawn with ``seed``, sizes ``dims`` = (V, N, L)), for each T of ``steps``."""
    report = Report("evaluate_perplexity")
    report.forbid(fn, reference_evaluate_perplexity, course_perplexity)
    model, data = _eval_setup(seed, dims)
    cases = [(T, carry) for T in steps for carry in (True, False)]
    got, want = [], []
    for T, carry in cases:
        model.train()
        ok, value = report.call(fn, model, data.clone(), T, carry_state=carry)
        if not ok:
            return report.done("")
        try:
            got.append(float(value))
        except (TypeError, ValueError):
            report.problem(f"it should return the perplexity as a number, got "
                           f"{type(value).__name__}")
            return report.done("")
        want.append(reference_evaluate_perplexity(model, data, T, carry))
    got_t, want_t = torch.tensor(got), torch.tensor(want)
    if torch.allclose(got_t, want_t, rtol=1e-7, atol=0):
        return report.done(f"the state carried and reset, T = {', '.join(map(str, steps))}, on a "
                           "model handed over in training mode")
    for (T, carry), g, w in zip(cases, got, want):
        if not _close(g, w, 1e-7):
            report.problem(f"T = {T}, state {'carried' if carry else 'reset'}: perplexity "
                           f"{g:.6g}, expected {w:.6g}")
    model.train()
    ok, again = report.call(fn, model, data.clone(), steps[0], carry_state=True)
    if ok and not _close(float(again), got[0], 1e-12):
        report.hint(f"two calls on the same model and data gave {got[0]:.6g} and "
                    f"{float(again):.6g}: dropout is on, the model is in training mode; call "
                    "model.eval() first (and evaluate under torch.no_grad())")
        return report.done("")
    diagnose(report, {"perplexities": got_t}, {"perplexities": want_t}, m.LM_EVALUATE_MISTAKES,
             lambda **options: {"perplexities": torch.tensor(
                 [reference_evaluate_perplexity(model, data, T, carry, **options)
                  for T, carry in cases])})
    return report.done("")


def _same_for_every_T(perplexities, tol=1e-4):
    values = list(perplexities.values())
    return max(values) <= min(values) * (1 + tol)


def _cost_shrinks(carried, reset):
    """True when reset / carried falls strictly as T grows (T: the keys, sorted)."""
    costs = [reset[T] / carried[T] for T in sorted(carried)]
    return all(a > b for a, b in zip(costs, costs[1:]))


def check_state_study(carried_ppl, reset_ppl, carried_changes_with_T, reset_cost_shrinks_with_T,
                      model, data, predictions):
    """The study of the carried state: ``carried_ppl`` and ``reset_ppl`` map each window length
    T to the perplexity of ``model`` on ``data`` (N, L) with the state carried / reset at every
    window; the two statements (bools) are graded against that measured truth; ``predictions``
    = (predicted_carried_changes_with_T, predicted_reset_ratio) must have been recorded."""
    report = Report("state study")
    changes_guess, ratio_guess = predictions
    if not isinstance(changes_guess, bool):
        report.problem("record your prediction predicted_carried_changes_with_T (True or "
                       "False) before you measure")
    try:
        ratio_guess = float(ratio_guess)
    except (TypeError, ValueError):
        ratio_guess = None
    if ratio_guess is None or not ratio_guess > 0:
        report.problem("record your prediction predicted_reset_ratio (a positive number) "
                       "before you measure")
    try:
        carried = {int(T): float(p) for T, p in dict(carried_ppl).items()}
        reset = {int(T): float(p) for T, p in dict(reset_ppl).items()}
    except (TypeError, ValueError) as error:
        report.problem(f"carried_ppl and reset_ppl should map each T to a perplexity: {error}")
        return report.done("")
    if set(carried) != set(reset) or len(carried) < 2:
        report.problem("measure carried_ppl and reset_ppl at the same window lengths, two or "
                       f"more (got T = {sorted(carried)} and {sorted(reset)})")
        return report.done("")
    steps = sorted(carried)
    truth = {T: (reference_evaluate_perplexity(model, data, T, True),
                 reference_evaluate_perplexity(model, data, T, False)) for T in steps}
    wrong = [(T, kind, mine[T], truth[T][k]) for T in steps
             for k, (kind, mine) in enumerate((("carried", carried), ("reset", reset)))
             if not _close(mine[T], truth[T][k], 1e-4)]
    for T, kind, mine, true in wrong:
        report.problem(f"T = {T}, state {kind}: you measured {mine:.6g}, expected {true:.6g}")
    if wrong:
        report.hint("measure with your evaluate_perplexity (its check above must pass), on "
                    "the model and data given, carry_state=True for carried_ppl and False for "
                    "reset_ppl")
        return report.done("")
    true_carried = {T: truth[T][0] for T in steps}
    true_reset = {T: truth[T][1] for T in steps}
    changes, shrinks = not _same_for_every_T(true_carried), _cost_shrinks(true_carried, true_reset)
    shown = ", ".join(f"T = {T}: {true_carried[T]:.1f} carried, {true_reset[T]:.1f} reset"
                      for T in steps)
    for name, said, true in (("carried_changes_with_T", carried_changes_with_T, changes),
                             ("reset_cost_shrinks_with_T", reset_cost_shrinks_with_T, shrinks)):
        if not isinstance(said, bool):
            report.problem(f"{name} should be True or False, got {said!r}")
        elif said != true:
            report.problem(f"{name} = {said}, but your measurements say {true} ({shown})",
                           STATE_STUDY_WHY[name, true])
    ratio = true_reset[steps[0]] / true_carried[steps[0]]
    guess = f"; you predicted {ratio_guess:.2f}" if ratio_guess else ""
    return report.done(f"{shown}; reset / carried at T = {steps[0]}: {ratio:.2f}{guess}")


STATE_STUDY_WHY = {
    ("carried_changes_with_T", False): "with the state carried, every window starts exactly "
    "where the last one stopped: the model computes the same states and the same "
    "probabilities whatever T. In training, T decides where the *gradient* stops; in "
    "evaluation there is no gradient",
    ("carried_changes_with_T", True): "your carried perplexities differ with T: look at them "
    "again; the statement is about what you measured",
    ("reset_cost_shrinks_with_T", True): "with the state reset at every window, the k-th word "
    "of a window is predicted from k - 1 words of context, (T - 1) / 2 on average: the longer "
    "the window, the more context, the closer to the carried perplexity",
    ("reset_cost_shrinks_with_T", False): "the statement is about what you measured: compare "
    "reset / carried at each T, in the order of T",
}
