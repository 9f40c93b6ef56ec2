# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 12 · LSTM variants: the GRU, peepholes, coupled gates, and which parts matter
#
# The LSTM of notebooks 02 and 03 is one point in a family. Since 1997 people have added
# connections (peepholes), removed gates (the 1997 LSTM had no forget gate), tied gates together
# (CIFG) or replaced the cell by a lighter one (the GRU). Greff et al. (2017) asked the obvious
# question: which of these parts matter? In this notebook, we:
#
# 1. state each variant's idea and derive its equations: the **GRU**, the **peephole LSTM**, the
#    **coupled input–forget gate** (CIFG), and the ablations of Greff et al. (NFG, NIG, NOG,
#    NOAF, FGR);
# 2. count their parameters side by side;
# 3. check the NumPy backward passes of the GRU, the peephole LSTM and CIFG numerically
#    (float64, relative error below $10^{-7}$);
# 4. prove the NumPy GRU equal to `torch.nn.GRU`, outputs and every gradient, to $10^{-10}$;
# 5. compare all of them on two tasks, with several seeds, and say which differences from the
#    vanilla LSTM are larger than the seed noise, beside Greff et al.'s findings;
# 6. point at how to measure what each costs.
#
# It builds on notebook 03 (backward passes and gradient checks) and 05 (the PyTorch cells).

# %%
import course_lib  # noqa: F401, I001  (first: fast float settings before NumPy starts threads)

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_lib import active_profile
from course_lib.numpy_core.gradcheck import check_layer_gradients
from course_lib.numpy_core.variants import (
    cifg_step_backward,
    cifg_step_forward,
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
    parameter_counts,
    peephole_step_backward,
    peephole_step_forward,
)
from course_lib.plots import diagrams

print(f"profile: {active_profile()}, torch {torch.__version__}")

# %% [markdown]
# ## 1. The variants and their equations
#
# We keep the notation of notebook 02: $x_t$ is the input (N, D), $h_{t-1}$ and $c_{t-1}$ the
# previous hidden and cell states (N, H), and $a = x_t W_x + h_{t-1} W_h + b$ the
# pre-activations, split into blocks. The vanilla LSTM is
#
# $$i, f, o = \sigma(a_i, a_f, a_o), \quad g = \tanh(a_g), \quad
#   c_t = f \odot c_{t-1} + i \odot g, \quad h_t = o \odot \tanh(c_t).$$
#
# ### The GRU (Cho et al. 2014)
#
# **Idea.** The gated recurrent unit drops the separate cell state: $h_t$ itself is the memory.
# An *update gate* $z$ decides, per unit, how much of the old state to keep, and the rest is
# filled with a candidate $n$; a *reset gate* $r$ decides how much of the old state the candidate
# may look at. Keeping and writing are coupled ($z$ and $1 - z$), as in CIFG below, and there is
# no output gate: the whole state is exposed at every step. Three blocks instead of four.
#
# We use **PyTorch's formulation** (gate blocks r, z, n), so that the weights map one-to-one
# onto `torch.nn.GRU`. With two pre-activations $a^x = x_t W_x + b_x$ and
# $a^h = h_{t-1} W_h + b_h$, each (N, 3H):
#
# $$r = \sigma(a^x_r + a^h_r), \quad z = \sigma(a^x_z + a^h_z), \quad
#   n = \tanh\!\left(a^x_n + r \odot a^h_n\right), \quad h_t = (1 - z) \odot n + z \odot h_{t-1}.$$
#
# The reset gate multiplies $a^h_n = h_{t-1} W_{hn} + b_{hn}$, bias included. Cho et al. wrote
# $\tanh(x W + (r \odot h_{t-1}) U)$ instead: the reset is applied *before* the matrix product.
# The two are different functions; we follow PyTorch so that it can serve as our oracle.
#
# **Backward.** Not printed here: deriving it is the second exercise of this lecture's practice
# (`exercises/12_lstm_variants.ipynb`), with hints and a checker that recognises the classic
# mistakes. It is notebook 03's method on four equations: walk them in reverse, one local
# derivative at a time, and keep the two pre-activations $a^x$ and $a^h$ apart, because the
# reset gate acts on one of them only. The course's own `gru_step_backward` passes the gradient
# check below; the practice ends by measuring the GRU's "conveyor belt": how little one step
# changes the gradient on its way back to $h_{t-1}$ when $z$ is close to 1.

