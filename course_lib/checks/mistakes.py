"""The catalogue of classic mistakes of every practice notebook, each with its hint (data).

A :class:`~course_lib.checks.report.Mistake` names the keyword options that make a variant (the
correct computation with one change) compute the mistake; :func:`~.report.diagnose` runs the
variants on the same fixed inputs as the student's function, and when the student's output
matches one (and not the correct answer), prints its hint.

The LSTM exercises' variants are here (notebooks 01 to 03, and the torch cell of 05):
:func:`lstm_step_variant` (forward) and :func:`lstm_step_backward_variant` (backward) take the
options; the sequence versions loop the step variants and add the mistakes of the time loop
itself. The other practices' variants are their checkers' references, named in each section.
Dimension letters: N batch size, T time steps, D input size, H hidden size.
"""

from __future__ import annotations

from itertools import permutations

import numpy as np

from course_lib.checks.report import Mistake

CORRECT_ORDER = "ifgo"
GATE_WORDS = {"i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate"}
NAMED_ORDERS = {"ifog": " (the CS231n assignment's order)",
                "igfo": " (TensorFlow 1's BasicLSTMCell order)"}


def _sigmoid(z):
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def _order_hint(order, verb="reads the gate blocks"):
    return (f"your code {verb} in the order {', '.join(order)}{NAMED_ORDERS.get(order, '')}; "
            "this course stacks them like PyTorch, i, f, g, o: a[:, :H] is i, a[:, H:2H] f, "
            "a[:, 2H:3H] g, a[:, 3H:] o")


# ---------------------------------------------------------------- forward, one step
def lstm_step_variant(x, prev_h, prev_c, Wx, Wh, b, order=CORRECT_ORDER, split="blocks",
                      gate_act="sigmoid", g_act="tanh", cell="f*prev_c+i*g",
                      hidden="o*tanh(next_c)", recurrent="prev_h", bias=True):
    """The LSTM step with optional mistakes; returns a dict of every intermediate value.

    Keys: a (N, 4H); i, f, g, o, next_c, tanh_c, next_h (N, H). The defaults are correct.
    """
    H = prev_h.shape[1]
    state = {"prev_h": prev_h, "prev_c": prev_c}[recurrent]
    a = x @ Wx + state @ Wh + (b if bias else 0)  # (N, 4H)
    if split == "interleaved":
        blocks = [a[:, k::4] for k in range(4)]
    else:
        blocks = [a[:, k * H:(k + 1) * H] for k in range(4)]
    pre = dict(zip(order, blocks))
    acts = {"sigmoid": _sigmoid, "tanh": np.tanh}
    i, f, o = (acts[gate_act](pre[k]) for k in "ifo")
    g = acts[g_act](pre["g"])
    next_c = {"f*prev_c+i*g": lambda: f * prev_c + i * g,
              "i*g": lambda: i * g,
              "prev_c+i*g": lambda: prev_c + i * g,
              "f*prev_c+g": lambda: f * prev_c + g}[cell]()
    tanh_c = np.tanh(next_c)
    next_h = {"o*tanh(next_c)": lambda: o * tanh_c,
              "o*next_c": lambda: o * next_c,
              "o*tanh(prev_c)": lambda: o * np.tanh(prev_c),
              "tanh(next_c)": lambda: tanh_c}[hidden]()
    return {"a": a, "i": i, "f": f, "g": g, "o": o, "next_c": next_c, "tanh_c": tanh_c,
            "next_h": next_h}


