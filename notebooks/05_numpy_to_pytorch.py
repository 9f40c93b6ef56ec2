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
#    when there is one), and what flush-to-zero and the glibc setting each do;
# 5. measure what batch size does to speed and to learning per epoch.

# %%
import course_lib  # noqa: F401, I001  (first: fast float settings before NumPy starts threads)

import inspect
import json
import os
import subprocess
import sys

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
from course_lib.plots import diagrams

diagrams.lstm_cell()

# %% [markdown]
# *Figure: The same cell as in notebooks 01 and 02; below, its equations written with torch tensors.*

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
from course_lib.numpy_core.lstm import lstm_backward, lstm_final_state, lstm_forward
from course_lib.torch_models import LSTM, copy_to_nn_lstm

N, T, D, H = 4, 12, 5, 6
rng = np.random.default_rng(0)
Wx, Wh, b = 0.3 * rng.standard_normal((D, 4 * H)), 0.3 * rng.standard_normal((H, 4 * H)), 0.3 * rng.standard_normal(4 * H)
x = rng.standard_normal((N, T, D))
h0, c0 = rng.standard_normal((N, H)), rng.standard_normal((N, H))  # a non-zero start state

h_numpy, cache = lstm_forward(x, h0, Wx, Wh, b, c0=c0)  # (N, T, H)
ours = LSTM.from_numpy((Wx, Wh, b))  # float64
reference = copy_to_nn_lstm(ours, nn.LSTM(D, H, batch_first=True).double())


def leaf(array):
    """A float64 tensor that collects its gradient."""
    return torch.tensor(array, requires_grad=True)


inputs = {name: {"x": leaf(x), "h0": leaf(h0[None]), "c0": leaf(c0[None])}
          for name in ("ours", "nn.LSTM")}
outputs = {}
for name, model in (("ours", ours), ("nn.LSTM", reference)):
    t = inputs[name]
    h, (h_T, c_T) = model(t["x"], (t["h0"], t["c0"]))
    outputs[name] = {"h": h, "h_T": h_T[0], "c_T": c_T[0]}
h_T_numpy, c_T_numpy = lstm_final_state(cache)
numpy_outputs = {"h": h_numpy, "h_T": h_T_numpy, "c_T": c_T_numpy}
for key in ("h", "h_T", "c_T"):
    to_numpy = np.abs(outputs["ours"][key].detach().numpy() - numpy_outputs[key]).max()
    to_nn = (outputs["ours"][key] - outputs["nn.LSTM"][key]).abs().max().item()
    print(f"{key:4s} ours vs NumPy {to_numpy:.1e}   ours vs nn.LSTM {to_nn:.1e}")
    assert to_numpy < 1e-10 and to_nn < 1e-10

# %% [markdown]
# ## 3. Autograd against the backward pass we derived
#
# In NumPy we wrote `lstm_backward` by hand, equation by equation. In PyTorch, `backward()`
# differentiates whatever the forward pass computed. Give all three the same upstream
# gradients, `dh` (N, T, H) into every hidden state and `dh_T`, `dc_T` (N, H) into the final
# state, and compare **every** gradient: the input, both initial states and all the weights.

# %%
dh, dh_T, dc_T = (rng.standard_normal(shape) for shape in ((N, T, H), (N, H), (N, H)))
numpy_grads = dict(zip(["x", "h0", "c0", "Wx", "Wh", "b"],
                       lstm_backward(dh, cache, dh_T=dh_T, dc_T=dc_T)))
for name in ("ours", "nn.LSTM"):
    out = outputs[name]
    torch.autograd.backward([out["h"], out["h_T"], out["c_T"]],
                            [torch.tensor(dh), torch.tensor(dh_T), torch.tensor(dc_T)])