# %%
gru_picture = diagrams.gru_cell()
gru_picture

# %% [markdown]
# *The GRU cell: reset and update gates, the candidate $n$ that sees $r \odot (W_{hn} h_{t-1} +
# b_{hn})$, and the blend $h_t = (1 - z) \odot n + z \odot h_{t-1}$.*
#
# ### The peephole LSTM (Gers & Schmidhuber 2000)
#
# **Idea.** In the vanilla LSTM the gates see $x_t$ and $h_{t-1}$, but not the cell they
# control: when the output gate is closed, $h_{t-1}$ tells the gates nothing about $c$. Gers and
# Schmidhuber added *peephole* connections, one weight per unit (diagonal), from the cell to the
# gates, so that a gate can act on what is stored, e.g. to time an output precisely. The input
# and forget gates peek at $c_{t-1}$; the output gate, computed after the update, at $c_t$:
#
# $$i = \sigma(a_i + p_i \odot c_{t-1}), \quad f = \sigma(a_f + p_f \odot c_{t-1}), \quad
#   c_t = f \odot c_{t-1} + i \odot g, \quad o = \sigma(a_o + p_o \odot c_t).$$
#
# **Backward.** Three new paths. The output gate now depends on $c_t$, so the total gradient of
# the cell gets a third term, and $c_{t-1}$ gets two more, through $i$ and $f$:
#
# $$\text{da}_o = \delta \odot \tanh(c_t) \odot o(1 - o), \quad
#   dc = dc_{\text{next}} + \delta \odot o \odot (1 - \tanh^2 c_t) + \text{da}_o \odot p_o,$$
# $$dc_{t-1} = dc \odot f + \text{da}_i \odot p_i + \text{da}_f \odot p_f, \qquad
#   dp_i = \textstyle\sum_n \text{da}_i \odot c_{t-1}, \;
#   dp_f = \sum_n \text{da}_f \odot c_{t-1}, \; dp_o = \sum_n \text{da}_o \odot c_t,$$
#
# with $\text{da}_i, \text{da}_f, \text{da}_g$ as in notebook 03 (computed from the total $dc$).
# Peepholes cost $3H$ parameters, a rounding error next to $4H(D + H + 1)$.

# %%
peephole_picture = diagrams.lstm_cell(variant="peephole")
peephole_picture

# %% [markdown]
# *The peephole LSTM: dashed connections let f and i see $c_{t-1}$ and o see $c_t$, one weight
# per unit each.*
#
# ### The coupled input–forget gate, CIFG
#
# **Idea.** The forget gate decides what to erase, the input gate what to write. CIFG ties them:
# $i = 1 - f$, so the cell writes exactly as much as it erases, and $c_t$ is a convex blend of
# the old cell and the candidate (what the GRU's $z$ does to $h$). One gate fewer: three blocks
# f, g, o.
#
# $$c_t = f \odot c_{t-1} + (1 - f) \odot g, \qquad h_t = o \odot \tanh(c_t).$$
#
# **Backward.** The forget gate now reaches the cell twice, through $c_{t-1}$ and through
# $-g$, so $\partial L / \partial f = dc \odot (c_{t-1} - g)$ and $\text{da}_f = dc \odot
# (c_{t-1} - g) \odot f(1-f)$; the candidate gets $\text{da}_g = dc \odot (1 - f) \odot
# (1 - g^2)$; the rest is the vanilla LSTM's.

# %%
cifg_picture = diagrams.lstm_cell(variant="cifg")
cifg_picture

