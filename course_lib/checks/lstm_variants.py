"""Checkers for practice notebook 12: the GRU step, forward and backward (the backward derived
by the student).

``check_gru_step_forward(fn)`` and ``check_gru_step_backward(fn)`` call ``fn`` on fixed float64
inputs and compare it with the course's :mod:`course_lib.numpy_core.variants` (PyTorch's
formulation, gate blocks r, z, n) and, for the backward, with numerical gradients. Each prints
``PASS`` or the most specific diagnosis it can find, and returns True or False: a wrong shape or
dtype, an input changed in place, which output is off and by how much, and the hint of each
classic mistake (``mistakes.GRU_FORWARD_MISTAKES``, ``mistakes.GRU_BACKWARD_MISTAKES``) whose
output the student's matches. Each mistake is *computed*: :func:`gru_step_variant` and
:func:`gru_step_backward_variant` are the correct step with keyword options whose defaults are
correct, and an option set computes one mistake.

Dimension letters: N sequences, D inputs, H hidden units; by default N = 3, D = 6, H = 4 (all
different, so that a shape names its mistake); ``shape=(N, D, H)`` draws other sizes.
"""

from __future__ import annotations

import numpy as np

from course_lib.checks import mistakes as m
from course_lib.checks._arrays import TOL, D, H, N, array_outputs, compare, numerical_gradients
from course_lib.checks.report import Report, diagnose
from course_lib.numpy_core.gradcheck import rel_error
from course_lib.numpy_core.lstm import sigmoid
from course_lib.numpy_core.variants import gru_step_backward, gru_step_forward

CORRECT_ORDER = "rzn"
CACHE_FIELDS = ("x", "prev_h", "Wx", "Wh", "r", "z", "n", "ah_n")
BACKWARD_NAMES = ["dx", "dprev_h", "dWx", "dWh", "dbx", "dbh"]


def gru_inputs(seed=0, shape=(N, D, H)):
    """Fixed float64 inputs of one GRU step: (x, prev_h, Wx, Wh, bx, bh).

    x (N, D), prev_h (N, H), Wx (D, 3H), Wh (H, 3H), bx, bh (3H,), blocks r, z, n.
    """
    n_seq, d_in, h_dim = shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_seq, d_in))
    prev_h = rng.standard_normal((n_seq, h_dim))
    Wx = 0.4 * rng.standard_normal((d_in, 3 * h_dim))
    Wh = 0.4 * rng.standard_normal((h_dim, 3 * h_dim))
    bx = 0.5 * rng.standard_normal(3 * h_dim)
    bh = 0.5 * rng.standard_normal(3 * h_dim)
    return x, prev_h, Wx, Wh, bx, bh


def _shapes(shape):
    n_seq, d_in, h_dim = shape
    return {"dx": ((n_seq, d_in), "(N, D)"), "dprev_h": ((n_seq, h_dim), "(N, H)"),
            "dWx": ((d_in, 3 * h_dim), "(D, 3H)"), "dWh": ((h_dim, 3 * h_dim), "(H, 3H)"),
            "dbx": ((3 * h_dim,), "(3H,)"), "dbh": ((3 * h_dim,), "(3H,)")}


# ---------------------------------------------------------------- forward, with its mistakes
def gru_step_variant(x, prev_h, Wx, Wh, bx, bh, order=CORRECT_ORDER, reset="r*ah_n",
                     blend="(1-z)*n+z*prev_h", gate_act="sigmoid", n_act="tanh",
                     input_bias=True, hidden_bias=True):
    """The GRU step with optional mistakes; a dict with r, z, n, ah_n, next_h (each (N, H)).

    The defaults are correct (PyTorch's formulation); ``order`` is how the blocks are read.
    """
    acts = {"sigmoid": sigmoid, "tanh": np.tanh}
    ax = x @ Wx + (bx if input_bias else 0)  # (N, 3H)
    ah_nobias = prev_h @ Wh  # (N, 3H)
    ah = ah_nobias + (bh if hidden_bias else 0)
    blocks_x = dict(zip(order, np.split(ax, 3, axis=1)))
    blocks_h = dict(zip(order, np.split(ah, 3, axis=1)))
    r = acts[gate_act](blocks_x["r"] + blocks_h["r"])
    z = acts[gate_act](blocks_x["z"] + blocks_h["z"])
    ah_n = blocks_h["n"]
    Wh_n = dict(zip(order, np.split(Wh, 3, axis=1)))["n"]
    bh_n = dict(zip(order, np.split(bh if hidden_bias else np.zeros_like(bh), 3)))["n"]
    recurrent = {"r*ah_n": lambda: r * ah_n,
                 "(r*prev_h)@Wh_n": lambda: (r * prev_h) @ Wh_n + bh_n,  # Cho et al.'s
                 "r*(prev_h@Wh_n)": lambda: r * (prev_h @ Wh_n) + bh_n,
                 "none": lambda: ah_n}[reset]()
    n = acts[n_act](blocks_x["n"] + recurrent)
    next_h = {"(1-z)*n+z*prev_h": lambda: (1 - z) * n + z * prev_h,
              "z*n+(1-z)*prev_h": lambda: z * n + (1 - z) * prev_h,
              "(1-z)*n": lambda: (1 - z) * n}[blend]()
    return {"r": r, "z": z, "n": n, "ah_n": ah_n, "next_h": next_h}