STEP_FORWARD_MISTAKES = [
    Mistake("sigmoid on g", "g is the candidate content and uses tanh (values in (-1, 1)), "
            "not the sigmoid: only the gates i, f, o use the sigmoid", {"g_act": "sigmoid"}),
    Mistake("tanh on the gates", "the gates i, f, o use the sigmoid (values in (0, 1), "
            "0 = closed, 1 = open); tanh is for g and for the cell state", {"gate_act": "tanh"}),
    Mistake("f * prev_c missing", "your next_c is i * g: the old cell state is dropped. "
            "The cell keeps its memory through next_c = f * prev_c + i * g", {"cell": "i*g"}),
    Mistake("forget gate not applied", "your next_c adds prev_c without the forget gate: "
            "next_c = f * prev_c + i * g", {"cell": "prev_c+i*g"}),
    Mistake("input gate not applied", "your next_c adds g without the input gate: "
            "next_c = f * prev_c + i * g", {"cell": "f*prev_c+g"}),
    Mistake("tanh missing on next_c", "next_h = o * tanh(next_c): squash the cell state "
            "with tanh before the output gate", {"hidden": "o*next_c"}),
    Mistake("prev_c in next_h", "next_h uses the *new* cell state: "
            "next_h = o * tanh(next_c), not tanh(prev_c)", {"hidden": "o*tanh(prev_c)"}),
    Mistake("output gate missing", "next_h = o * tanh(next_c): multiply by the output gate o",
            {"hidden": "tanh(next_c)"}),
    Mistake("prev_c in the recurrence", "the gates read the previous *hidden* state: "
            "a = x @ Wx + prev_h @ Wh + b (you used prev_c)", {"recurrent": "prev_c"}),
    Mistake("bias missing", "add the bias: a = x @ Wx + prev_h @ Wh + b", {"bias": False}),
    Mistake("interleaved gates", "the gates are four contiguous blocks of H columns "
            "(a[:, :H], a[:, H:2H], ...), not every fourth column", {"split": "interleaved"}),
] + [Mistake(f"gate order {''.join(p)}", _order_hint("".join(p)), {"order": "".join(p)})
     for p in permutations(CORRECT_ORDER) if "".join(p) != CORRECT_ORDER]


OUTPUTS_SWAPPED = Mistake("outputs swapped", "return (next_h, next_c, cache) in this order",
                          {"swap": True})


def step_forward_outputs(inputs, **options):
    """(next_h, next_c) of the step variant on ``inputs`` (x, prev_h, prev_c, Wx, Wh, b)."""
    v = lstm_step_variant(*inputs, **options)
    return {"next_h": v["next_h"], "next_c": v["next_c"]}


# ---------------------------------------------------------------- forward, sequence
def lstm_forward_variant(x, h0, Wx, Wh, b, c0=None, carry_c=True, carry_h=True,
                         store="next_h", **step_options):
    """lstm_forward with optional mistakes in the time loop (and in every step). h: (N, T, H)."""
    N, T, _ = x.shape
    c0 = np.zeros_like(h0) if c0 is None else c0
    prev_h, prev_c = h0, c0
    h = np.zeros((N, T, h0.shape[1]))
    for t in range(T):
        v = lstm_step_variant(x[:, t], prev_h, prev_c, Wx, Wh, b, **step_options)
        h[:, t] = {"next_h": v["next_h"], "prev_h": prev_h, "next_c": v["next_c"]}[store]
        prev_h = v["next_h"] if carry_h else h0
        prev_c = v["next_c"] if carry_c else c0
    return h


SEQUENCE_FORWARD_MISTAKES = [
    Mistake("c not carried", "carry the cell state from step to step: the next_c of step t "
            "is the prev_c of step t + 1 (yours restarts from c0 every step)", {"carry_c": False}),
    Mistake("h not carried", "carry the hidden state from step to step: the next_h of step t "
            "is the prev_h of step t + 1 (yours reuses h0 every step)", {"carry_h": False}),
    Mistake("stores prev_h", "h[:, t] must hold the state *after* step t (next_h); yours is "
            "shifted by one step (it stores prev_h)", {"store": "prev_h"}),
    Mistake("stores next_c", "h holds the hidden states next_h, not the cell states next_c",
            {"store": "next_c"}),
]


C0_IGNORED = Mistake("c0 ignored", "start the cell state from c0 when it is given (zeros only "
                     "when c0 is None)", {"c0": None})