# %% [markdown]
# *CIFG: the input gate has no weights of its own, $i = 1 - f$: writing and forgetting share
# one gate.*
#
# ### The ablations of Greff et al. (2017)
#
# "LSTM: A Search Space Odyssey" took the LSTM with peepholes as its vanilla model and changed
# one part at a time. We run the ones that change a gate or an activation (their vanilla model
# has peepholes and ours does not, so their "no peepholes" is our vanilla, and our PH is their
# vanilla):
#
# - **NFG**, no forget gate: $f = 1$, so $c_t = c_{t-1} + i \odot g$, as in the LSTM of 1997. The cell
#   can only accumulate; nothing resets it.
# - **NIG**, no input gate: $i = 1$, every candidate is written.
# - **NOG**, no output gate: $o = 1$, $h_t = \tanh(c_t)$, the whole cell is always exposed.
# - **NOAF**, no output activation: $h_t = o \odot c_t$, so $h$ is no longer bounded by 1.
# - **FGR**, full gate recurrence: every block also sees the previous step's gate activations,
#   $a \mathrel{+}= [i, f, g, o]_{t-1} R$ with $R$ of shape (4H, 4H); $16H^2$ more parameters in
#   our layer.
#
# In PyTorch all of them are one layer, `VariantLSTM(D, H, variant=...)`, which the course's
# `SequenceClassifier` takes as `rnn_type="lstm-<variant>"`; the GRU is `nn.GRU`
# (`rnn_type="gru"`). The tests check the vanilla, peephole and CIFG layers against the NumPy
# code on the same weights, and that each removed gate is constant
# (`tests/test_torch_variants.py`).

# %% [markdown]
# ## 2. Parameters, side by side
#
# One layer with input size D and hidden size H has $4H(D + H + 1)$ weights in the LSTM, 3H more
# with peepholes, $3H(D + H + 1)$ in CIFG and $3H(D + H + 2)$ in the GRU (PyTorch's GRU has two
# bias vectors). `parameter_counts` in the NumPy core writes these formulas down; we check them
# against the PyTorch layers, counting both what a layer stores and what actually trains: the
# layer for NFG, NIG and NOG keeps the block of the removed gate, and its entries never receive
# a gradient. We count those by one backward pass on random data. Sizes are those of the
# comparison below (MNIST rows: D = 28; the adding problem: D = 2).

# %%
# NBVAL_CHECK_OUTPUT
from course_lib.experiments.variants import CELLS, PROFILES
from course_lib.torch_models.variants import VariantLSTM


def torch_layer(cell, D, H):
    """The PyTorch layer of ``cell`` ("lstm-<variant>" or "gru") for input D, hidden H."""
    if cell == "gru":
        return torch.nn.GRU(D, H, batch_first=True)
    return VariantLSTM(D, H, variant=cell.removeprefix("lstm-"))


def trained_and_stored(layer, D, seed=0):
    """(entries that receive a gradient, entries stored) after one backward pass."""
    torch.manual_seed(seed)
    out, _ = layer(torch.randn(3, 5, D))  # (N, T, H)
    out.sum().backward()
    trained = sum(int((p.grad != 0).sum()) for p in layer.parameters())
    return trained, sum(p.numel() for p in layer.parameters())


H = PROFILES["laptop"].hidden_size
same_as_numpy = {"lstm-vanilla": "vanilla LSTM", "lstm-ph": "peephole LSTM",
                 "lstm-cifg": "CIFG", "gru": "GRU"}
print(f"hidden size H = {H}\n")
print(f"{'cell':>14s} | {'D = 2: trained / stored':>24s} | {'D = 28: trained / stored':>24s}")
counts = {}
for cell in CELLS:
    row = []
    for D in (2, 28):
        trained, stored = trained_and_stored(torch_layer(cell, D, H), D)
        counts[cell, D] = trained
        if cell in same_as_numpy:
            assert trained == stored == parameter_counts(D, H)[same_as_numpy[cell]], cell
        row.append(f"{trained:>11,d} / {stored:>10,d}")
    print(f"{cell:>14s} | " + " | ".join(f"{r:>24s}" for r in row))
