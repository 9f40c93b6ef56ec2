"""The debugging exercise of practice 03 (issue 16): every planted bug is found by the gradient
checker in its own gradient only, wrong names are refused, the right repair is accepted."""

import numpy as np
import pytest

from course_lib.checks.debug_backward import (
    GRADIENTS,
    check_planted_bug_name,
    check_repaired_step_backward,
    check_wrong_gradient_finder,
    other_students_seeds,
    planted_bug_backward,
    planted_gradient,
)
from course_lib.checks.report import CheckFailed, graded
from course_lib.numpy_core import check_layer_gradients, lstm_step_backward, lstm_step_forward

# one student seed per planted bug (planted_gradient is a hash, so find one of each)
SEEDS = {}
for _seed in range(100):
    SEEDS.setdefault(planted_gradient(_seed), _seed)


def _inputs(N=3, D=4, H=5, seed=0):
    rng = np.random.default_rng(seed)
    return dict(x=rng.standard_normal((N, D)), prev_h=rng.standard_normal((N, H)),
                prev_c=rng.standard_normal((N, H)), Wx=0.5 * rng.standard_normal((D, 4 * H)),
                Wh=0.5 * rng.standard_normal((H, 4 * H)), b=rng.standard_normal(4 * H))


def test_every_gradient_can_be_the_planted_one_and_names_spread_over_students():
    assert sorted(SEEDS) == sorted(GRADIENTS)
    assert planted_gradient("Ada Lovelace") == planted_gradient("Ada Lovelace")
    assert len({planted_gradient(s) for s in range(20)}) >= 4


@pytest.mark.parametrize("gradient", GRADIENTS)
def test_the_gradient_checker_finds_each_planted_bug_in_its_gradient_only(gradient):
    broken = planted_bug_backward(SEEDS[gradient])
    result = check_layer_gradients(lstm_step_forward, broken, _inputs())
    assert "d" + result.worst[0] == gradient and result.worst[1] > 1e-3
    others = [e for name, e in result.errors.items() if "d" + name != gradient]
    assert max(others) < 1e-7


@pytest.mark.parametrize("gradient", GRADIENTS)
def test_the_right_name_passes_and_every_wrong_name_is_refused(gradient, capsys):
    seed = SEEDS[gradient]
    assert graded(check_planted_bug_name, gradient, seed) is True
    assert graded(check_planted_bug_name, gradient[1:], seed) is True  # "Wh" for "dWh"
    for wrong in GRADIENTS:
        if wrong != gradient:
            with pytest.raises(CheckFailed, match=f"{wrong} is not the gradient"):
                graded(check_planted_bug_name, wrong, seed)
    assert gradient not in capsys.readouterr().out.split("FAIL")[-1]  # no answer given away


def test_a_name_that_is_no_gradient_or_no_string_is_refused():
    with pytest.raises(CheckFailed, match="none of the step's gradients"):
        graded(check_planted_bug_name, "dW", 1)
    with pytest.raises(CheckFailed, match="as a string"):
        graded(check_planted_bug_name, None, 1)


def _repair(broken, gradient):
    """A repair that calls ``broken`` and recomputes only ``gradient``."""
    def repaired_step_backward(dnext_h, dnext_c, cache):
        grads = dict(zip(GRADIENTS, broken(dnext_h, dnext_c, cache)))
        x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c = cache
        dc = dnext_c + dnext_h * o * (1 - tanh_c**2)
        da = np.concatenate([dc * g * i * (1 - i), dc * prev_c * f * (1 - f),
                             dc * i * (1 - g**2), dnext_h * tanh_c * o * (1 - o)], axis=1)
        grads[gradient] = {"dx": da @ Wx.T, "dprev_h": da @ Wh.T, "dprev_c": dc * f,
                           "dWx": x.T @ da, "dWh": prev_h.T @ da,
                           "db": da.sum(axis=0)}[gradient]
        return tuple(grads[k] for k in GRADIENTS)
    return repaired_step_backward


