"""``lstm-course bench``: training throughput of every LSTM implementation of the course.

One training step = forward + backward + SGD update, on random data of a workload's shape:

=========== ============================================== ========
workload    shape                                           unit
=========== ============================================== ========
mnist       B 64, T 28, D 28 (pixels), H 128, 10 classes    seq/s
imdb        B 32, T 200, E 50, vocab 20k, H 128, 2 classes  seq/s
ptb-small   2 x 200, B 20, T 35, vocab 10k (Zaremba small)  tok/s
ptb-ours    2 x 300, B 20, T 35, vocab 10k (ptb-word-ours)  tok/s
ptb-medium  2 x 650, B 20, T 35, vocab 10k (Zaremba medium) tok/s
sst5        B 64, T 19, E 50, vocab 16k, H 168, 5 classes   seq/s
=========== ============================================== ========

Implementations: ``numpy-f32`` / ``numpy-f64`` (the NumPy core's models and SGD), ``scratch``
(the hand-written torch LSTM in a minimal model), ``nn.LSTM`` (the same minimal model on
``torch.nn.LSTM``: the reference), ``course`` (``SequenceClassifier`` / ``LanguageModel``), and
on request ``nn.LSTM-f64``, ``compile`` (``torch.compile`` of the minimal nn.LSTM model: Dynamo
leaves ``nn.LSTM`` itself to eager mode) and ``compile-scratch`` (``torch.compile`` of the
hand-written loop, unrolled over T steps); the wall time of each first step, where compilation
happens, is reported as ``first_step_wall_s``. Classifiers mean-pool over time.

The machine may be shared, so implementations are timed in interleaved rounds and the medians
are reported; every ratio to ``nn.LSTM`` comes from the same run. On a busy machine two
threads per process lose most of their time waiting for each other (each parallel region ends
at a barrier, and a descheduled thread holds everyone up): there, ``--threads 1 --clock cpu``
measures the CPU time of one thread (torch and OpenBLAS), which other processes hardly change. ``% peak`` is the achieved
matrix-multiply rate (forward + backward = 3x the forward FLOPs) over the best float32 matmul
rate measured at the start. Writes ``results/bench-<device>.json`` and ``.md``.

:func:`time_workload` is the course's one way to time a training step: notebook 03 times the
NumPy classifier with it (torch is imported only to time a torch implementation, so a NumPy
timing runs without it), notebook 05 every implementation.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from course_lib.env.threads import set_blas_threads  # noqa: F401 (notebook 05 imports it here)
from course_lib.runs.tables import markdown_table as table_of


@dataclass(frozen=True)
class Workload:
    kind: str  # "classify" or "lm"
    N: int  # batch size
    T: int  # time steps
    D: int  # input size (the embedding size with a vocabulary)
    H: int  # hidden size
    layers: int = 1
    vocab: int | None = None  # token ids through an embedding when set
    classes: int = 2

    @property
    def unit(self):
        return "tok/s" if self.kind == "lm" else "seq/s"

    def items(self):
        return self.N * self.T if self.kind == "lm" else self.N

    def flops(self):
        """Matrix-multiply FLOPs of one training step (3x the forward)."""
        lstm = sum(2 * self.N * self.T * (d + self.H) * 4 * self.H
                   for d in [self.D] + [self.H] * (self.layers - 1))
        outputs = self.vocab if self.kind == "lm" else self.classes
        head = 2 * self.N * (self.T if self.kind == "lm" else 1) * self.H * outputs
        return 3 * (lstm + head)


WORKLOADS = {
    "mnist": Workload("classify", 64, 28, 28, 128, classes=10),
    "imdb": Workload("classify", 32, 200, 50, 128, vocab=20_000, classes=2),
    "ptb-small": Workload("lm", 20, 35, 200, 200, layers=2, vocab=10_000),
    "ptb-ours": Workload("lm", 20, 35, 300, 300, layers=2, vocab=10_000),
    "ptb-medium": Workload("lm", 20, 35, 650, 650, layers=2, vocab=10_000),
    "sst5": Workload("classify", 64, 19, 50, 168, vocab=16_000, classes=5),
}
# Environment variables that change speed; the results file records them.
ENV_PREFIXES = ("LSTM_COURSE_", "MALLOC_", "OMP_", "OPENBLAS_", "MKL_", "TORCHINDUCTOR_")
IMPLS = ("numpy-f32", "numpy-f64", "scratch", "nn.LSTM", "course")
# the LSTM variants of torch_models.variants and nn.GRU, one layer, in the minimal model
VARIANT_IMPLS = ("lstm-vanilla", "lstm-nfg", "lstm-nog", "lstm-nig", "lstm-noaf", "lstm-ph",
                 "lstm-cifg", "lstm-fgr", "nn.GRU")
EXTRA_IMPLS = ("nn.LSTM-f64", "compile", "compile-scratch") + VARIANT_IMPLS


def minimal_model(w: Workload, lstm):
    """[embedding ->] ``lstm`` -> mean over time -> linear (classify), or -> linear per step (lm)."""
    from torch import nn

    class MinimalModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = lstm
            self.embedding = nn.Embedding(w.vocab, w.D) if w.vocab else None
            self.head = nn.Linear(w.H, w.vocab if w.kind == "lm" else w.classes)

        def forward(self, x, state=None):
            x = self.embedding(x) if self.embedding is not None else x
            h, state = self.lstm(x, state)  # (N, T, H)
            return (self.head(h), state) if w.kind == "lm" else self.head(h.mean(1))

    return MinimalModel()


def random_batch(w: Workload, rng, device=None):
    x = rng.integers(0, w.vocab, (w.N, w.T)) if w.vocab else rng.standard_normal((w.N, w.T, w.D))
    y = rng.integers(0, w.vocab if w.kind == "lm" else w.classes, (w.N, w.T) if w.kind == "lm" else w.N)
    return x, y


def numpy_step(w: Workload, dtype):
    """One training step of the NumPy core's model (classifier or language model) and SGD."""
    from course_lib.numpy_core.models import LanguageModel, SequenceClassifier
    from course_lib.numpy_core.optim import SGD

    x, y = random_batch(w, np.random.default_rng(0))
    if w.kind == "lm":
        model = LanguageModel(w.vocab, w.D, w.H, num_layers=w.layers, dtype=dtype)
        loss = lambda: model.loss(x, y, average="batch")  # noqa: E731
    else:
        x = x if w.vocab else x.astype(dtype)
        model = SequenceClassifier(w.D, w.H, w.classes, num_layers=w.layers, vocab_size=w.vocab,
                                   dtype=dtype)
        loss = lambda: model.loss(x, y)  # noqa: E731
    optimizer = SGD(model.params, lr=0.01)

    def step():
        optimizer.step(loss()[1])
    return step