# ---------------------------------------------------------------- backward, one step
def lstm_step_backward_variant(dnext_h, dnext_c, x, prev_h, prev_c, Wx, Wh, b,
                               order=CORRECT_ORDER, c_from_h=True, dtanh="1-tanh(c)^2",
                               use_dnext_c=True, dprev_c="dc*f", df_state="prev_c",
                               do_state="tanh_c", gate_deriv="s(1-s)", g_deriv="1-g^2",
                               dWh_state="prev_h", swap_dprev=False):
    """The LSTM step backward with optional mistakes, from the step's inputs.

    Returns a dict with dx, dprev_h, dprev_c, dWx, dWh, db. The defaults are correct.
    """
    v = lstm_step_variant(x, prev_h, prev_c, Wx, Wh, b)
    i, f, g, o, c, tanh_c = (v[k] for k in ("i", "f", "g", "o", "next_c", "tanh_c"))
    dtanh_c = {"1-tanh(c)^2": 1 - tanh_c**2, "1-c^2": 1 - c**2, "1-tanh(c)": 1 - tanh_c}[dtanh]
    dc = dnext_c if use_dnext_c else np.zeros_like(dnext_c)
    if c_from_h:
        dc = dc + dnext_h * o * dtanh_c
    gate = {"s(1-s)": lambda s: s * (1 - s), "1-s^2": lambda s: 1 - s**2,
            "1": lambda s: np.ones_like(s)}[gate_deriv]
    dg_local = {"1-g^2": 1 - g**2, "g(1-g)": g * (1 - g), "1": np.ones_like(g)}[g_deriv]
    da = {"i": dc * g * gate(i),
          "f": dc * {"prev_c": prev_c, "next_c": c}[df_state] * gate(f),
          "g": dc * i * dg_local,
          "o": dnext_h * {"tanh_c": tanh_c, "next_c": c}[do_state] * gate(o)}
    da = np.concatenate([da[k] for k in order], axis=1)  # (N, 4H)
    grads = {
        "dx": da @ Wx.T,
        "dprev_h": da @ Wh.T,
        "dprev_c": {"dc*f": dc * f, "dc": dc, "dnext_c*f": dnext_c * f}[dprev_c],
        "dWx": x.T @ da,
        "dWh": {"prev_h": prev_h, "next_h": v["next_h"]}[dWh_state].T @ da,
        "db": da.sum(axis=0),
    }
    if swap_dprev:
        grads["dprev_h"], grads["dprev_c"] = grads["dprev_c"], grads["dprev_h"]
    return grads


_C_PATH = ("next_h = o * tanh(next_c) depends on next_c too: the gradient reaching the cell is "
           "dc = dnext_c + dnext_h * o * (1 - tanh(next_c)**2)")
STEP_BACKWARD_MISTAKES = [
    Mistake("o * (1 - tanh^2(c)) path missing", f"{_C_PATH}; yours uses dnext_c alone",
            {"c_from_h": False}),
    Mistake("dnext_c ignored", f"{_C_PATH}; yours leaves out dnext_c (the gradient that "
            "arrives from the next step's cell)", {"use_dnext_c": False}),
    Mistake("tanh derivative of c", "the derivative of tanh(next_c) is "
            "1 - tanh(next_c)**2, not 1 - next_c**2", {"dtanh": "1-c^2"}),
    Mistake("tanh derivative not squared", "the derivative of tanh(next_c) is "
            "1 - tanh(next_c)**2 (squared)", {"dtanh": "1-tanh(c)"}),
    Mistake("f missing in dprev_c", "next_c = f * prev_c + i * g, so dprev_c = dc * f "
            "(yours passes dc through unchanged)", {"dprev_c": "dc"}),
    Mistake("dprev_c from dnext_c only", "dprev_c = dc * f where dc is the *total* gradient "
            "at next_c (dnext_c plus the path through next_h); yours uses dnext_c * f",
            {"dprev_c": "dnext_c*f"}),
    Mistake("forget gate with next_c", "next_c = f * prev_c + i * g, so the forget gate's "
            "gradient is dc * prev_c (not next_c) times f * (1 - f)", {"df_state": "next_c"}),
    Mistake("output gate without tanh", "next_h = o * tanh(next_c), so the output gate's "
            "gradient is dnext_h * tanh(next_c) times o * (1 - o)", {"do_state": "next_c"}),
    Mistake("sigmoid derivative", "the derivative of a sigmoid gate s is s * (1 - s) "
            "(yours uses 1 - s**2, the tanh derivative)", {"gate_deriv": "1-s^2"}),
    Mistake("g derivative", "g = tanh(a_g), so its derivative is 1 - g**2 (yours uses the "
            "sigmoid's g * (1 - g))", {"g_deriv": "g(1-g)"}),
    Mistake("activation derivatives missing", "go back through the activations: multiply the "
            "gradients of i, f, o by s * (1 - s) and that of g by 1 - g**2 to get da",
            {"gate_deriv": "1", "g_deriv": "1"}),
    Mistake("dWh with next_h", "a = x @ Wx + prev_h @ Wh + b, so dWh = prev_h.T @ da "
            "(yours uses next_h)", {"dWh_state": "next_h"}),
    Mistake("dprev_h and dprev_c swapped", "return (dx, dprev_h, dprev_c, dWx, dWh, db) in "
            "this order: your dprev_h and dprev_c are swapped", {"swap_dprev": True}),
] + [Mistake(f"gate order {''.join(p)}", _order_hint("".join(p), "stacks da_i, da_f, da_g, da_o"),
             {"order": "".join(p)})
     for p in permutations(CORRECT_ORDER) if "".join(p) != CORRECT_ORDER]