@pytest.mark.parametrize("gradient", GRADIENTS)
def test_the_right_repair_passes_and_the_unrepaired_one_fails(gradient):
    broken = planted_bug_backward(SEEDS[gradient])
    assert graded(check_repaired_step_backward, _repair(broken, gradient), broken) is True
    assert graded(check_repaired_step_backward, _repair(broken, gradient), broken, seed=9)
    with pytest.raises(CheckFailed, match=f"{gradient} is still the broken one's"):
        graded(check_repaired_step_backward, lambda a, b, c: broken(a, b, c), broken)


def test_repairing_the_wrong_gradient_names_both():
    broken = planted_bug_backward(SEEDS["dWh"])
    with pytest.raises(CheckFailed) as error:
        graded(check_repaired_step_backward, _repair(broken, "db"), broken)
    assert "dWh is still the broken one's" in str(error.value)
    assert "db" not in str(error.value)  # db recomputed right: nothing to say about it

    def damaged(dnext_h, dnext_c, cache):
        dx, dprev_h, dprev_c, dWx, dWh, db = _repair(broken, "dWh")(dnext_h, dnext_c, cache)
        return dx, dprev_h, dprev_c, dWx, dWh, 2 * db
    with pytest.raises(CheckFailed, match="db was right in broken_step_backward"):
        graded(check_repaired_step_backward, damaged, broken)


def test_the_course_reference_and_a_repair_that_ignores_the_broken_function_fail():
    broken = planted_bug_backward(SEEDS["dx"])
    with pytest.raises(CheckFailed, match="the course's own `lstm_step_backward`"):
        graded(check_repaired_step_backward, lstm_step_backward, broken)
    mine = _repair(lambda a, b, c: (np.zeros(1),) * 6, "dx")  # no call to `broken`
    with pytest.raises(CheckFailed, match="does not call broken_step_backward"):
        graded(check_repaired_step_backward, mine, broken)


def test_a_seed_must_be_a_number_or_a_name():
    with pytest.raises(TypeError, match="student number"):
        planted_bug_backward(1.5)
    assert "planted bug" in repr(planted_bug_backward("Ada"))


# ---------------------------------------------------------------- the hidden test of the name
def find_wrong_gradient(backward, inputs):  # a student's measuring function
    return "d" + check_layer_gradients(lstm_step_forward, backward, inputs).worst[0]


def test_a_measuring_finder_passes_on_every_other_students_bug():
    seeds = other_students_seeds()
    assert sorted(seeds) == sorted(GRADIENTS) and min(seeds.values()) >= 1000
    assert graded(check_wrong_gradient_finder, find_wrong_gradient) is True
    assert graded(check_wrong_gradient_finder, find_wrong_gradient, first_seed=5000,
                  input_seed=8, dims=(4, 2, 3)) is True


def test_a_name_typed_by_hand_fails_without_giving_any_bug_away(capsys):
    def typed_in(backward, inputs):  # right for the student's own seed, 2026, and no other
        return planted_gradient(2026)
    with pytest.raises(CheckFailed, match="for every broken backward") as error:
        graded(check_wrong_gradient_finder, typed_in)
    said = str(error.value).replace(planted_gradient(2026), "")
    assert not any(f" {g}" in said for g in GRADIENTS), said


def test_the_best_gradient_a_batch_of_one_and_the_answer_key_are_refused():
    def best(backward, inputs):
        return "d" + min(check_layer_gradients(lstm_step_forward, backward, inputs).errors.items(),
                         key=lambda item: item[1])[0]
    with pytest.raises(CheckFailed, match=r"the \*best\* gradient"):
        graded(check_wrong_gradient_finder, best)

    def batch_of_one(backward, inputs):  # the db bug (mean over the batch) hides
        return find_wrong_gradient(backward, {k: v[:1] if k in ("x", "prev_h", "prev_c") else v
                                              for k, v in inputs.items()})
    with pytest.raises(CheckFailed, match="batch of two or more"):
        graded(check_wrong_gradient_finder, batch_of_one)

    def answer_key(backward, inputs):
        return planted_gradient(backward.seed)
    with pytest.raises(CheckFailed, match="course's own `planted_gradient`"):
        graded(check_wrong_gradient_finder, answer_key)
    with pytest.raises(CheckFailed, match="name of a gradient"):
        graded(check_wrong_gradient_finder, lambda backward, inputs: None)