for D in (2, 28):
    three_quarters = 3 * H * (D + H + 1)
    assert all(counts[c, D] == three_quarters for c in ("lstm-cifg", "lstm-nfg", "lstm-nig",
                                                          "lstm-nog"))
    assert counts["gru", D] == three_quarters + 3 * H
    assert counts["lstm-noaf", D] == counts["lstm-vanilla", D] == 4 * H * (D + H + 1)
    assert counts["lstm-fgr", D] == counts["lstm-vanilla", D] + 16 * H * H

# %% [markdown]
# The variants without a gate (NFG, NIG, NOG) and CIFG all train three quarters of the LSTM's
# weights; they differ in *which* three blocks they keep and in how the cell uses them. The GRU
# trains the same number plus 3H biases. So a comparison of CIFG, NFG, NIG, NOG and GRU with the vanilla LSTM at the
# same hidden size is not only a comparison of designs but also of sizes.
#
# ## 3. Gradient checks, live
#
# As in notebook 03: random inputs and weights in float64, random upstream gradients, and centred
# differences for every entry of every input, through `check_layer_gradients`.

# %%
N, T, D, H = 3, 5, 4, 6
rng = np.random.default_rng(0)


def random_inputs(**shapes):
    """Standard normal float64 arrays (scaled by 0.5) of the given shapes, by name."""
    return {name: 0.5 * rng.standard_normal(shape) for name, shape in shapes.items()}


checks = {
    "GRU step": (gru_step_forward, gru_step_backward, random_inputs(
        x=(N, D), prev_h=(N, H), Wx=(D, 3 * H), Wh=(H, 3 * H), bx=(3 * H,), bh=(3 * H,))),
    "GRU sequence": (gru_forward, gru_backward, random_inputs(
        x=(N, T, D), h0=(N, H), Wx=(D, 3 * H), Wh=(H, 3 * H), bx=(3 * H,), bh=(3 * H,))),
    "peephole step": (peephole_step_forward, peephole_step_backward, random_inputs(
        x=(N, D), prev_h=(N, H), prev_c=(N, H), Wx=(D, 4 * H), Wh=(H, 4 * H), b=(4 * H,),
        p=(3 * H,))),
    "CIFG step": (cifg_step_forward, cifg_step_backward, random_inputs(
        x=(N, D), prev_h=(N, H), prev_c=(N, H), Wx=(D, 3 * H), Wh=(H, 3 * H), b=(3 * H,))),
}
for name, (forward, backward, inputs) in checks.items():
    result = check_layer_gradients(forward, backward, inputs)
    print(f"{name}: worst relative error {result.worst[1]:.1e} ({result.worst[0]})")
    print(result, "\n")
    assert result.passed(1e-7), (name, result)

# %% [markdown]
# Every gradient of every input agrees with its numerical estimate to a relative error below
# $10^{-7}$ (asserted), the peepholes `p` and both GRU biases included.
#
# ## 4. The oracle: our GRU against `torch.nn.GRU`
#
# `torch.nn.GRU` stores `weight_ih_l0` (3H, D) and `weight_hh_l0` (3H, H) with blocks r, z, n,
# and two biases. So $W_x$ = `weight_ih_l0.T`, $W_h$ = `weight_hh_l0.T`, $b_x$ = `bias_ih_l0`,
# $b_h$ = `bias_hh_l0`. We run both in float64 on the same sequence and the same upstream
# gradient, and compare the outputs and every gradient.

# %%
torch.manual_seed(0)
gru = torch.nn.GRU(D, H, batch_first=True).double()
x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
dh = rng.standard_normal((N, T, H))  # the loss gradient at every step's output
Wx, Wh = (gru.weight_ih_l0.detach().numpy().T.copy(), gru.weight_hh_l0.detach().numpy().T.copy())
bx, bh = gru.bias_ih_l0.detach().numpy().copy(), gru.bias_hh_l0.detach().numpy().copy()

h, cache = gru_forward(x, h0, Wx, Wh, bx, bh)
dx, dh0, dWx, dWh, dbx, dbh = gru_backward(dh, cache)

x_t = torch.tensor(x, requires_grad=True)
h0_t = torch.tensor(h0[None], requires_grad=True)  # (1, N, H): layers first
out, _ = gru(x_t, h0_t)
(out * torch.tensor(dh)).sum().backward()

