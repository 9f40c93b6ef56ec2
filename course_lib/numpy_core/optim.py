"""Optimisers and gradient clipping for parameter dicts (name -> array), updated in place.

    opt = SGD(model.params, lr=1.0, decay=0.2)
    loss, grads = model.loss(x, y)
    clip_grad_norm(grads, 5.0)
    opt.step(grads)
    opt.end_epoch()  # the seeds' schedule: lr_n = lr0 / (1 + decay * n) after n epochs
"""

from __future__ import annotations

import numpy as np


def global_norm(grads):
    """The L2 norm of all gradients together, sqrt(sum of squares of every entry)."""
    arrays = grads.values() if isinstance(grads, dict) else grads
    return float(np.sqrt(sum(float(np.vdot(g, g)) for g in arrays)))


def clip_grad_norm(grads, max_norm):
    """Scale all gradients in place so that their global norm is at most ``max_norm``.

    ``grads`` is a dict name -> array or a list of arrays. Returns the global norm *before*
    clipping (as ``torch.nn.utils.clip_grad_norm_`` does), useful to watch for explosions.
    """
    if max_norm <= 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    norm = global_norm(grads)
    if norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for g in grads.values() if isinstance(grads, dict) else grads:
            g *= scale
    return norm


class SGD:
    """Plain stochastic gradient descent with the seeds' 1 / (1 + decay n) schedule.

    - params: dict name -> array, updated in place by ``step``
    - lr: the initial learning rate lr0; decay: the schedule's decay (0: constant)
    ``lr`` is lr0 / (1 + decay * n) where n counts the calls of ``end_epoch()``.
    """

    def __init__(self, params, lr=0.1, decay=0.0):
        self.params, self.lr0, self.decay, self.epoch = params, lr, decay, 0

    @property
    def lr(self):
        return self.lr0 / (1 + self.decay * self.epoch)

    def step(self, grads):
        """One update p -= lr * dp for every parameter."""
        lr = self.lr
        for name, p in self.params.items():
            p -= lr * grads[name]

    def end_epoch(self):
        """Advance the schedule by one epoch."""
        self.epoch += 1


class Adam:
    """Adam (Kingma & Ba 2015): per-parameter steps from running moments of the gradient.

    - params: dict name -> array, updated in place by ``step``
    - lr, beta1, beta2, eps: as in the paper (defaults 1e-3, 0.9, 0.999, 1e-8)
    """

    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.params, self.lr, self.beta1, self.beta2, self.eps = params, lr, beta1, beta2, eps
        self.m = {name: np.zeros_like(p) for name, p in params.items()}  # first moment
        self.v = {name: np.zeros_like(p) for name, p in params.items()}  # second moment
        self.t = 0

    def step(self, grads):
        """One Adam update of every parameter (the same arithmetic as torch.optim.Adam)."""
        self.t += 1
        correct1 = 1 - self.beta1**self.t  # bias corrections of the zero-started moments
        correct2 = 1 - self.beta2**self.t
        for name, p in self.params.items():
            g, m, v = grads[name], self.m[name], self.v[name]
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * (g * g)
            p -= (self.lr / correct1) * m / (np.sqrt(v / correct2) + self.eps)
