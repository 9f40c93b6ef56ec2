"""The one training loop every experiment of the course uses.

>>> trainer = Trainer(model, task, TrainConfig(epochs=5), checkpoint_dir="checkpoints/demo")  # doctest: +SKIP
>>> summary = trainer.fit()            # per-epoch history, final and best metrics  # doctest: +SKIP
>>> summary = trainer.fit(resume=True)  # continues from checkpoints/demo/last.pt  # doctest: +SKIP

What it does, in the order the lessons of the course's seeds ask for:

- evaluates on the validation split (and the test split with ``eval_test``) after *every* epoch,
  so one run gives every epoch count; the history keeps every metric per epoch;
- clips gradients by their global norm, and records the mean norm before clipping;
- seeds everything: the same seed gives identical metrics on a CPU; the batch order of epoch e
  depends only on (seed, e), so a resumed run sees exactly the batches it would have seen;
- saves a checkpoint after every epoch (``last.pt``, and ``best.pt`` with the best weights so
  far); ``fit(resume=True)`` continues to the *identical* final metrics; Ctrl-C finishes the
  current step, saves a checkpoint, then stops;
- stops with :class:`NonFiniteLossError`, naming the epoch and step, when the loss becomes NaN or
  infinite; the last good checkpoint is left untouched;
- chooses the best epoch (``best.pt``, early stopping, the plateau schedule) by
  ``config.monitor``, a validation metric: a test metric is refused with a ValueError
  (:mod:`course_lib.env.selection`); the test curve of ``eval_test`` is for plots only;
- early stopping, mixed precision on cuda (never on a CPU), ``tqdm`` progress bars.

What a batch is and how a loss is computed is the task's business (:mod:`.tasks`).
"""

from __future__ import annotations

import math
import random
import signal
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from course_lib.env.selection import check_selectable, default_monitor, direction, is_better
from course_lib.training.checkpoint import (
    load_checkpoint,
    rng_state,
    save_checkpoint,
    set_rng_state,
)
from course_lib.training.optim import (
    TrainConfig,
    learning_rate,
    make_optimizer,
    make_plateau,
    set_learning_rate,
)


class NonFiniteLossError(RuntimeError):
    """The training loss became NaN or infinite."""


def to_device(obj, device):
    """Move the tensors in obj (a tensor, or tuples/lists/dicts of them) to ``device``."""
    if isinstance(obj, torch.Tensor):
        return obj.to(device, non_blocking=True)
    if isinstance(obj, (tuple, list)):
        return type(obj)(to_device(o, device) for o in obj)
    if isinstance(obj, dict):
        return {k: to_device(v, device) for k, v in obj.items()}
    return obj


def _add(totals, new):
    for k, (s, c) in new.items():
        old = totals.get(k, (0.0, 0))
        totals[k] = (old[0] + float(s), old[1] + c)