def check_gru_step_forward(fn, seed=0, shape=(N, D, H)):
    """Check ``fn(x, prev_h, Wx, Wh, bx, bh) -> (next_h, cache)`` (inputs drawn with ``seed``
    in ``shape`` = (N, D, H)); the cache must follow the course's layout (see CACHE_FIELDS)."""
    report = Report("gru_step_forward")
    report.forbid(fn, gru_step_forward)
    inputs = gru_inputs(seed, shape)
    names, shapes = ["next_h", "cache"], {"next_h": ((shape[0], shape[2]), "(N, H)")}
    outputs = array_outputs(report, fn, inputs, names, shapes)
    if outputs is None:
        return report.done("")
    next_h, cache = gru_step_forward(*inputs)
    reference = {"next_h": next_h}
    errors = compare(report, outputs, reference)
    if errors["next_h"] > TOL:
        diagnose(report, outputs, reference, m.GRU_FORWARD_MISTAKES,
                 lambda **options: {"next_h": gru_step_variant(*inputs, **options)["next_h"]})
        return report.done("")
    _check_cache(report, outputs["cache"], cache)
    array_outputs(report, fn, [a.astype(np.float32) for a in inputs], names, shapes, np.float32)
    return report.done(f"next_h matches the reference, relative error {errors['next_h']:.1e}; "
                       "the cache has the course's layout; float32 stays float32")


def _check_cache(report, cache, reference):
    """A problem for each entry of the student's cache that is not the course's."""
    layout = "cache = (" + ", ".join(CACHE_FIELDS) + ")"
    if not isinstance(cache, (tuple, list)) or len(cache) != len(CACHE_FIELDS):
        got = f"{len(cache)} entries" if isinstance(cache, (tuple, list)) else \
            type(cache).__name__
        report.problem(f"the cache should hold {len(CACHE_FIELDS)} entries, got {got}",
                       f"exercise 2 reads the course's layout: {layout}")
        return
    wrong = [name for name, mine, ref in zip(CACHE_FIELDS, cache, reference)
             if np.shape(mine) != np.shape(ref) or rel_error(np.asarray(mine), ref) > TOL]
    if wrong:
        report.problem(f"cache entries {', '.join(wrong)} are not what the course stores",
                       f"{layout}, where ah_n is the recurrent n block, prev_h @ Wh_n + bh_n, "
                       "before the reset gate multiplies it")