# ---------------------------------------------------------------- backward, sequence
def lstm_backward_variant(dh, x, h0, Wx, Wh, b, c0=None, carry_dh=True, carry_dc=True,
                          accumulate=True, reverse=True, dh0="dprev_h", **step_options):
    """lstm_backward with optional mistakes in the time loop (and in every step).

    Returns a dict with dx (N, T, D), dh0 (N, H), dWx, dWh, db.
    """
    N, T, _ = x.shape
    prev_h = h0
    prev_c = np.zeros_like(h0) if c0 is None else c0
    steps = []  # the inputs of every step, from a correct forward pass
    for t in range(T):
        steps.append((x[:, t], prev_h, prev_c))
        v = lstm_step_variant(x[:, t], prev_h, prev_c, Wx, Wh, b)
        prev_h, prev_c = v["next_h"], v["next_c"]
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh_carry, dc_carry = np.zeros_like(h0), np.zeros_like(h0)
    for t in (reversed(range(T)) if reverse else range(T)):
        xt, ph, pc = steps[t]
        grads = lstm_step_backward_variant(dh[:, t] + dh_carry, dc_carry, xt, ph, pc, Wx, Wh, b,
                                           **step_options)
        dx[:, t] = grads["dx"]
        if accumulate:
            dWx, dWh, db = dWx + grads["dWx"], dWh + grads["dWh"], db + grads["db"]
        else:
            dWx, dWh, db = grads["dWx"], grads["dWh"], grads["db"]
        dh_carry = grads["dprev_h"] if carry_dh else np.zeros_like(h0)
        dc_carry = grads["dprev_c"] if carry_dc else np.zeros_like(h0)
    first = {"dprev_h": dh_carry, "dh[:, 0]": dh[:, 0]}[dh0]
    return {"dx": dx, "dh0": first, "dWx": dWx, "dWh": dWh, "db": db}


SEQUENCE_BACKWARD_MISTAKES = [
    Mistake("dh not carried", "h_t feeds step t + 1, so its gradient is dh[:, t] plus the "
            "dprev_h returned by step t + 1: add them before calling the step backward",
            {"carry_dh": False}),
    Mistake("dc not carried", "the cell state flows from step to step: pass the dprev_c of "
            "step t + 1 as dnext_c of step t (yours restarts from zero)", {"carry_dc": False}),
    Mistake("weights overwritten", "the same weights are used at every step: accumulate "
            "dWx, dWh, db over time (+=), do not overwrite them", {"accumulate": False}),
    Mistake("time runs forward", "backpropagation through time walks backwards: "
            "for t in reversed(range(T))", {"reverse": False}),
    Mistake("dh0 is dh[:, 0]", "dh0 is the gradient with respect to the initial state h0: the "
            "dprev_h returned by step 0, not dh[:, 0]", {"dh0": "dh[:, 0]"}),
]


# ---------------------------------------------------------------- RNN gradient norms
def rnn_gradient_norms_variant(h, Wh, dh_last, dtanh="1-h^2", transpose=True, shift=0,
                               norm="frobenius", reverse=False):
    """Norm of dL/dh_{T-1-k} for k = 0..T-1 through a tanh RNN, with optional mistakes. (T,)"""
    T = h.shape[1]
    grad = dh_last
    norms = np.zeros(T)
    measure = {"frobenius": np.linalg.norm, "squared": lambda a: np.sum(a**2),
               "mean per sequence": lambda a: np.linalg.norm(a, axis=1).mean()}[norm]
    norms[0] = measure(grad)
    for k in range(1, T):
        h_t = h[:, max(T - k - shift, 0)]  # the state whose tanh we go back through
        local = {"1-h^2": 1 - h_t**2, "none": 1.0, "1-tanh(h)^2": 1 - np.tanh(h_t)**2,
                 "1-h": 1 - h_t}[dtanh]
        grad = (grad * local) @ (Wh.T if transpose else Wh)
        norms[k] = measure(grad)
    return norms[::-1] if reverse else norms