class Trainer:
    """Train ``model`` on ``task`` as ``config`` says; see the module docstring.

    ``device``: where to train (default :func:`course_lib.get_device`: cuda, mps, then cpu).
    ``checkpoint_dir``: folder for ``last.pt`` / ``best.pt`` (None: no checkpoints).
    ``progress``: show tqdm bars and one line per epoch.
    ``param_groups``: optimiser parameter groups (see :func:`make_optimizer`); default: every
    parameter of ``model`` with the config's learning rate.
    """

    def __init__(self, model, task, config: TrainConfig | None = None, *, device=None,
                 checkpoint_dir=None, progress=True, name="train", param_groups=None):
        from course_lib.env.device import get_device

        self.config = config or TrainConfig()
        self.device = torch.device(device) if device is not None else get_device()
        self.model, self.task, self.name, self.progress = model.to(self.device), task, name, progress
        self.checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir else None
        self.optimizer = make_optimizer(model.parameters() if param_groups is None else param_groups,
                                        self.config)
        self.use_amp = self.config.amp and self.device.type == "cuda"
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.use_amp)
        # the metric that chooses the best epoch, best.pt and early stopping: never a test one
        monitor = self.config.monitor or default_monitor("val" in task.splits)
        self.monitor = check_selectable(monitor)
        self.mode = direction(self.monitor)
        self.plateau = make_plateau(self.optimizer, self.config, self.mode)
        self.history: dict[str, list] = {}
        self.epoch = 0  # epochs completed
        self.best = None  # {"epoch": e, "value": v}
        self.bad_epochs, self.stopped_early, self.finished = 0, False, False
        self.wall_time = 0.0
        self._resume_point = None  # mid-epoch position after a Ctrl-C checkpoint
        self._stop_requested = False

    # ---------------------------------------------------------------- checkpoints
    @property
    def checkpoint_path(self):
        return self.checkpoint_dir / "last.pt" if self.checkpoint_dir else None

    def state_dict(self, partial=None) -> dict:
        return {
            "model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
            "scaler": self.scaler.state_dict(),
            "plateau": self.plateau.state_dict() if self.plateau else None,
            "epoch": self.epoch, "history": self.history, "best": self.best,
            "bad_epochs": self.bad_epochs, "stopped_early": self.stopped_early,
            "finished": self.finished, "wall_time": self.wall_time, "partial": partial,
            "rng": rng_state(), "config": asdict(self.config),
        }

    def load_state_dict(self, ckpt: dict) -> None:
        self.model.load_state_dict(ckpt["model"])
        self.optimizer.load_state_dict(ckpt["optimizer"])
        self.scaler.load_state_dict(ckpt["scaler"])
        if self.plateau and ckpt["plateau"]:
            self.plateau.load_state_dict(ckpt["plateau"])
        self.epoch, self.history, self.best = ckpt["epoch"], ckpt["history"], ckpt["best"]
        self.bad_epochs, self.stopped_early = ckpt["bad_epochs"], ckpt["stopped_early"]
        self.finished, self.wall_time = ckpt["finished"], ckpt["wall_time"]
        self._resume_point = ckpt["partial"]
        set_rng_state(ckpt["rng"])

    def save(self, partial=None):
        if self.checkpoint_path:
            save_checkpoint(self.checkpoint_path, self.state_dict(partial))

    # ---------------------------------------------------------------- the loop
    def fit(self, resume=False) -> dict:
        """Train to ``config.epochs`` (or early stop); returns :meth:`summary`.

        ``resume=True`` continues from ``checkpoint_dir/last.pt`` when it exists (also a finished
        run, when ``config.epochs`` is now larger).
        """
        if resume and self.checkpoint_path and self.checkpoint_path.exists():
            self.load_state_dict(load_checkpoint(self.checkpoint_path))
        else:
            torch.manual_seed(self.config.seed)
            random.seed(self.config.seed)
            np.random.seed(self.config.seed % 2**32)
        if self.stopped_early or self.epoch >= self.config.epochs:
            return self.summary()  # nothing left to do (resume with more epochs to go on)
        old_handler = self._catch_ctrl_c()
        epochs = tqdm(total=self.config.epochs, initial=self.epoch, desc=self.name, unit="epoch",
                      disable=not self.progress)
        try:
            while self.epoch < self.config.epochs and not self.stopped_early:
                start = time.perf_counter()
                row = self._train_epoch()
                for split in ("val", "test"):
                    if split in self.task.splits and (split == "val" or self.config.eval_test):
                        row.update({f"{split}_{k}": v for k, v in self.evaluate(split).items()})
                row["time_s"] = row.get("time_s", 0.0) + time.perf_counter() - start
                self._end_epoch(row)
                epochs.set_postfix({k: f"{v:.4g}" for k, v in row.items() if k.startswith("val_")},
                                   refresh=False)
                epochs.update(1)
                if self._stop_requested:
                    self._interrupted()
            self.finished = True
            self.save()
        finally:
            epochs.close()
            if old_handler is not None:
                signal.signal(signal.SIGINT, old_handler)
        return self.summary()

    def _train_epoch(self) -> dict:
        e, cfg, task = self.epoch, self.config, self.task
        self.model.train()
        if cfg.schedule != "plateau":
            set_learning_rate(self.optimizer, learning_rate(cfg, e))
        generator = torch.Generator().manual_seed(cfg.seed * 100_003 + e)
        partial = self._resume_point or {"step": 0, "totals": {}, "norm": (0.0, 0),
                                         "state": task.start(self.model, "train"), "time_s": 0.0}
        self._resume_point = None
        state, totals, (norm_sum, norm_count) = partial["state"], partial["totals"], partial["norm"]
        state = to_device(state, self.device)
        start_time, n = time.perf_counter() - partial["time_s"], task.num_batches("train")
        bar = tqdm(total=n, initial=partial["step"], desc=f"epoch {e + 1}/{cfg.epochs}",
                   unit="batch", leave=False, disable=not self.progress)
        params = [p for p in self.model.parameters() if p.requires_grad]
        for step, batch in enumerate(task.batches("train", generator)):
            if step < partial["step"]:
                continue  # already trained on before the interruption
            batch = to_device(batch, self.device)
            with torch.autocast(self.device.type, dtype=torch.float16, enabled=self.use_amp):
                loss, step_totals, state = task.step(self.model, batch, state)
            value = loss.item()
            if not math.isfinite(value):
                bar.close()
                raise self._non_finite(value, e, step)
            self.optimizer.zero_grad(set_to_none=True)
            self.scaler.scale(loss).backward()
            self.scaler.unscale_(self.optimizer)
            norm = float(torch.nn.utils.clip_grad_norm_(params, cfg.clip_norm or math.inf))
            self.scaler.step(self.optimizer)
            self.scaler.update()
            _add(totals, step_totals)
            if math.isfinite(norm):
                norm_sum, norm_count = norm_sum + norm, norm_count + 1
            bar.update(1)
            bar.set_postfix(loss=f"{totals['loss'][0] / totals['loss'][1]:.4f}", refresh=False)
            if self._stop_requested:  # Ctrl-C: save where we are, then stop
                bar.close()
                self.save({"step": step + 1, "totals": totals, "norm": (norm_sum, norm_count),
                           "state": state, "time_s": time.perf_counter() - start_time})
                self._interrupted()
        bar.close()
        row = {"lr": self.optimizer.param_groups[0]["lr"]}
        row.update({f"train_{k}": v for k, v in task.metrics(totals).items()})
        row["train_grad_norm"] = norm_sum / max(norm_count, 1)
        row["time_s"] = partial["time_s"]  # time spent before an interruption, if any
        return row

    def _end_epoch(self, row):
        """Record the epoch, pick the best, step the schedule, maybe stop, save a checkpoint."""
        self.epoch += 1
        self.history.setdefault("epoch", []).append(self.epoch)
        for k, v in row.items():
            self.history.setdefault(k, []).append(v)
        self.wall_time += row["time_s"]
        if self.monitor not in row:
            raise ValueError(f"monitor {self.monitor!r} is not a metric; choose one of {sorted(row)}")
        value = row[self.monitor]
        if is_better(value, self.best["value"] if self.best else None, self.monitor):
            self.best, self.bad_epochs = {"epoch": self.epoch, "value": value}, 0
            if self.checkpoint_dir:
                save_checkpoint(self.checkpoint_dir / "best.pt", {"model": self.model.state_dict(),
                                                                  "epoch": self.epoch})
        else:
            self.bad_epochs += 1
        if self.plateau:
            self.plateau.step(value)
        if self.config.early_stopping and self.bad_epochs >= self.config.early_stopping:
            self.stopped_early = True
        self.save()
        if self.progress:
            shown = "  ".join(f"{k} {v:.4g}" for k, v in row.items() if k != "lr")
            tqdm.write(f"{self.name} epoch {self.epoch}/{self.config.epochs}  {shown}")

    @torch.no_grad()
    def evaluate(self, split) -> dict:
        """The task's metrics on ``split`` with the model in eval mode (no dropout)."""
        was_training = self.model.training
        self.model.eval()
        state, totals = self.task.start(self.model, split), {}
        for batch in self.task.batches(split):
            with torch.autocast(self.device.type, dtype=torch.float16, enabled=self.use_amp):
                _, step_totals, state = self.task.step(self.model, to_device(batch, self.device), state)
            _add(totals, step_totals)
        self.model.train(was_training)
        return self.task.metrics(totals)

    def summary(self) -> dict:
        """JSON-ready: history, final (last epoch) and best metrics, and how the run ended."""
        h = self.history
        def row(i):
            return {k: v[i] for k, v in h.items() if k not in ("epoch", "lr", "time_s")}
        return {
            "history": h, "epochs_run": self.epoch, "final": row(-1) if h else {},
            "monitor": self.monitor, "best_epoch": self.best["epoch"] if self.best else None,
            "best": row(self.best["epoch"] - 1) if self.best else {},
            "stopped_early": self.stopped_early, "wall_time_s": self.wall_time,
        }

    # ---------------------------------------------------------------- failures
    def _non_finite(self, value, epoch, step):
        where = (f"the last good checkpoint is {self.checkpoint_path} (after epoch {self.epoch})"
                 if self.checkpoint_path and self.checkpoint_path.exists() else "no checkpoint was saved")
        return NonFiniteLossError(
            f"{self.name}: the loss is {value} at epoch {epoch + 1}, step {step + 1}; {where}. "
            "Try a smaller learning rate or gradient clipping (clip_norm).")

    def _catch_ctrl_c(self):
        """First Ctrl-C: stop after the current step with a checkpoint. Second: stop at once."""
        if threading.current_thread() is not threading.main_thread():
            return None
        self._stop_requested = False

        def handler(signum, frame):
            if self._stop_requested:
                raise KeyboardInterrupt
            self._stop_requested = True
            print(f"\n{self.name}: Ctrl-C, saving a checkpoint after this step "
                  "(press again to quit at once)", file=sys.stderr)

        return signal.signal(signal.SIGINT, handler)

    def _interrupted(self):
        where = (f"checkpoint saved to {self.checkpoint_path}; continue with resume"
                 if self.checkpoint_path else "no checkpoint_dir, nothing saved")
        raise KeyboardInterrupt(f"{self.name}: interrupted at epoch {self.epoch + 1}; {where}")