def torch_model(w: Workload, impl):
    from torch import nn

    from course_lib.torch_models import LSTM, LanguageModel, SequenceClassifier

    if impl == "course":
        if w.kind == "lm":
            return LanguageModel(w.vocab, w.D, w.H, w.layers)
        inputs = {"vocab_size": w.vocab, "embed_dim": w.D} if w.vocab else {"input_size": w.D}
        return SequenceClassifier(w.classes, hidden_size=w.H, num_layers=w.layers, **inputs)
    if impl in ("scratch", "compile-scratch"):
        return minimal_model(w, LSTM(w.D, w.H, w.layers))
    if impl in VARIANT_IMPLS:
        from course_lib.torch_models.variants import VARIANT_TYPES

        if w.layers != 1:
            raise ValueError(f"{impl} is benchmarked with one layer, the workload has {w.layers}")
        make = nn.GRU if impl == "nn.GRU" else VARIANT_TYPES[impl]
        return minimal_model(w, make(w.D, w.H, batch_first=True))
    return minimal_model(w, nn.LSTM(w.D, w.H, w.layers, batch_first=True))


def torch_step(w: Workload, impl, device):
    """One training step of a torch implementation and SGD (``device`` None: the CPU)."""
    import torch
    from torch import nn

    device = device or torch.device("cpu")
    torch.manual_seed(0)
    dtype = torch.float64 if impl.endswith("f64") else torch.float32
    model = torch_model(w, impl).to(device, dtype)
    x, y = random_batch(w, np.random.default_rng(0))
    x = torch.as_tensor(x, device=device, dtype=torch.long if w.vocab else dtype)
    y = torch.as_tensor(y, device=device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    forward = torch.compile(model) if impl.startswith("compile") else model
    state = [None]

    def step():
        optimizer.zero_grad(set_to_none=True)
        if w.kind == "lm":  # state carried and detached, loss summed over time (Zaremba)
            logits, new = forward(x, state[0])
            state[0] = new.detach() if torch.is_tensor(new) else tuple(s.detach() for s in new)
            loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="sum") / w.N
        else:
            loss = nn.functional.cross_entropy(forward(x), y)
        loss.backward()
        optimizer.step()
    return step