GRADIENT_NORM_MISTAKES = [
    Mistake("tanh derivative missing", "each step back goes through the tanh first: "
            "multiply by 1 - h_t**2 before the product with Wh.T", {"dtanh": "none"}),
    Mistake("tanh applied twice", "h_t is already tanh(a_t), so the derivative is "
            "1 - h_t**2, not 1 - tanh(h_t)**2", {"dtanh": "1-tanh(h)^2"}),
    Mistake("derivative not squared", "the derivative of tanh is 1 - h_t**2 (squared)",
            {"dtanh": "1-h"}),
    Mistake("Wh not transposed", "h_t = tanh(x_t @ Wx + h_prev @ Wh + b) in row-vector form, "
            "so the gradient goes back through Wh.T: (grad * (1 - h_t**2)) @ Wh.T",
            {"transpose": False}),
    Mistake("derivative one step off", "going from h_t back to h_(t-1) uses the derivative "
            "at h_t, i.e. h[:, t], not h[:, t - 1]", {"shift": 1}),
    Mistake("squared norm", "report the norm np.linalg.norm(grad) (square root of the sum of "
            "squares), not the sum of squares", {"norm": "squared"}),
    Mistake("norm per sequence", "take one norm over the whole (N, H) gradient "
            "(np.linalg.norm(grad)), not the mean of per-sequence norms",
            {"norm": "mean per sequence"}),
    Mistake("reversed", "norms[k] is for the time lag k: norms[0] is the last step, "
            "norms[T - 1] the first; yours is reversed", {"reverse": True}),
]


# ---------------------------------------------------------------- clipping by global norm
def clip_variant(grads, max_norm, norm="global", always=False, ratio="max/norm",
                 returns="before"):
    """Clip a list of arrays by their global norm, with optional mistakes.

    Returns (clipped arrays, the norm the function returns).
    """
    squares = [float(np.sum(g**2)) for g in grads]
    total = {"global": np.sqrt(sum(squares)), "squared": sum(squares),
             "sum of norms": sum(np.sqrt(s) for s in squares)}.get(norm)
    if norm == "per array":
        scales = [min(1.0, max_norm / np.sqrt(s)) for s in squares]
        clipped = [g * s for g, s in zip(grads, scales)]
        return clipped, float(np.sqrt(sum(squares)))
    if norm == "by value":
        clipped = [np.clip(g, -max_norm, max_norm) for g in grads]
        return clipped, float(np.sqrt(sum(squares)))
    scale = max_norm / total if ratio == "max/norm" else total / max_norm
    if not always:
        scale = min(scale, 1.0) if ratio == "max/norm" else (scale if total > max_norm else 1.0)
    clipped = [g * scale for g in grads]
    after = float(np.sqrt(sum(float(np.sum(g**2)) for g in clipped)))
    return clipped, {"before": float(total), "after": after}[returns]


CLIP_MISTAKES = [
    Mistake("per-array clipping", "clip by the *global* norm: one norm over all gradients "
            "together, sqrt(sum of every squared entry), and one scale for all of them "
            "(yours clips each array on its own, which changes the update's direction)",
            {"norm": "per array"}),
    Mistake("clip by value", "clip the norm, not each entry: np.clip changes the "
            "direction of the update", {"norm": "by value"}),
    Mistake("no square root", "the global norm is the square root of the sum of squares",
            {"norm": "squared"}),
    Mistake("sum of norms", "the global norm is sqrt(sum of squares over every entry), "
            "not the sum of the arrays' norms", {"norm": "sum of norms"}),
    Mistake("always scaled", "only scale when the norm exceeds max_norm: smaller gradients "
            "must stay unchanged (yours scales them up)", {"always": True}),
    Mistake("inverted ratio", "the scale is max_norm / norm (< 1 when clipping), "
            "not norm / max_norm", {"ratio": "norm/max"}),
    Mistake("returns the clipped norm", "return the norm *before* clipping (as "
            "torch.nn.utils.clip_grad_norm_ does): it is what you monitor for explosions",
            {"returns": "after"}),
]


