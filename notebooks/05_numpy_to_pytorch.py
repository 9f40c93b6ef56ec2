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
# # 05 · From NumPy to PyTorch
#
# Notebooks 02 and 03 built the LSTM in NumPy, forward and backward, and proved it right with
# gradient checks. Real experiments need more: a GPU when there is one, and a library that
# writes the backward pass for any model we dream up. In this notebook, we:
#
# 1. port the LSTM cell to PyTorch, keeping the NumPy layout (`Wx`, `Wh`, `b`, gates i, f, g, o);
# 2. prove the port equal to the NumPy core and to `torch.nn.LSTM` (float64, to 1e-10);
# 3. let autograd compute the backward pass and compare it with the one we derived by hand;
# 4. measure speed, live: NumPy vs our hand-written torch LSTM vs `nn.LSTM` (on the GPU too
#    when there is one), and the trap of subnormal floats;
# 5. measure what batch size does to speed and to learning per epoch.

# %%
import inspect
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from course_lib import active_profile, pick

torch.manual_seed(0)
print(f"profile: {active_profile()}, torch {torch.__version__}, {torch.get_num_threads()} CPU threads")

# %% [markdown]
# ## 1. The cell in PyTorch
#
# The PyTorch version is the NumPy step with tensors instead of arrays: one matrix product for
# the four gates, split into blocks i, f, g, o. The course keeps it in
# `course_lib.torch_models.lstm`:

# %%
from course_lib.torch_models import lstm as torch_lstm

print(inspect.getsource(torch_lstm.lstm_step))
print(inspect.getsource(torch_lstm.gates_to_state))

# %% [markdown]
# The module wraps it in `LSTMCell` (parameters `Wx` (D, 4H), `Wh` (H, 4H), `b` (4H,)) and
# `LSTM`, which unrolls the cell over time: the input projection of all T steps is one matrix
# product, then one (N, H) × (H, 4H) product per step. `LSTM` takes and returns what
# `nn.LSTM(..., batch_first=True)` does, so either can replace the other. Its loop:

# %%
print(inspect.getsource(torch_lstm.LSTM.forward))

# %% [markdown]
# ## 2. Equal to the NumPy core, and to `torch.nn.LSTM`
#
# Same random weights everywhere, in float64. NumPy weights load with `LSTM.from_numpy`;
# `nn.LSTM` stores `weight_ih = Wx.T`, `weight_hh = Wh.T` and two biases that add up to `b`
# (`copy_to_nn_lstm` does the mapping).

# %%
from course_lib.numpy_core.lstm import lstm_backward, lstm_forward
from course_lib.torch_models import LSTM, copy_to_nn_lstm

N, T, D, H = 4, 12, 5, 6
rng = np.random.default_rng(0)
Wx, Wh, b = 0.3 * rng.standard_normal((D, 4 * H)), 0.3 * rng.standard_normal((H, 4 * H)), 0.3 * rng.standard_normal(4 * H)
x = rng.standard_normal((N, T, D))
h0 = np.zeros((N, H))

h_numpy, cache = lstm_forward(x, h0, Wx, Wh, b)  # (N, T, H)
ours = LSTM.from_numpy((Wx, Wh, b))  # float64
reference = copy_to_nn_lstm(ours, nn.LSTM(D, H, batch_first=True).double())

x_ours = torch.tensor(x, requires_grad=True)
x_reference = torch.tensor(x, requires_grad=True)
h_ours, _ = ours(x_ours)
h_reference, _ = reference(x_reference)
print(f"ours vs NumPy:   {np.abs(h_ours.detach().numpy() - h_numpy).max():.1e}")
print(f"ours vs nn.LSTM: {(h_ours - h_reference).abs().max().item():.1e}")
assert np.abs(h_ours.detach().numpy() - h_numpy).max() < 1e-10
assert (h_ours - h_reference).abs().max().item() < 1e-10

# %% [markdown]
# ## 3. Autograd against the backward pass we derived
#
# In NumPy we wrote `lstm_backward` by hand, equation by equation. In PyTorch, `backward()`
# differentiates whatever the forward pass computed. Give all three the same upstream gradient
# `dh` (N, T, H) and compare every gradient.