pairs = {"h": (h, out), "dx": (dx, x_t.grad), "dh0": (dh0, h0_t.grad[0]),
         "dWx": (dWx, gru.weight_ih_l0.grad.T), "dWh": (dWh, gru.weight_hh_l0.grad.T),
         "dbx": (dbx, gru.bias_ih_l0.grad), "dbh": (dbh, gru.bias_hh_l0.grad)}
differences = {name: float(np.abs(ours - theirs.detach().numpy()).max())
               for name, (ours, theirs) in pairs.items()}
for name, difference in differences.items():
    print(f"{name:>4s}: largest absolute difference {difference:.1e}")
assert max(differences.values()) < 1e-10, differences

# %% [markdown]
# Outputs and all six gradients agree to better than $10^{-10}$ (asserted): the NumPy GRU is
# PyTorch's GRU, formulation included.
#
# ## 5. The comparison, in the manner of Greff et al.
#
# The registered experiment `variants` (`course_lib/experiments/variants.py`) trains each cell
# in the same `SequenceClassifier` (one layer, the last hidden state, a linear head) on two tasks
# of different kinds:
#
# - the **adding problem** (notebook 01) with long sequences: a test of long memory, scored by
#   test mean squared error (lower is better);
# - **MNIST read row by row** (notebook 06) on a subset: real data, scored by test accuracy.
#
# Every cell gets the same budget (epochs, batch size, clipping, hidden size) and the same tuning
# effort: each learning rate of a small grid is tried, the one with the best **validation** loss
# is kept, and that rate is trained with more seeds. Each run reports its test metric at its best
# validation epoch. In the smoke profile (CI) this cell runs a tiny version now, with a few of
# the cells only; otherwise it loads the laptop record `results/variants.json`
# (`lstm-course run variants`).

# %%
from course_lib.runs.notebook_support import experiment_results, format_duration

record = experiment_results("variants")
results = record["extra"]["results"]
config = record["config"]
print(f"record: {record['profile']} profile, wall time {format_duration(record['wall_time_s'])}, "
      f"device {record['device']['type']}")
print(f"configuration: hidden size {config['hidden_size']}, adding problem T = "
      f"{config['adding_len']}, {config['adding_train']:,d} adding / {config['mnist_train']:,d} "
      f"MNIST training sequences, {config['epochs']} epochs, learning rates {config['lrs']}, "
      f"{config['seeds']} seeds per cell")
for task, cells in results.items():
    print(f"\n{task}: {next(iter(cells.values()))['metric']}, mean ± std over seeds")
    for cell, r in cells.items():
        chosen_by = ", ".join(f"{lr}: {loss:.4f}" for lr, loss in r["val_loss_by_lr"].items())
        print(f"  {cell:>13s}  {r['mean']:.4f} ± {r['std']:.4f}  (lr {r['lr']:g}; validation "
              f"loss by lr {chosen_by})")
        assert len(r["values"]) == config["seeds"] >= 2, (task, cell)

# %% [markdown]
# The bars show the mean over seeds, the error bars one standard deviation, and the dots each
# seed's run. The adding problem's dashed line is the mean squared error of always predicting 1,
# the best constant prediction: a cell at that line has learned nothing about the markers.

# %%
from course_lib.plots.variants import plot_variant_bars, plot_variant_curves

plot_variant_bars(record)
plt.show()

# %% [markdown]
# The bars hide how each cell got there. The learning curves below show the validation loss per
# epoch at each cell's chosen learning rate, averaged over its seeds: a cell that is still
# improving at the last epoch may be limited by our budget rather than by its design.

# %%
plot_variant_curves(record)
plt.show()

# %% [markdown]
# ### Which differences exceed the seed noise?
#
# With a few seeds per cell, a formal test has little power, so we use a deliberately
# conservative rule: a cell differs from the vanilla LSTM **beyond the seed noise** when
# $|\text{mean}_\text{cell} - \text{mean}_\text{vanilla}| > 2 \max(\text{std}_\text{cell},
# \text{std}_\text{vanilla})$, with the standard deviations over seeds (ddof = 1). Otherwise the
# difference is "within noise": not evidence of no effect, only of none we can see. The verdict
# says "better" or "worse" in the task's own direction.