cell, t_ours, t_ref = ours.cells[0], inputs["ours"], inputs["nn.LSTM"]
torch_grads = {
    "ours": {"x": t_ours["x"].grad, "h0": t_ours["h0"].grad[0], "c0": t_ours["c0"].grad[0],
             "Wx": cell.Wx.grad, "Wh": cell.Wh.grad, "b": cell.b.grad},
    "nn.LSTM": {"x": t_ref["x"].grad, "h0": t_ref["h0"].grad[0], "c0": t_ref["c0"].grad[0],
                "Wx": reference.weight_ih_l0.grad.T, "Wh": reference.weight_hh_l0.grad.T,
                "b": reference.bias_ih_l0.grad},  # = bias_hh_l0.grad: both add into b
}
for key, ref in numpy_grads.items():
    diffs = {name: np.abs(torch_grads[name][key].numpy() - ref).max() for name in torch_grads}
    print(f"d{key:3s} ours vs NumPy {diffs['ours']:.1e}   nn.LSTM vs NumPy {diffs['nn.LSTM']:.1e}")
    assert max(diffs.values()) < 1e-10

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
# ### The trap of subnormal floats, and what the course's settings really do
#
# float32 should be faster than float64: half the bytes, twice the numbers per vector
# instruction. One trap can spoil that. Below $1.2 \times 10^{-38}$ float32 gives up its normal
# representation and loses precision gradually, down to $1.4 \times 10^{-45}$: these are the
# **subnormal** ("denormal") numbers. Vanishing gradients (notebook 01) pass through exactly
# that range on their way to zero, while float64 only gets there below $2.2 \times 10^{-308}$.
# Some x86 CPUs handle an operation on a subnormal with a slow microcode assist; others handle
# most of them at full speed. The CPU flags **flush-to-zero** and **denormals-are-zero**
# (FTZ/DAZ) replace subnormals by 0, which changes results by less than $10^{-38}$.
#
# `import course_lib` applies two settings (`course_lib.env.speed`): FTZ/DAZ, and a glibc
# memory setting that stops big temporary arrays being handed back to the system and faulted
# back in at every step. `LSTM_COURSE_FAST_FLOATS=0` turns both off. Both act at process start
# (threads copy the flags from the thread that starts them), so each measurement below runs in
# a fresh Python process, with **each setting on its own**, at the IMDB shape of notebook 07
# (N = 32 reviews, T = 200 steps, D = 50, H = 128) in the NumPy core, with forget bias 0, the
# setting of notebook 01 whose gradient vanished fastest. Each process reports: what
# $10^{-39} \times 0.5$ gives; how many of the input gradients of one backward pass (a gradient
# sent into the last step only, as a classifier does) are subnormal; how much longer this CPU
# takes to multiply a million subnormals than normal numbers; and the best time of one forward
# and backward pass of exactly that computation.

# %%
SPEED_CODE = """
import json, time
import course_lib.env.speed as speed  # LSTM_COURSE_FAST_FLOATS=0: nothing is set on import
speed.flush_denormals({ftz})  # before NumPy starts its threads
if {glibc}:
    speed.keep_freed_memory()
import numpy as np
from course_lib.numpy_core.init import lstm_params
from course_lib.numpy_core.lstm import lstm_backward, lstm_forward

def best_ms(f, repeats=20):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return 1e3 * min(times)

dtype = np.{dtype}
rng = np.random.default_rng(0)
x = rng.standard_normal(({N}, {T}, {D})).astype(dtype)
weights = lstm_params({D}, {H}, rng, "xavier", forget_bias=0.0, dtype=dtype)  # f near 0.5
h0 = np.zeros(({N}, {H}), dtype)
h, cache = lstm_forward(x, h0, *weights)
dh = np.zeros_like(h)
dh[:, -1] = rng.standard_normal(({N}, {H}))
dx = lstm_backward(dh, cache)[0]

def forward_backward():
    h, cache = lstm_forward(x, h0, *weights)
    lstm_backward(dh, cache)
tiny = np.finfo(dtype).tiny
subnormal = np.full(1_000_000, 1e-39, np.float32)
normal = np.full(1_000_000, 1e-30, np.float32)
print(json.dumps({{
    "tiny_times_half": float(subnormal[0] * np.float32(0.5)),
    "subnormal_share": float(np.mean((dx != 0) & (np.abs(dx) < tiny))),
    "penalty": best_ms(lambda: subnormal * 0.5) / best_ms(lambda: normal * 0.5),
    "ms": best_ms(forward_backward, {repeats})}}))
"""