# ---------------------------------------------------------------- backward, with its mistakes
def gru_step_backward_variant(dnext_h, x, prev_h, Wx, Wh, bx, bh, order=CORRECT_ORDER,
                              reset_scales="h side", blend="(1-z)*n+z*prev_h", dz_sign=1.0,
                              n_deriv="1-n^2", gate_deriv="s(1-s)", dr_from="dan",
                              formulation="pytorch", direct_path=True, recurrent_path="all",
                              swap_biases=False):
    """The backward of one GRU step with optional mistakes, from a correct forward pass.

    Returns a dict dx (N, D), dprev_h (N, H), dWx (D, 3H), dWh (H, 3H), dbx, dbh (3H,). The
    defaults are correct; each option changes one step of the derivation (see
    ``mistakes.GRU_BACKWARD_MISTAKES``).
    """
    v = gru_step_variant(x, prev_h, Wx, Wh, bx, bh)
    r, z, n, ah_n = v["r"], v["z"], v["n"], v["ah_n"]
    # next_h = (1 - z) * n + z * prev_h: the three local derivatives
    if blend == "(1-z)*n+z*prev_h":
        dn, dz, direct = dnext_h * (1 - z), dnext_h * (prev_h - n), dnext_h * z
    else:  # the blend read as z * n + (1 - z) * prev_h
        dn, dz, direct = dnext_h * z, dnext_h * (n - prev_h), dnext_h * (1 - z)
    dz = dz_sign * dz
    dtanh = {"1-n^2": 1 - n**2, "1": np.ones_like(n), "n(1-n)": n * (1 - n), "1-n": 1 - n}
    dan = dn * dtanh[n_deriv]  # the gradient of n's pre-activation
    gate = {"s(1-s)": lambda s: s * (1 - s), "1": np.ones_like, "1-s^2": lambda s: 1 - s**2}
    Wh_n = np.split(Wh, 3, axis=1)[2]
    if formulation == "cho":  # n = tanh(ax_n + (r * prev_h) @ Wh_n + bh_n)
        drh = dan @ Wh_n.T  # the gradient of r * prev_h
        dr = drh * prev_h
    else:
        dr = {"dan": dan, "dn": dn}[dr_from] * ah_n
    dar, daz = dr * gate[gate_deriv](r), dz * gate[gate_deriv](z)
    dax_n, dah_n = {"h side": (dan, r * dan), "none": (dan, dan), "both": (r * dan, r * dan),
                    "x side": (r * dan, dan)}[reset_scales]
    if formulation == "cho":
        dah_n = dan
    blocks_x = {"r": dar, "z": daz, "n": dax_n}
    blocks_h = {"r": dar, "z": daz, "n": dah_n}
    dax = np.concatenate([blocks_x[k] for k in order], axis=1)  # (N, 3H)
    dah = np.concatenate([blocks_h[k] for k in order], axis=1)  # (N, 3H)
    dprev_h = direct if direct_path else np.zeros_like(direct)
    dWh = prev_h.T @ dah
    if formulation == "cho":  # the n block's product is (r * prev_h) @ Wh_n
        h_dim = prev_h.shape[1]
        dprev_h = dprev_h + dah[:, :2 * h_dim] @ Wh[:, :2 * h_dim].T + drh * r
        dWh[:, 2 * h_dim:] = (r * prev_h).T @ dan
    elif recurrent_path == "all":  # prev_h feeds all three blocks of ah
        dprev_h = dprev_h + dah @ Wh.T
    elif recurrent_path == "n only":  # the paths through the gates r and z left out
        dprev_h = dprev_h + dah_n @ Wh_n.T
    grads = {"dx": dax @ Wx.T, "dprev_h": dprev_h, "dWx": x.T @ dax, "dWh": dWh,
             "dbx": dax.sum(axis=0), "dbh": dah.sum(axis=0)}
    if swap_biases:
        grads["dbx"], grads["dbh"] = grads["dbh"], grads["dbx"]
    return grads


def check_gru_step_backward(fn, forward=gru_step_forward, seed=2, shape=(N, D, H)):
    """Check ``fn(dnext_h, cache) -> (dx, dprev_h, dWx, dWh, dbx, dbh)``.

    ``cache`` comes from ``forward`` (the course's ``gru_step_forward`` unless you pass yours);
    inputs drawn with ``seed`` in ``shape`` = (N, D, H).
    """
    report = Report("gru_step_backward")
    report.forbid(fn, gru_step_backward)
    inputs = gru_inputs(seed, shape)
    dnext_h = np.random.default_rng(seed + 1).standard_normal((shape[0], shape[2]))
    shapes = _shapes(shape)
    reference = dict(zip(BACKWARD_NAMES, gru_step_backward(dnext_h, gru_step_forward(*inputs)[1])))
    outputs = array_outputs(report, fn, (dnext_h, forward(*inputs)[1]), BACKWARD_NAMES, shapes)
    if outputs is None:
        return report.done("")
    numeric = numerical_gradients(lambda: np.sum(forward(*inputs)[0] * dnext_h),
                                  dict(zip(BACKWARD_NAMES, inputs)))
    errors = compare(report, outputs, reference, numeric)
    if max(errors.values()) > TOL:
        diagnose(report, outputs, reference, m.GRU_BACKWARD_MISTAKES,
                 lambda **options: gru_step_backward_variant(dnext_h, *inputs, **options))
        return report.done("")
    inputs32 = [a.astype(np.float32) for a in inputs]
    array_outputs(report, fn, (dnext_h.astype(np.float32), forward(*inputs32)[1]),
                  BACKWARD_NAMES, shapes, np.float32)
    worst = max(rel_error(outputs[k], numeric[k]) for k in BACKWARD_NAMES)
    return report.done(f"all six gradients match the reference, relative error "
                       f"{max(errors.values()):.1e}, and numerical gradients, {worst:.1e}")