# %%
LOWER_IS_BETTER = {"test_loss": True, "test_accuracy": False}


def verdict(cell, vanilla):
    """'better', 'worse' or 'within noise' for a cell's result against the vanilla LSTM's,
    and the sentence that says why."""
    difference = cell["mean"] - vanilla["mean"]
    noise = 2 * max(cell["std"], vanilla["std"])
    if abs(difference) <= noise:
        word = "within noise"
    else:
        improved = difference < 0 if LOWER_IS_BETTER[cell["metric"]] else difference > 0
        word = "better" if improved else "worse"
    why = (f"{cell['mean']:.4f} ± {cell['std']:.4f} vs {vanilla['mean']:.4f} ± "
           f"{vanilla['std']:.4f}: |difference| {abs(difference):.4f} "
           f"{'>' if abs(difference) > noise else '≤'} 2 × larger std = {noise:.4f}")
    return word, why


verdicts = {}
for task, cells in results.items():
    print(f"{task} ({cells['lstm-vanilla']['metric']}):")
    for cell, r in cells.items():
        if cell == "lstm-vanilla":
            continue
        verdicts[task, cell] = verdict(r, cells["lstm-vanilla"])
        print(f"  {cell:>10s}: {verdicts[task, cell][0]:>12s}  ({verdicts[task, cell][1]})")
assert all(word in ("better", "worse", "within noise") for word, _ in verdicts.values())

# %% [markdown]
# ### Beside Greff et al.
#
# Greff et al. (2017) ran a large random search of hyperparameters for each variant on speech
# (TIMIT), handwriting (IAM Online) and polyphonic music (JSB Chorales), and tested the
# differences for significance. Their findings: no variant improved significantly on the vanilla
# LSTM; removing the **forget gate** (NFG) or the **output activation** (NOAF) hurt
# significantly on every data set; **coupling** the input and forget gates (CIFG) or removing
# the **peepholes** did not hurt significantly; removing the input or the output gate (NIG, NOG)
# hurt on speech and handwriting but not on music; full gate recurrence (FGR) made no
# significant difference on speech and handwriting and was worse on music. They did not run the
# GRU. The cell below puts our verdicts beside theirs; every sentence is printed from the
# verdicts above, for the cells this record contains.

# %%
GREFF = {  # cell: (their finding as one of our verdict words, or None when mixed; in words)
    "lstm-nfg": ("worse", "removing the forget gate hurt significantly"),
    "lstm-noaf": ("worse", "removing the output activation hurt significantly"),
    "lstm-cifg": ("within noise", "coupling the input and forget gates made no significant "
                                  "difference"),
    "lstm-ph": ("within noise", "peepholes made no significant difference (their 'no "
                                "peepholes' against their vanilla, which has them)"),
    "lstm-nig": (None, "no input gate: worse on speech and handwriting, no effect on music"),
    "lstm-nog": (None, "no output gate: worse on speech and handwriting, no effect on music"),
    "lstm-fgr": (None, "full gate recurrence: no effect on speech and handwriting, worse on music"),
}
# A comparison says something only where the vanilla LSTM learned the task at all: on the
# adding problem that means clearly below the always-1.0 baseline (half of it, say).
learned = {task: task != "adding"
           or results[task]["lstm-vanilla"]["mean"] < record["extra"]["adding_baseline_mse"] / 2
           for task in results}
for task, ok in learned.items():
    if not ok:
        print(f"{task}: the vanilla LSTM did not learn it within this budget (test MSE at the "
              "baseline), so 'within noise' there only means 'none of them learned': those "
              "verdicts are left out of the agreement below.\n")
