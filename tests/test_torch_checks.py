"""The notebook-05 checkers pass correct answers and name each broken one's mistake."""

import torch
from torch import nn

from course_lib.checks.torch_cell import (
    check_torch_lstm_step,
    check_train_step,
    reference_train_step,
)


def run(check, fn, capsys, **kwargs):
    ok = check(fn, **kwargs)
    return ok, capsys.readouterr().out


def my_step(x, h, c, Wx, Wh, b):  # a student's answer (the course's lstm_step is refused)
    i, f, g, o = (x @ Wx + h @ Wh + b).chunk(4, 1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def my_train_step(model, optimizer, inputs, targets, clip_norm):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(inputs), targets)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    optimizer.step()
    return loss.item()


def test_correct_cell_passes_and_mistakes_are_named(capsys):
    assert run(check_torch_lstm_step, my_step, capsys)[0]
    assert run(check_torch_lstm_step, my_step, capsys, seed=20, dims=(5, 2, 7))[0]

    def fixed_h(x, h, c, Wx, Wh, b):  # hard-codes H = 4, the size of the visible check
        a = x @ Wx + h @ Wh + b
        i, f, g, o = a[:, :4], a[:, 4:8], a[:, 8:12], a[:, 12:16]
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c

    assert run(check_torch_lstm_step, fixed_h, capsys)[0]
    assert not run(check_torch_lstm_step, fixed_h, capsys, seed=20, dims=(5, 2, 7))[0]

    def sigmoid_g(x, h, c, Wx, Wh, b):
        i, f, g, o = (x @ Wx + h @ Wh + b).chunk(4, 1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.sigmoid(g)
        return torch.sigmoid(o) * torch.tanh(c), c

    ok, out = run(check_torch_lstm_step, sigmoid_g, capsys)
    assert not ok and "uses tanh" in out

    def via_numpy(x, h, c, Wx, Wh, b):
        nh, nc = my_step(x, h, c, Wx, Wh, b)
        return torch.tensor(nh.detach().numpy()), torch.tensor(nc.detach().numpy())

    ok, out = run(check_torch_lstm_step, via_numpy, capsys)
    assert not ok and "autograd" in out

    def not_done(*args):
        raise NotImplementedError()

    assert "not implemented" in run(check_torch_lstm_step, not_done, capsys)[1]

    ok, out = run(check_torch_lstm_step, lambda *args: None, capsys)  # a forgotten return
    assert not ok and "should return 2 tensors (next_h, next_c), got NoneType" in out


def test_train_step_checker(capsys):
    assert run(check_train_step, my_train_step, capsys)[0]
    assert run(check_train_step, my_train_step, capsys, seed=21, dims=(6, 4, 3, 5, 4))[0]

    def no_zero_grad(model, optimizer, inputs, targets, clip_norm):
        return reference_train_step(model, optimizer, inputs, targets, clip_norm, zero_grad=False)

    ok, out = run(check_train_step, no_zero_grad, capsys)
    assert not ok and "zero_grad()" in out

    def no_clip(model, optimizer, inputs, targets, clip_norm):
        return reference_train_step(model, optimizer, inputs, targets, clip_norm, clip=None)

    assert "clip_grad_norm_" in run(check_train_step, no_clip, capsys)[1]

    def tensor_loss(model, optimizer, inputs, targets, clip_norm):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        optimizer.step()
        return loss

    ok, out = run(check_train_step, tensor_loss, capsys)
    assert not ok and "loss.item()" in out