# ---------------------------------------------------------------- 05: one training step
# variants: torch_cell.reference_train_step
TRAIN_STEP_MISTAKES = [
    Mistake("no zero_grad", "gradients add up across calls: call optimizer.zero_grad() "
            "before loss.backward()", {"zero_grad": False}),
    Mistake("no clipping", "the gradient was not clipped: call "
            "torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm) after backward, "
            "before optimizer.step()", {"clip": None}),
    Mistake("clip by value", "clip the global norm (clip_grad_norm_), not each value "
            "(clip_grad_value_)", {"clip": "value"}),
    Mistake("no step", "the parameters did not move: call optimizer.step() after "
            "loss.backward() (and zero_grad before backward, not between them)", {"step": False}),
]


# ---------------------------------------------------------------- 06: evaluation, confusion matrix
# variants: mnist_rows.reference_evaluate, mnist_rows.reference_confusion_matrix
EVALUATE_MISTAKES = [
    Mistake("mean of batch means", "that is the mean of the per-batch means: a smaller last "
            "batch must count less; sum over sequences, divide by N at the end",
            {"average": "of batch means"}),
    Mistake("not divided", "yours is N times too big: divide the total by the number of "
            "sequences", {"average": None}),
]

CONFUSION_MISTAKES = [
    Mistake("rows and columns swapped", "rows and columns are swapped: row = the true label, "
            "column = the prediction, matrix[label, predicted]", {"rows": "predicted"}),
    Mistake("repeated pairs counted once", "matrix[labels, predicted] += 1 counts a repeated "
            "pair only once: np.add.at(matrix, (labels, predicted), 1) adds one for every "
            "example", {"count": "fancy index"}),
]


# ---------------------------------------------------------------- 07: padding a batch
# variants: imdb_sentiment.pad_batch_variant
PAD_MISTAKES = [
    Mistake("left padding", "right-pad: each sequence starts at step 0 and the padding follows "
            "it (the course's encoders and masks assume right padding)", {"side": "left"}),
    Mistake("last tokens kept", "long sequences keep their last max_len tokens: keep the first "
            "max_len tokens, sequence[:max_len]", {"keep": "last"}),
    Mistake("padded to max_len", "pad to the longest kept sequence, not always to max_len: "
            "shorter batches cost less", {"width": "max_len"}),
    Mistake("lengths not capped", "cap the lengths at max_len: they count the tokens kept, "
            "which is what the mask and the pooling need", {"lengths": "uncapped"}),
    Mistake("mask inverted", "the mask is inverted: True marks the real tokens, False the "
            "padding", {"marks": "padding"}),
    Mistake("transposed", "the batch is (N, T): one row per sequence", {"layout": "(T, N)"}),
]


# ---------------------------------------------------------------- 08: the language model
# variants: ptb_word_lm.reference_perplexity, reference_train_epoch,
# reference_next_token_probs, reference_evaluate_perplexity (batchify's mistakes:
# the_data.batchify_mistakes, shared with 04)
PERPLEXITY_MISTAKES = [
    Mistake("mean of batch means", "every token must weigh the same: divide the *total* "
            "log-probability by the *total* number of tokens, not average the batches' means",
            {"average": "of batch means"}),
    Mistake("mean of batch perplexities", "do not average the batches' perplexities: sum the "
            "log-probabilities and the token counts over all batches, then take exp once",
            {"average": "batch perplexities"}),
    Mistake("not divided", "divide by the number of tokens: perplexity is exp of the *mean* "
            "negative log-probability per token", {"average": None}),
    Mistake("sign", "mind the sign: log-probabilities are negative, perplexity is "
            "exp(-mean log p) >= 1", {"sign": 1.0}),
    Mistake("base 2", "the log-probabilities are natural logs (nats): use exp, not 2 ** "
            "(2 ** goes with log base 2, i.e. bits)", {"base": 2.0}),
    Mistake("no exp", "that is the cross-entropy in nats; perplexity is exp of it",
            {"exponentiate": False}),
]
TRAIN_EPOCH_MISTAKES = [
    Mistake("state reset", "carry the state from one window to the next: start from "
            "model.init_state(N) once per pass, not in every window", {"carry_state": False}),
    Mistake("mean per token", "Zaremba's loss is summed over the T steps and averaged over the "
            "N streams: cross_entropy(..., reduction='sum') / N", {"loss_per": "token"}),
    Mistake("no zero_grad", "call optimizer.zero_grad() before each backward: otherwise the "
            "gradients of earlier windows accumulate", {"zero_grad": False}),
]
SAMPLING_MISTAKES = [
    Mistake("top_k ignored", "keep only the top_k largest logits (set the others to -inf "
            "before softmax)", {"use_top_k": False}),
    Mistake("multiplied by the temperature", "divide the logits by the temperature (a high "
            "temperature flattens)", {"scale": "multiply"}),
]
LM_EVALUATE_MISTAKES = [
    Mistake("reset ignored", "with carry_state=False, start *every* window from "
            "model.init_state(N), not only the first one", {"state": "always carried"}),
    Mistake("never carried", "with carry_state=True, each window starts from the state the "
            "previous one ended with: keep the state that model(inputs, state) returns",
            {"state": "always reset"}),
    Mistake("mean of window perplexities", "do not average the windows' perplexities: add "
            "up the log-probabilities and the targets of all windows, then your perplexity",
            {"average": "batch perplexities"}),
    Mistake("mean of window means", "every word must weigh the same (the last window is "
            "shorter): divide the total log-probability by the total number of targets",
            {"average": "of batch means"}),
]


