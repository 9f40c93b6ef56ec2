"""The notebook-05 checkers pass correct answers and name each broken one's mistake."""

import pytest
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


# ---------------------------------------------------------------- debugging a planted step bug
def _fresh():
    from course_lib.checks.torch_cell import debug_problem

    return debug_problem()


def _call(step, lr=0.1, clip_norm=1e9, calls=1):
    """Run ``step`` ``calls`` times on a fresh problem: (losses, parameters, gradients)."""
    model, inputs, targets = _fresh()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = [step(model, optimizer, inputs, targets, clip_norm) for _ in range(calls)]
    params = [p.detach().clone() for p in model.parameters()]
    grads = [torch.zeros_like(p) if p.grad is None else p.grad.clone() for p in model.parameters()]
    return losses, params, grads


def _global_norm(tensors):
    return float(torch.sqrt(sum((t**2).sum() for t in tensors)))


def test_each_planted_step_bug_does_what_its_story_says():
    """The four bugs measured against a student's correct step, one trace each."""
    from course_lib.checks.torch_cell import _buggy_step

    def broken(bug):
        return lambda *args: _buggy_step(*args, bug)

    model, inputs, targets = _fresh()
    start = [p.detach().clone() for p in model.parameters()]
    with torch.no_grad():
        mean_loss = nn.functional.cross_entropy(model(inputs), targets).item()
    right = {"one": _call(my_train_step), "clipped": _call(my_train_step, lr=0.0, clip_norm=1e-3),
             "twice": _call(my_train_step, lr=0.0, calls=2)}
    assert right["one"][0][0] == mean_loss
    assert 0.99e-3 < _global_norm(right["clipped"][2]) <= 1e-3  # clip_norm, less a rounding eps

    # step: nothing moves, though the gradient is there
    losses, params, grads = _call(broken("step"))
    assert all(torch.equal(a, b) for a, b in zip(params, start)) and _global_norm(grads) > 0
    # loss: N times the mean, returned and differentiated
    losses, params, grads = _call(broken("loss"), lr=0.0)
    assert losses[0] == pytest.approx(len(targets) * mean_loss, rel=1e-12)
    assert _global_norm(grads) == pytest.approx(len(targets) * _global_norm(right["twice"][2]),
                                                rel=1e-9)
    # clip: the gradient left behind is the unclipped one
    _, _, grads = _call(broken("clip"), lr=0.0, clip_norm=1e-3)
    assert _global_norm(grads) > 100 * 1e-3
    # zero_grad: a second call on the same batch doubles .grad (and the first looks right)
    _, _, once = _call(broken("zero_grad"), lr=0.0)
    _, _, twice = _call(broken("zero_grad"), lr=0.0, calls=2)
    assert all(torch.allclose(a, b) for a, b in zip(once, right["twice"][2]))
    assert all(torch.allclose(2 * a, b) for a, b in zip(once, twice))


def test_planted_step_bugs_are_spread_over_the_moves_and_fixed_by_the_seed():
    from course_lib.checks.torch_cell import STEP_BUGS, planted_bug_step, planted_step_bug

    assert {planted_step_bug(seed) for seed in range(40)} == set(STEP_BUGS)
    assert planted_step_bug("Ada Lovelace") == planted_step_bug("Ada Lovelace")
    assert "planted bug, seed 7" in repr(planted_bug_step(7))
    for wrong in (None, True, "", 1.5):
        with pytest.raises(TypeError):
            planted_bug_step(wrong)


def test_naming_the_planted_step_bug(capsys):
    from course_lib.checks.torch_cell import STEP_STORIES, check_planted_step_bug, planted_step_bug

    bug = planted_step_bug(2026)
    ok, out = run(check_planted_step_bug, bug, capsys, seed=2026)
    assert ok and STEP_STORIES[bug] in out
    other = next(b for b in STEP_STORIES if b != bug)
    ok, out = run(check_planted_step_bug, other, capsys, seed=2026)
    assert not ok and "measure, don't guess" in out
    ok, out = run(check_planted_step_bug, "optimizer.zero_grad()", capsys, seed=2026)
    assert not ok and "name the wrong move as one of" in out