def matmul_peak(device, sizes=(512, 1024, 2048), repeats=10, clock=time.perf_counter) -> dict:
    """Best float32 matrix-multiply rate (GFLOP/s) of torch and NumPy on square matrices
    (the fastest of ``repeats`` products per size: a peak, not a typical rate)."""
    import torch

    def best(mm, make, sync=lambda: None):
        rates = []
        for n in sizes:
            a, b = make(n), make(n)
            mm(a, b)
            times = []
            for _ in range(repeats):
                sync()
                t = clock()
                mm(a, b)
                sync()
                times.append(clock() - t)
            rates.append(2 * n**3 / min(times) / 1e9)
        return max(rates)
    sync = _synchronize(device)
    peak = {"torch": best(torch.mm, lambda n: torch.randn(n, n, device=device), sync)}
    if device.type == "cpu":
        rng = np.random.default_rng(0)
        peak["numpy"] = best(np.matmul, lambda n: rng.standard_normal((n, n), dtype=np.float32))
    return peak


def time_workload(w: Workload, impls, device=None, repeats=5, target_s=0.5, progress=None,
                  clock=time.perf_counter) -> dict:
    """Median seconds per step for each implementation (names from ``IMPLS``), timed in
    interleaved rounds, on ``device`` (a torch device; None: the CPU).

    After a first step (allocations, compilation) and a calibrating one, each of the
    ``repeats`` rounds runs every implementation for about ``target_s`` seconds (at least one
    step; ``target_s=0``: exactly one). ``clock``: ``time.perf_counter`` (wall time) or
    ``time.process_time`` (CPU time).
    """
    sync = _synchronize(device)
    steps, counts, compile_s = {}, {}, {}
    for impl in impls:
        steps[impl] = (numpy_step(w, np.float32 if impl == "numpy-f32" else np.float64)
                       if impl.startswith("numpy") else torch_step(w, impl, device))
        sync()
        t = time.perf_counter()  # wall time: compilation also runs in helper processes
        steps[impl]()  # first step: allocations, or compilation for "compile"
        sync()
        compile_s[impl] = time.perf_counter() - t
        t = clock()
        steps[impl]()
        sync()
        counts[impl] = max(1, round(target_s / max(clock() - t, 1e-6)))
    times = {impl: [] for impl in impls}
    for _ in range(repeats):
        for impl in impls:
            sync()
            t = clock()
            for _ in range(counts[impl]):
                steps[impl]()
            sync()
            times[impl].append((clock() - t) / counts[impl])
            if progress:
                progress.update(1)
    return {impl: {"median_s": statistics.median(ts), "times_s": ts, "steps_per_repeat": counts[impl],
                   "first_step_wall_s": compile_s[impl]} for impl, ts in times.items()}


def _synchronize(device):
    """What waits for the device's queued work: CUDA's synchronize, or nothing on a CPU."""
    if device is not None and device.type == "cuda":
        import torch

        return torch.cuda.synchronize
    return lambda: None


def markdown_table(record) -> str:
    lines = [f"# lstm-course bench on {record['device']['name']} ({record['device']['type']}, "
             f"{record['device']['torch_threads']} torch thread(s))", "",
             f"float32 matmul peak: {record['peak_gflops']:.0f} GFLOP/s; medians of "
             f"{record['repeats']} interleaved repetitions, {record.get('clock', 'wall')} clock; "
             f"{record['started']}; load average "
             f"(1 min) {record.get('load_average_at_start', [float('nan')])[0]:.1f} at the start, "
             f"{record.get('load_average_at_end', [float('nan')])[0]:.1f} at the end.", "",
             f"Command: `{record.get('command', 'lstm-course bench')}`; environment: "
             + (", ".join(f"`{k}={v}`" for k, v in record.get("environment", {}).items()) or "-")
             + ".", ""]
    rows = [{"workload": name, "implementation": impl, "throughput": f"{r['throughput']:,.0f}",
             "unit": wl["unit"],
             "× nn.LSTM": "" if r["ratio_to_nn_lstm"] is None else f"{r['ratio_to_nn_lstm']:.2f}",
             "GFLOP/s": f"{r['gflops']:.0f}", "% of peak": f"{100 * r['fraction_of_peak']:.0f} %",
             "first step (s)": f"{r.get('first_step_wall_s', float('nan')):.1f}"}
            for name, wl in record["workloads"].items() for impl, r in wl["results"].items()]
    lines.append(table_of(rows, right=("throughput", "× nn.LSTM", "GFLOP/s", "% of peak",
                                       "first step (s)")))
    return "\n".join(lines) + "\n"