# ---------------------------------------------------------------- 10: masked attention pooling
# variants: sst5_attention.reference_attention_pooling
NO_MASK = Mistake("no mask", "the padded steps get weight: set their scores to -inf before "
                  "the softmax (scores.masked_fill(~mask, float('-inf')))", {"masking": None})
ATTENTION_MISTAKES = [
    NO_MASK,
    Mistake("mask after the softmax", "zeroing the weights after the softmax leaves them "
            "summing to less than 1: mask the scores before the softmax",
            {"masking": "weights after softmax"}),
    Mistake("zero scores", "a score of 0 is not 'no weight' (exp(0) = 1): padded scores must "
            "be -inf, not 0", {"masking": "zero scores"}),
    Mistake("softmax over the batch", "the softmax runs over the batch: use dim=1, the time "
            "steps of each sequence", {"softmax_dim": 0}),
]


# ---------------------------------------------------------------- 12: the GRU step
# variants: lstm_variants.gru_step_variant, lstm_variants.gru_step_backward_variant
GRU_ORDER = "rzn"
GRU_NAMED_ORDERS = {"zrn": " (Keras's order: update, reset, candidate)"}


def _gru_order_hint(order, verb="reads the blocks"):
    return (f"your code {verb} in the order {', '.join(order)}"
            f"{GRU_NAMED_ORDERS.get(order, '')}; this course stacks them like torch.nn.GRU, "
            "r, z, n: a[:, :H] is r, a[:, H:2H] z, a[:, 2H:] n")


_GRU_ORDERS = ["".join(p) for p in permutations(GRU_ORDER) if "".join(p) != GRU_ORDER]
GRU_FORWARD_MISTAKES = [
    Mistake("Cho's reset", "you wrote Cho et al.'s original GRU, where r multiplies prev_h "
            "before the product with Wh_n; this course follows PyTorch: r multiplies the whole "
            "recurrent n block, (prev_h @ Wh_n + bh_n), after the product",
            {"reset": "(r*prev_h)@Wh_n"}),
    Mistake("reset without the bias", "r multiplies the recurrent n block bias included, "
            "r * (prev_h @ Wh_n + bh_n); yours adds bh_n outside the product with r",
            {"reset": "r*(prev_h@Wh_n)"}),
    Mistake("no reset", "the reset gate is computed but not used: it scales the recurrent n "
            "block inside the tanh of n", {"reset": "none"}),
    Mistake("blend swapped", "z is the share of the *old* state that is kept: next_h blends "
            "n with weight 1 - z and prev_h with weight z (yours swaps z and 1 - z)",
            {"blend": "z*n+(1-z)*prev_h"}),
    Mistake("old state dropped", "the new state keeps the share z of prev_h: add z * prev_h",
            {"blend": "(1-z)*n"}),
    Mistake("tanh on the gates", "r and z are gates: sigmoids, with values in (0, 1)",
            {"gate_act": "tanh"}),
    Mistake("sigmoid on n", "the candidate n is a tanh (values in (-1, 1)), not a sigmoid",
            {"n_act": "sigmoid"}),
    Mistake("input bias missing", "PyTorch's GRU has two biases: add bx to x @ Wx",
            {"input_bias": False}),
    Mistake("hidden bias missing", "PyTorch's GRU has two biases: add bh to prev_h @ Wh (the "
            "n block's bh_n is then scaled by r)", {"hidden_bias": False}),
] + [Mistake(f"gate order {order}", _gru_order_hint(order), {"order": order})
     for order in _GRU_ORDERS]