# %%
dh = rng.standard_normal((N, T, H))
dx, dh0, dWx, dWh, db = lstm_backward(dh, cache)
h_ours.backward(torch.tensor(dh))
h_reference.backward(torch.tensor(dh))
cell = ours.cells[0]
comparisons = {
    "dx: ours vs NumPy": (x_ours.grad.numpy(), dx),
    "dWx: ours vs NumPy": (cell.Wx.grad.numpy(), dWx),
    "dWh: ours vs NumPy": (cell.Wh.grad.numpy(), dWh),
    "db: ours vs NumPy": (cell.b.grad.numpy(), db),
    "dx: ours vs nn.LSTM": (x_ours.grad.numpy(), x_reference.grad.numpy()),
    "dWx: ours vs nn.LSTM": (cell.Wx.grad.numpy(), reference.weight_ih_l0.grad.T.numpy()),
}
for name, (a, b_) in comparisons.items():
    print(f"{name:24s} largest difference {np.abs(a - b_).max():.1e}")
    assert np.abs(a - b_).max() < 1e-10

# %% [markdown]
# Three implementations, one set of numbers (to the last few bits of float64). From here on,
# the course trusts autograd and writes forward passes only.
#
# ## 4. Speed, measured here and now
#
# One **training step** = forward + backward + update, on a batch of the MNIST-rows shape
# (64 images, 28 rows of 28 pixels, hidden size 128). The implementations:
#
# - `numpy-f32`, `numpy-f64`: the NumPy core's classifier and SGD;
# - `scratch`: our hand-written torch `LSTM` (a Python loop over time, autograd backward);
# - `nn.LSTM`: PyTorch's LSTM (a fused C++ loop on the CPU, cuDNN on a GPU);
# - `course`: the course's `SequenceClassifier`, which runs on `nn.LSTM`.
#
# The machine may be busy with other work. Two precautions make the comparison fair:
# `time_workload` runs the implementations in interleaved rounds and keeps the median, and we
# time the **CPU time of one thread** (torch and NumPy's BLAS both set to one thread) rather
# than the wall clock. On a machine shared with other jobs, two threads per process spend most
# of their time waiting for each other; one thread's CPU time hardly notices the neighbours.
# (On your own idle machine, `clock=time.perf_counter` with all threads gives the wall time.)
# `lstm-course bench` runs the same measurement on five workloads and writes
# `results/bench-<device>.json`.

# %%
import time

from course_lib.tools.bench import WORKLOADS, Workload, set_blas_threads, time_workload

threads_before = torch.get_num_threads()
torch.set_num_threads(1)
set_blas_threads(1)
clock = time.process_time  # CPU time of this process: one thread, so one core's work

workload = pick(smoke=Workload("classify", 16, 28, 28, 32, classes=10), laptop=WORKLOADS["mnist"])
implementations = ["numpy-f32", "numpy-f64", "scratch", "nn.LSTM", "course"]
timed = time_workload(workload, implementations, torch.device("cpu"), clock=clock,
                      repeats=pick(smoke=1, laptop=5), target_s=pick(smoke=0.02, laptop=0.5))
speed = {impl: workload.N / r["median_s"] for impl, r in timed.items()}  # sequences per second
for impl, rate in speed.items():
    print(f"{impl:10s} {rate:8,.0f} sequences/s on one core   {rate / speed['nn.LSTM']:.2f} x nn.LSTM")

# %% [markdown]
# On the GPU, when this machine has one, the same step with `nn.LSTM` runs on cuDNN (timed on
# the wall clock: the work happens on the GPU, not in this process's CPU time):

# %%
if torch.cuda.is_available():
    gpu = time_workload(workload, ["nn.LSTM", "course"], torch.device("cuda"),
                        repeats=pick(smoke=1, laptop=5), target_s=pick(smoke=0.02, laptop=0.5))
    for impl, r in gpu.items():
        speed[f"{impl} (GPU)"] = workload.N / r["median_s"]
        print(f"{impl} on {torch.cuda.get_device_name()}: {speed[f'{impl} (GPU)']:,.0f} sequences/s")