def measure_in_fresh_process(dtype, ftz, glibc, shape, repeats):
    """Run SPEED_CODE in a new Python process with the given settings; return its results."""
    env = {**os.environ, "LSTM_COURSE_FAST_FLOATS": "0", "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    N, T, D, H = shape
    code = SPEED_CODE.format(ftz=ftz, glibc=glibc, dtype=dtype, N=N, T=T, D=D, H=H,
                             repeats=repeats)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the measurement failed:\n{done.stderr}")
    return json.loads(done.stdout)


shape = pick(smoke=(4, 20, 10, 16), laptop=(32, 200, 50, 128), full=(32, 200, 50, 128))
repeats = pick(smoke=1, laptop=5, full=10)
settings = [("float64", False, False), ("float32", False, False), ("float32", True, False),
            ("float32", False, True), ("float32", True, True)]
speed_runs = {s: measure_in_fresh_process(*s, shape, repeats) for s in settings}
# the first setting once more, to see how much a rerun of the same thing moves (the noise)
rerun_plain32 = measure_in_fresh_process("float32", False, False, shape, repeats)
print(f"N, T, D, H = {shape}; one thread; load average {os.getloadavg()[0]:.1f} on "
      f"{os.cpu_count()} cores\n")
print(f"{'dtype':8s} {'FTZ/DAZ':8s} {'glibc':6s} {'1e-39*0.5':>10s} {'subnormal dx':>13s} "
      f"{'penalty':>8s} {'ms/pass':>8s}")
for (dtype, ftz, glibc), r in speed_runs.items():
    print(f"{dtype:8s} {'on' if ftz else 'off':8s} {'on' if glibc else 'off':6s} "
          f"{r['tiny_times_half']:10.2g} {r['subnormal_share']:13.3%} {r['penalty']:7.1f}x "
          f"{r['ms']:8.1f}")

# %%
def ms(dtype, ftz, glibc):
    return speed_runs[(dtype, ftz, glibc)]["ms"]


plain32 = ms("float32", False, False)
effects = {"FTZ/DAZ alone": plain32 / ms("float32", True, False),
           "glibc setting alone": plain32 / ms("float32", False, True),
           "both": plain32 / ms("float32", True, True),
           "float32 vs float64 (nothing set)": ms("float64", False, False) / plain32}
noise = abs(plain32 / rerun_plain32["ms"] - 1)  # the same setting, measured twice
band = max(noise, 0.05)
print(f"the same setting measured twice differed by {noise:.0%}: effects within "
      f"±{band:.0%} are noise here\n")
for name, factor in effects.items():
    verdict = ("faster" if factor > 1 + band else "slower" if factor < 1 - band
               else "no clear change")
    print(f"{name:34s} speed-up {factor:4.2f}x  ({verdict})")
penalty = speed_runs[("float32", False, False)]["penalty"]
share = speed_runs[("float32", False, False)]["subnormal_share"]
print(f"\nWithout FTZ, {share:.3%} of the float32 input gradients are subnormal; with it, "
      f"{speed_runs[('float32', True, False)]['subnormal_share']:.3%}.")
if penalty > 2:
    print(f"This CPU pays {penalty:.0f}x per subnormal operation: flush-to-zero matters here.")
else:
    print(f"This CPU handles subnormals at nearly full speed (penalty {penalty:.1f}x): the flag "
          "cannot speed it up much, and protects the same code on CPUs that do pay.")
assert speed_runs[("float32", False, False)]["tiny_times_half"] > 0
assert speed_runs[("float32", True, False)]["tiny_times_half"] == 0
assert speed_runs[("float32", True, False)]["subnormal_share"] == 0

# %% [markdown]
# Read the table before any story. The first columns prove the mechanics: without the flag,
# $10^{-39} \times 0.5$ is the subnormal $5 \times 10^{-40}$, and the line above says what share
# of the float32 gradients reaching the first steps were subnormal at this shape; with the
# flag, none are. Whether that costs time is the CPU's business: the `penalty` column is this
# CPU's price per subnormal operation, and the speed-ups printed above say what each setting,
# *on its own*, changed for a whole forward and backward pass here, next to the noise of
# measuring the same setting twice. The figures were measured when this notebook
# ran, on a machine that may have been shared (the load average is printed with them);
# `lstm-course bench` measures the same workloads with more repetitions.

# %% [markdown]
# ## 5. Batch size: speed against learning per epoch
#
# A bigger batch keeps the matrix products bigger and the CPU (or GPU) busier, so more
# sequences go through per second. But an epoch of big batches makes fewer updates, each with
# a less noisy gradient. Which effect wins per epoch is the question. First the speed, with
# `nn.LSTM` on the MNIST-rows shape:

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
# evaluated after every epoch by the course's `Trainer` (Adam). A fair comparison must not give
# every batch size the same learning rate: a bigger batch averages away gradient noise, and
# can take bigger steps. A common rule, and the one used here, scales the learning rate with
# the square root of the batch size (Krizhevsky 2014; Hoffer, Hubara & Soudry 2017):
# $\text{lr} = 2 \times 10^{-3} \sqrt{B / 64}$, so batch 16 gets $10^{-3}$ and batch 256
# gets $4 \times 10^{-3}$. Still on one thread, so that the training times compare fairly on a
# busy machine.

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
    config = TrainConfig(epochs=pick(smoke=1, laptop=4), lr=2e-3 * (size / 64) ** 0.5, seed=0)
    runs[size] = Trainer(model, task, config, device="cpu", name=f"batch {size}").fit()["history"]

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
for size, history in runs.items():
    accuracy = 100 * np.array(history["val_accuracy"])
    left.plot(history["epoch"], accuracy, marker="o", label=f"batch {size}")
    right.plot(np.cumsum(history["time_s"]), accuracy, marker="o", label=f"batch {size}")
left.set_title("Validation accuracy per epoch")
left.set_xlabel("epoch")
left.xaxis.set_major_locator(plt.MaxNLocator(integer=True))  # epochs are whole numbers
left.set_ylabel("validation accuracy (%)")
right.set_title("Validation accuracy against training time")
right.set_xlabel("training time (s, wall clock, one thread)")
for ax in (left, right):
    ax.grid(alpha=0.3)
    ax.legend()
plt.show()
first_epoch = {size: h["val_accuracy"][0] for size, h in runs.items()}
last_epoch = {size: h["val_accuracy"][-1] for size, h in runs.items()}
seconds = {size: float(np.sum(h["time_s"])) for size, h in runs.items()}
for size in runs:
    print(f"batch {size:3d} (lr {2e-3 * (size / 64) ** 0.5:.1e}): validation accuracy "
          f"{100 * first_epoch[size]:.1f} % after epoch 1, {100 * last_epoch[size]:.1f} % after "
          f"the last, {seconds[size]:.0f} s of training")
smallest, largest = min(runs), max(runs)
ahead = "ahead" if first_epoch[smallest] > first_epoch[largest] else "not ahead"
print(f"After one epoch, batch {smallest} is {ahead} of batch {largest} "
      f"({100 * (first_epoch[smallest] - first_epoch[largest]):+.1f} points).")

# %%
torch.set_num_threads(threads_before)  # back to every core for what follows
set_blas_threads(threads_before)

# %% [markdown]
# The line above says whether, even with the learning rates scaled, the smallest batch is
# ahead after one epoch. What remains once the learning rate is controlled is the number of
# updates: batch 16 makes 16 times as many per epoch as batch 256, and on a short budget that
# can matter more than the noise in each one. Per second of training the picture can turn
# around, because each of those updates uses the hardware less well (the throughput curve
# above). One run per batch size is one seed: a difference of a point or less between them is
# within what another seed could change. Which wins depends on the model, the data, the
# machine and the learning rates tried; the lesson is to measure both axes, to control the
# learning rate before comparing, and to evaluate after every epoch (one run gives the whole
# curve).

# %% [markdown]
# ## Recap
#
# - The LSTM in PyTorch is the NumPy cell on tensors; with `Wx = weight_ih.T`,
#   `Wh = weight_hh.T`, `b = bias_ih + bias_hh` it equals both the NumPy core and `nn.LSTM`
#   to 1e-10 in float64, and autograd reproduces the backward pass we derived by hand.
# - Speed comes from where the time loop runs: a Python loop (ours, and NumPy) launches many
#   small operations; `nn.LSTM` runs the loop in C++ or cuDNN. Measure with repetitions and
#   medians, on a machine that may be busy.
# - float32 moves half the bytes of float64. Subnormal floats can slow it down on CPUs that pay
#   for them; `import course_lib` flushes them to zero and sets glibc to keep freed memory.
#   Measured one at a time above, each setting's effect on this machine is what the table
#   says, no more.
# - Batch size trades speed (bigger is faster per sequence) against updates per epoch. Compare
#   batch sizes only with the learning rate scaled or tuned for each, evaluate every epoch,
#   and look at both axes.