def run_bench(workloads, impls, device, repeats=5, target_s=0.5, progress=True,
              clock_name="wall") -> dict:
    from tqdm.auto import tqdm

    import course_lib
    from course_lib.runs.provenance import device_info, git_commit, library_versions

    clock = {"wall": time.perf_counter, "cpu": time.process_time}[clock_name]
    started, start = datetime.now(timezone.utc), time.perf_counter()
    peak = matmul_peak(device, clock=clock)
    record = {"device": device_info(device), "versions": library_versions(), "git_commit": git_commit(),
              "started": started.isoformat(timespec="seconds"), "repeats": repeats,
              "clock": clock_name, "command": " ".join(["lstm-course", *sys.argv[1:]]),
              "fast_float_settings": course_lib.FAST_FLOAT_SETTINGS,
              "environment": {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIXES)},
              "load_average_at_start": os.getloadavg(),
              "peak_gflops_measured": peak, "peak_gflops": max(peak.values()), "workloads": {}}
    bar = tqdm(total=len(workloads) * len(impls) * repeats, unit="timing", disable=not progress)
    for name in workloads:
        w = WORKLOADS[name]
        bar.set_description(name)
        ok = [i for i in impls if device.type == "cpu" or not i.startswith("numpy")]
        timed = time_workload(w, ok, device, repeats, target_s, bar, clock)
        reference = timed.get("nn.LSTM", {}).get("median_s")
        for r in timed.values():
            r["throughput"] = w.items() / r["median_s"]
            r["ratio_to_nn_lstm"] = reference / r["median_s"] if reference else None
            r["gflops"] = w.flops() / r["median_s"] / 1e9
            r["fraction_of_peak"] = r["gflops"] / record["peak_gflops"]
        record["workloads"][name] = {"shape": asdict(w), "unit": w.unit, "results": timed}
    bar.close()
    record["wall_time_s"] = time.perf_counter() - start
    record["load_average_at_end"] = os.getloadavg()
    return record


def add_arguments(parser):
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help=f"comma-separated, from {', '.join(WORKLOADS)} (default: all)")
    parser.add_argument("--impls", default=",".join(IMPLS),
                        help=f"comma-separated, from {', '.join(IMPLS + EXTRA_IMPLS)}")
    parser.add_argument("--compile", action="store_true",
                        help="add compile and compile-scratch (torch.compile; slow to compile)")
    parser.add_argument("--quick", action="store_true", help="3 short repetitions instead of 5")
    parser.add_argument("--repeats", type=int, help="repetitions per implementation (default 5)")
    parser.add_argument("--device", help="auto | cpu | cuda | mps (default: auto)")
    parser.add_argument("--threads", type=int,
                        help="CPU threads for torch and OpenBLAS (default: their own choice)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall time (default), or process CPU time (use with --threads 1 "
                             "on a busy machine)")
    parser.add_argument("--tag", help="suffix of the output files: bench-<device>-<tag>.json")
    parser.add_argument("--output-dir", help="default: results/")
    parser.add_argument("--no-progress", action="store_true")


def main(args) -> int:
    import torch

    from course_lib.env.device import get_device
    from course_lib.env.paths import RESULTS_DIR

    workloads = [s.strip() for s in args.workloads.split(",") if s.strip()]
    impls = [s.strip() for s in args.impls.split(",") if s.strip()]
    impls += [i for i in ("compile", "compile-scratch") if args.compile and i not in impls]
    for name, known in ((workloads, WORKLOADS), (impls, IMPLS + EXTRA_IMPLS)):
        unknown = set(name) - set(known)
        if unknown:
            raise SystemExit(f"unknown: {', '.join(sorted(unknown))}; choose from {', '.join(known)}")
    if args.threads:
        torch.set_num_threads(args.threads)
        set_blas_threads(args.threads)
    device = get_device(args.device)
    repeats = args.repeats or (3 if args.quick else 5)
    record = run_bench(workloads, impls, device, repeats, 0.2 if args.quick else 0.5,
                       not args.no_progress, args.clock)
    stem = f"bench-{device.type}" + (f"-{args.tag}" if args.tag else "")
    out = Path(args.output_dir or RESULTS_DIR)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.json").write_text(json.dumps(record, indent=1) + "\n")
    table = markdown_table(record)
    (out / f"{stem}.md").write_text(table)
    print(table)
    print(f"written: {out / stem}.json and .md ({record['wall_time_s']:.0f} s)")
    return 0