else:
    print("no CUDA GPU here: CPU figures only")

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.barh(list(speed), list(speed.values()), color=[f"C{i}" for i in range(len(speed))])
ax.set_title(f"Training throughput, batch {workload.N} x {workload.T} steps, hidden {workload.H}")
ax.set_xlabel("sequences per second (forward + backward + update; CPU: one core)")
ax.invert_yaxis()
plt.show()

# %% [markdown]
# The hand-written torch LSTM is correct but pays for its Python loop: every step launches a
# dozen small operations, and autograd records each one. `nn.LSTM` runs the same loop in C++
# (oneDNN on a CPU, cuDNN on a GPU). That is why the course's models use `nn.LSTM` and keep
# ours for teaching. `torch.compile` can fuse a Python loop, at a price: it unrolls all T steps
# and compiles the result. `lstm-course bench --compile` measures it; the course's recorded run
# (`results/bench-cpu-compile.md`) shows the compile time of the first step and the speed after.

# %%
if active_profile() != "smoke":
    assert speed["nn.LSTM"] > speed["scratch"], "nn.LSTM should beat the Python loop"

# %% [markdown]
# ### The trap of subnormal floats
#
# float32 should be faster than float64: half the bytes, twice the numbers per vector
# instruction. But on long sequences (the IMDB shape: 200 steps) gradients shrink step after
# step as they flow back in time, and values below ~1e-38 become *subnormal* floats, which x86
# CPUs process 10-100x slower. How much that costs depends on the CPU, the library and how fast
# the gradients vanish (notebook 03 measures the NumPy side). `import course_lib` sets
# flush-to-zero (subnormals become 0.0, changing results by < 1e-38) and keeps freed memory
# from being returned to the system; `LSTM_COURSE_FAST_FLOATS=0` turns both off. Both act at
# process start, so we compare two fresh processes running `lstm-course bench` on the IMDB shape
# (laptop profile only: it takes a minute).

# %%
def bench_in_fresh_process(fast_floats, impls, workload="imdb"):
    """Run `lstm-course bench --quick` in a new Python process; returns its results dict."""
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "LSTM_COURSE_FAST_FLOATS": "1" if fast_floats else "0"}
        subprocess.run([sys.executable, "-m", "course_lib.tools.cli", "bench", "--quick", "--no-progress",
                        "--threads", "1", "--clock", "cpu",
                        "--workloads", workload, "--impls", ",".join(impls), "--output-dir", out],
                       env=env, check=True, capture_output=True)
        record = json.loads(next(Path(out).glob("bench-*.json")).read_text())
    return record["workloads"][workload]["results"]


if active_profile() != "smoke":
    trap_impls = ["numpy-f32", "numpy-f64", "nn.LSTM", "nn.LSTM-f64"]
    trap = {setting: bench_in_fresh_process(setting == "flush to zero", trap_impls)
            for setting in ("default floats", "flush to zero")}
    for setting, results in trap.items():
        row = "  ".join(f"{impl} {WORKLOADS['imdb'].N / r['median_s']:6,.0f}" for impl, r in results.items())
        print(f"{setting:15s} sequences/s on one core: {row}")

# %% [markdown]
# Read the two rows column by column: where flush-to-zero raises a figure, subnormal floats were
# slowing that implementation down; where it changes nothing, this workload's gradients did not
# linger in the subnormal range. The float64 columns show what float32 is competing with.
# `results/bench-cpu-default-floats.md` and `results/bench-cpu-fast-floats.md` hold the
# course's recorded run of the same comparison.
#
# ## 5. Batch size: speed against learning per epoch
#
# A bigger batch keeps the matrix products bigger and the CPU (or GPU) busier, so more
# sequences go through per second. But an epoch of big batches makes fewer updates. The
# course's seeds found that small batches learned more per epoch while running slower. First
# the speed, with `nn.LSTM` on the MNIST-rows shape:

# %%
batch_sizes = pick(smoke=[8, 64], laptop=[8, 16, 32, 64, 128, 256, 512])
throughput = {}
for size in batch_sizes:
    w = Workload("classify", size, workload.T, workload.D, workload.H, classes=10)
    r = time_workload(w, ["nn.LSTM"], torch.device("cpu"), clock=clock, repeats=pick(smoke=1, laptop=3),
                      target_s=pick(smoke=0.02, laptop=0.3))
    throughput[size] = size / r["nn.LSTM"]["median_s"]
    print(f"batch {size:4d}: {throughput[size]:8,.0f} sequences/s on one core")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(list(throughput), list(throughput.values()), marker="o")