agreement = {}
for (task, cell), (word, _) in verdicts.items():
    if not learned[task] and cell.startswith("lstm-"):
        continue
    if cell not in GREFF:
        print(f"{task}, {cell}: {word} (Greff et al. did not run it).")
        continue
    theirs, finding = GREFF[cell]
    if theirs is None:
        print(f"{task}, {cell}: ours is {word}; Greff et al. were mixed ({finding}).")
        continue
    agreement[task, cell] = word == theirs
    print(f"{task}, {cell}: ours is {word}; Greff et al.: {finding}. "
          f"{'We agree.' if agreement[task, cell] else 'We do not agree.'}")
better = [f"{cell} on {task}" for (task, cell), (word, _) in verdicts.items() if word == "better"]
print("\nGreff et al. found no variant better than the vanilla LSTM. Ours: "
      + (f"better beyond noise: {', '.join(better)}." if better
         else "none is better beyond the seed noise, in agreement."))
agree = [f"{c} on {t}" for (t, c), a in agreement.items() if a]
disagree = [f"{c} on {t}" for (t, c), a in agreement.items() if not a]
print(f"Agreement with their clear findings: {', '.join(agree) or 'none'}; "
      f"disagreement: {', '.join(disagree) or 'none'}.")
if record["profile"] == "smoke":
    print("(smoke profile: a few tiny runs of a few cells; these verdicts say nothing about "
          "the variants, only that the cells work)")

# %% [markdown]
# Where the printed verdicts disagree with Greff et al., keep in mind how much smaller our runs
# are than theirs: a small hidden size, a few epochs, a small learning-rate grid instead of a
# random search over many hyperparameters, a handful of seeds. Our "within noise" has wide
# margins, so it can hide effects they could detect; and a variant that learns more slowly can
# look worse under our fixed budget even if it would catch up (the learning curves show which
# are still improving). And our tasks are not theirs: one long-memory regression and one short
# image classification, against speech, handwriting and music.
#
# ## 6. What each costs
#
# Parameters are counted above. Speed depends on the implementation more than on the
# equations: `nn.LSTM` and `nn.GRU` run fused kernels (cuDNN on a GPU), while `VariantLSTM`
# loops over time in Python and lets autograd build the backward pass, so a variant's throughput
# next to `nn.LSTM` mostly measures that loop. The fair comparison is among the `VariantLSTM`
# cells, which share the loop. `lstm-course bench` measures training throughput for each, on a
# one-layer workload, with repetitions and medians; run it in a terminal (this notebook does not
# time anything):

# %%
from course_lib.tools.bench import VARIANT_IMPLS

print("lstm-course bench --workloads mnist --impls nn.LSTM," + ",".join(VARIANT_IMPLS))

# %% [markdown]
# ## Recap
#
# - The **GRU** merges cell and hidden state and couples keeping and writing with one update gate
#   $z$; in PyTorch's formulation the reset gate multiplies $W_{hn} h_{t-1} + b_{hn}$. Our NumPy
#   GRU matches `torch.nn.GRU` in outputs and every gradient to better than $10^{-10}$.
# - **Peepholes** let the gates see the cell ($i, f$ see $c_{t-1}$, $o$ sees $c_t$) for 3H
#   parameters; their backward adds two paths into $c_{t-1}$ and one into $c_t$.
# - **CIFG** sets $i = 1 - f$: three quarters of the LSTM's weights, and $\partial L/\partial f$
#   picks up $c_{t-1} - g$.
# - Each backward pass passed a numerical gradient check below $10^{-7}$ in float64.
# - The comparison trains every cell with the same budget and tuning effort, chooses on
#   validation, reports the seeds' mean ± std, and calls a difference real only beyond twice the
#   larger std; the printed verdicts, not this recap, say where we agree with Greff et al.
#
# References: K. Cho et al. (2014), Learning Phrase Representations using RNN Encoder–Decoder for
# Statistical Machine Translation, EMNLP. F. A. Gers and J. Schmidhuber (2000), Recurrent Nets
# that Time and Count, IJCNN. K. Greff, R. K. Srivastava, J. Koutník, B. R. Steunebrink and J.
# Schmidhuber (2017), LSTM: A Search Space Odyssey, *IEEE Transactions on Neural Networks and
# Learning Systems* 28(10), arXiv:1503.04069.