GRU_BACKWARD_MISTAKES = [
    Mistake("r missing on the recurrent n block", "r multiplies the recurrent block ah_n inside "
            "n, so the gradient that reaches ah_n is r times the gradient of n's pre-activation; "
            "yours leaves r out, so the n blocks of dWh and dbh, and dprev_h, are off",
            {"reset_scales": "none"}),
    Mistake("r on the input side too", "r multiplies only the recurrent block ah_n: the input "
            "block ax_n receives the gradient of n's pre-activation unscaled, so dx, dWx and dbx "
            "carry no r", {"reset_scales": "both"}),
    Mistake("r on the wrong side", "r scales the *recurrent* n block: it belongs in the n "
            "block of dah (h side), not of dax (x side)", {"reset_scales": "x side"}),
    Mistake("blend sign swapped", "next_h = (1 - z) * n + z * prev_h weighs n by 1 - z and "
            "prev_h by z; yours differentiates z * n + (1 - z) * prev_h",
            {"blend": "z*n+(1-z)*prev_h"}),
    Mistake("dz sign", "z weighs prev_h and 1 - z weighs n, so d next_h / dz = prev_h - n; "
            "yours has n - prev_h", {"dz_sign": -1.0}),
    Mistake("tanh derivative missing", "n is a tanh: multiply its gradient by the tanh's "
            "derivative, 1 - n**2 (from the cached n), before it enters the pre-activation",
            {"n_deriv": "1"}),
    Mistake("tanh derivative of a sigmoid", "n is a tanh, so its derivative is 1 - n**2, "
            "not the sigmoid's n * (1 - n)", {"n_deriv": "n(1-n)"}),
    Mistake("tanh derivative not squared", "the tanh's derivative is 1 - n**2 (squared)",
            {"n_deriv": "1-n"}),
    Mistake("sigmoid derivative missing", "r and z are sigmoids: multiply their gradients by "
            "r * (1 - r) and z * (1 - z) to reach their pre-activations", {"gate_deriv": "1"}),
    Mistake("sigmoid derivative of a tanh", "the derivative of a sigmoid gate s is s * (1 - s) "
            "(yours uses 1 - s**2, the tanh's)", {"gate_deriv": "1-s^2"}),
    Mistake("dr skips the tanh", "r sits inside the tanh of n: its gradient is the gradient of "
            "n's *pre-activation* (after the factor 1 - n**2) times ah_n", {"dr_from": "dn"}),
    Mistake("Cho's derivation", "you derived Cho et al.'s GRU, where r multiplies prev_h before "
            "the product; in PyTorch's, r multiplies ah_n = prev_h @ Wh_n + bh_n (in the "
            "cache): dr is the n pre-activation's gradient times ah_n, and ah_n receives that "
            "gradient times r", {"formulation": "cho"}),
    Mistake("direct path missing", "prev_h reaches next_h directly, through z * prev_h: "
            "dprev_h needs that term besides the paths through Wh", {"direct_path": False}),
    Mistake("recurrent path missing", "prev_h also feeds the three recurrent blocks "
            "ah = prev_h @ Wh + bh: add their gradient, through Wh.T, to dprev_h",
            {"recurrent_path": None}),
    Mistake("gate paths missing in dprev_h", "prev_h feeds the gates r and z as well as n: "
            "dprev_h takes the gradient of all three recurrent blocks back through Wh.T "
            "(yours only the n block's)", {"recurrent_path": "n only"}),
    Mistake("dbx and dbh swapped", "return (dx, dprev_h, dWx, dWh, dbx, dbh) in this order: "
            "your dbx and dbh are swapped", {"swap_biases": True}),
] + [Mistake(f"gate order {order}", _gru_order_hint(order, "stacks the blocks of da"),
             {"order": order}) for order in _GRU_ORDERS]