ax.set_xscale("log", base=2)
ax.set_title("nn.LSTM training throughput against batch size (CPU)")
ax.set_xlabel("batch size (sequences)")
ax.set_ylabel("sequences per second (one core)")
plt.show()
assert throughput[batch_sizes[-1]] > throughput[batch_sizes[0]]

# %% [markdown]
# Now learning: the same model trained on MNIST rows for a few epochs with three batch sizes,
# evaluated after every epoch by the course's `Trainer` (Adam, the same learning rate for all).
# Still on one thread, so that the training times compare fairly on a busy machine.

# %%
from course_lib.data import load_mnist
from course_lib.torch_models import SequenceClassifier
from course_lib.training import ClassificationTask, TrainConfig, Trainer

images, labels = load_mnist("train")
n_train, n_val = pick(smoke=1024, laptop=10_000), pick(smoke=512, laptop=5_000)
data = torch.from_numpy(images), torch.from_numpy(labels)
train_split = (data[0][:n_train], data[1][:n_train])
val_split = (data[0][-n_val:], data[1][-n_val:])

runs = {}
for size in pick(smoke=[16, 128], laptop=[16, 64, 256]):
    torch.manual_seed(0)
    model = SequenceClassifier(10, input_size=28, hidden_size=pick(smoke=16, laptop=64), pooling="last")
    task = ClassificationTask(train_split, val_split, batch_size=size, eval_batch_size=1000)
    config = TrainConfig(epochs=pick(smoke=1, laptop=4), lr=2e-3, seed=0)
    runs[size] = Trainer(model, task, config, device="cpu", name=f"batch {size}").fit()["history"]

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
for size, history in runs.items():
    accuracy = 100 * np.array(history["val_accuracy"])
    left.plot(history["epoch"], accuracy, marker="o", label=f"batch {size}")
    right.plot(np.cumsum(history["time_s"]), accuracy, marker="o", label=f"batch {size}")
left.set_title("Validation accuracy per epoch")
left.set_xlabel("epoch")
left.set_ylabel("validation accuracy (%)")
right.set_title("Validation accuracy against training time")
right.set_xlabel("training time (s, wall clock, one thread)")
for ax in (left, right):
    ax.grid(alpha=0.3)
    ax.legend()
plt.show()
first_epoch = {size: h["val_accuracy"][0] for size, h in runs.items()}
print("validation accuracy after one epoch:", {s: f"{100 * a:.1f} %" for s, a in first_epoch.items()})

# %%
torch.set_num_threads(threads_before)  # back to every core for what follows
set_blas_threads(threads_before)

# %% [markdown]
# Per epoch, the smallest batch is ahead: it made many more updates. Per second, the picture
# can turn around, because each of those updates used the hardware less well. Which wins
# depends on the model, the data and the machine; the lesson is to measure both, and to
# evaluate after every epoch (one run gives the whole curve).

# %%
if active_profile() != "smoke":
    smallest, largest = min(first_epoch), max(first_epoch)
    assert first_epoch[smallest] > first_epoch[largest], "small batches should learn more per epoch"

# %% [markdown]
# ## Recap
#
# - The LSTM in PyTorch is the NumPy cell on tensors; with `Wx = weight_ih.T`,
#   `Wh = weight_hh.T`, `b = bias_ih + bias_hh` it equals both the NumPy core and `nn.LSTM`
#   to 1e-10 in float64, and autograd reproduces the backward pass we derived by hand.
# - Speed comes from where the time loop runs: a Python loop (ours, and NumPy) launches many
#   small operations; `nn.LSTM` runs the loop in C++ or cuDNN. Measure with repetitions and
#   medians, on a machine that may be busy.
# - float32 is only fast when subnormal floats are flushed to zero: `import course_lib` does it.
# - Batch size trades speed (bigger is faster per sequence) against updates per epoch (smaller
#   learns more per epoch): evaluate every epoch and look at both axes.