def finder_by_comparison(step_fn, make_problem):
    """A student's find_bug: run the step and their own correct one side by side, and see
    which measurement differs."""
    def side_by_side(lr, clip_norm, calls):
        results = []
        for step in (step_fn, my_train_step):
            model, inputs, targets = make_problem()
            optimizer = torch.optim.SGD(model.parameters(), lr=lr)
            losses = [step(model, optimizer, inputs, targets, clip_norm) for _ in range(calls)]
            results.append((losses, [p.detach().clone() for p in model.parameters()],
                            [p.grad.clone() for p in model.parameters()]))
        return results

    def same(a, b):
        return all(torch.allclose(x, y, rtol=1e-7, atol=1e-12) for x, y in zip(a, b))

    (theirs, mine) = side_by_side(lr=0.5, clip_norm=1e6, calls=1)
    if not same(theirs[1], mine[1]) and same(theirs[1], [p.detach() for p in make_problem()[0].parameters()]):
        return "step"
    if abs(theirs[0][0] - mine[0][0]) > 1e-9:
        return "loss"
    (theirs, mine) = side_by_side(lr=0.0, clip_norm=1e-4, calls=1)
    if not same(theirs[2], mine[2]):
        return "clip"
    (theirs, mine) = side_by_side(lr=0.0, clip_norm=1e6, calls=3)
    if not same(theirs[2], mine[2]):
        return "zero_grad"
    return None


def test_a_correct_find_bug_passes_on_the_visible_and_hidden_problems(capsys):
    from course_lib.checks.torch_cell import check_find_bug

    assert run(check_find_bug, finder_by_comparison, capsys)[0]
    assert run(check_find_bug, finder_by_comparison, capsys, seed=21, dims=(6, 4, 3, 5, 4))[0]
    assert run(check_find_bug, finder_by_comparison, capsys, seed=22, dims=(2, 9, 1, 3, 2))[0]


def test_find_bug_that_calls_each_step_once_misses_the_missing_zero_grad(capsys):
    """The planted wrong answer: one call per measurement, so a .grad never cleared looks right."""
    from course_lib.checks.torch_cell import MISSED_HINTS, check_find_bug

    def one_call_each(step_fn, make_problem):
        answer = finder_by_comparison(step_fn, make_problem)
        return None if answer == "zero_grad" else answer

    ok, out = run(check_find_bug, one_call_each, capsys)
    assert not ok and "on the step whose bug is in 'zero_grad' it says None (no bug)" in out
    assert MISSED_HINTS["zero_grad"] in out


def test_find_bug_that_measures_the_loss_after_the_update_raises_a_false_alarm(capsys):
    from course_lib.checks.torch_cell import FALSE_ALARM_HINTS, check_find_bug

    def loss_after_update(step_fn, make_problem):
        model, inputs, targets = make_problem()
        loss = step_fn(model, torch.optim.SGD(model.parameters(), lr=0.1), inputs, targets, 1e9)
        with torch.no_grad():  # the model has been updated: this is not the loss it returned
            if abs(loss - nn.functional.cross_entropy(model(inputs), targets).item()) > 1e-9:
                return "loss"
        return finder_by_comparison(step_fn, make_problem)

    ok, out = run(check_find_bug, loss_after_update, capsys)
    assert not ok and "a false alarm: on a correct step it says 'loss'" in out
    assert FALSE_ALARM_HINTS["loss"] in out


def test_find_bug_refuses_other_answers_and_the_planted_bug_itself(capsys):
    from course_lib.checks import torch_cell as c05

    ok, out = run(c05.check_find_bug, lambda step_fn, make_problem: "clip_grad_norm_", capsys)
    assert not ok and "return one of 'zero_grad', 'loss', 'clip', 'step', or None" in out

    ok, out = run(c05.check_find_bug, lambda step_fn, make_problem: "step", capsys)
    assert not ok and "a false alarm" in out and "on the step whose bug is in 'loss'" in out

    def reads_the_seed(step_fn, make_problem):
        return c05.planted_step_bug(step_fn.seed)

    ok, out = run(c05.check_find_bug, reads_the_seed, capsys)
    assert not ok and "the course's own `planted_step_bug`" in out
