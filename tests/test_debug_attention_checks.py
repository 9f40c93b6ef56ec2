"""Practice 10's debugging exercise (issue 16): the four planted masking bugs have four different
symptom signatures, a right table / measurement / name / finder passes, and each classic wrong
answer fails with its own diagnosis, without naming the student's bug."""

import re

import pytest
import torch

from course_lib.checks import debug_attention as d
from course_lib.checks.report import CheckFailed, graded

SIGNATURES = {  # derived by hand from the one changed line of each bug
    "no mask": (True, False, False),
    "mask after the softmax": (False, True, False),
    "zero scores": (True, False, True),
    "softmax over the batch": (False, True, True),
}
SIZES = [(0, (3, 6, 4, 5), (6, 3, 1)), (39, (5, 7, 3, 4), (7, 1, 2, 6, 3)),
         (40, (4, 9, 3, 2), (2, 9, 1, 5)), (41, (2, 4, 7, 6), (4, 3))]


def measure_symptoms(pooling, h, mask, W, b, v):  # a student's measurement
    _, weights = pooling(h, mask, W, b, v)
    sums = weights.sum(dim=1)
    other = torch.where(mask.unsqueeze(2), h, 3.0 * torch.ones_like(h) - h)
    return (bool(torch.allclose(sums, torch.ones_like(sums))), bool((weights[~mask] == 0).all()),
            bool(torch.allclose(pooling(other, mask, W, b, v)[1], weights, atol=1e-9, rtol=0)))


def find_attention_bug(pooling, inputs):  # a student's finder
    measured = measure_symptoms(pooling, *inputs)
    return next(bug for bug, symptoms in SIGNATURES.items() if symptoms == measured)


@pytest.mark.parametrize("seed, dims, lengths", SIZES)
def test_the_four_bugs_have_four_signatures_on_every_size(seed, dims, lengths):
    assert d.true_symptoms(seed, dims, lengths) == SIGNATURES
    inputs = d.attention_inputs(seed, dims, lengths)
    correct = d.reference_measure_symptoms(d.reference_attention_pooling, *inputs)
    assert correct == (True, True, True)


def test_a_right_table_measurement_name_and_finder_pass(capsys):
    assert graded(d.check_predicted_symptoms, SIGNATURES) is True
    assert graded(d.check_predicted_symptoms, SIGNATURES, *SIZES[1]) is True
    assert graded(d.check_measure_symptoms, measure_symptoms) is True
    assert graded(d.check_measure_symptoms, measure_symptoms, *SIZES[2]) is True
    for seed in (2026, "Ada Lovelace", 7):
        assert graded(d.check_attention_bug_name,
                      find_attention_bug(d.planted_bug_pooling(seed), d.attention_inputs(3)),
                      seed) is True
    assert graded(d.check_attention_bug_finder, find_attention_bug) is True
    assert graded(d.check_attention_bug_finder, find_attention_bug, 5000, *SIZES[3]) is True
    assert "FAIL" not in capsys.readouterr().out


def test_bugs_spread_over_students():
    assert sorted(d.other_students_seeds()) == sorted(d.BUGS)
    assert len({d.planted_bug(s) for s in range(12)}) == len(d.BUGS)


@pytest.mark.parametrize("bug, symptom, why", [
    ("zero scores", 1, "exp(0) = 1"),  # "a zero score is no weight"
    ("mask after the softmax", 0, "summing to less than 1"),  # "masking keeps the sum"
    ("mask after the softmax", 2, "denominator"),
    ("softmax over the batch", 1, "whatever the axis"),
    ("no mask", 0, "padding included"),
])
def test_each_wrong_prediction_gets_its_reason(bug, symptom, why):
    table = dict(SIGNATURES)
    flipped = list(table[bug])
    flipped[symptom] = not flipped[symptom]
    table[bug] = tuple(flipped)
    with pytest.raises(CheckFailed, match=re.escape(why)):
        graded(d.check_predicted_symptoms, table)


def test_a_table_of_the_wrong_form_is_refused():
    with pytest.raises(CheckFailed, match="missing"):
        graded(d.check_predicted_symptoms, {"no mask": (True, False, False)})
    with pytest.raises(CheckFailed, match="three bools"):
        graded(d.check_predicted_symptoms, {**SIGNATURES, "no mask": "True, False, False"})
    with pytest.raises(CheckFailed, match="should be a dict"):
        graded(d.check_predicted_symptoms, [SIGNATURES])


def _measuring(**options):
    return lambda pooling, *inputs: d.reference_measure_symptoms(pooling, *inputs, **options)


@pytest.mark.parametrize("options, hint", [
    ({"sum_dim": 0}, "weights.sum(dim=1)"),
    ({"changed": "nothing"}, "other values on the padded steps"),
    ({"changed": "everything"}, "change only the padded steps"),
    ({"no_weight_on": "every step"}, "weights[~mask]"),
])
def test_each_wrong_measurement_gets_its_hint(options, hint):
    with pytest.raises(CheckFailed, match=re.escape(hint)):
        graded(d.check_measure_symptoms, _measuring(**options))


def test_a_measurement_that_changes_its_inputs_or_returns_no_bools_is_refused():
    def in_place(pooling, h, mask, W, b, v):
        h.mul_(2.0)
        return measure_symptoms(pooling, h, mask, W, b, v)
    with pytest.raises(CheckFailed, match="in place"):
        graded(d.check_measure_symptoms, in_place)
    with pytest.raises(CheckFailed, match="three bools"):
        graded(d.check_measure_symptoms, lambda pooling, *inputs: "all fine")
    with pytest.raises(CheckFailed, match="course's own `reference_measure_symptoms`"):
        graded(d.check_measure_symptoms, _measuring())


def test_a_wrong_name_and_a_typed_in_finder_fail_without_giving_the_bug_away():
    seed = 2026
    own = d.planted_bug(seed)
    for wrong in d.BUGS:
        if wrong != own:
            with pytest.raises(CheckFailed, match="is not the bug of your broken pooling") as error:
                graded(d.check_attention_bug_name, wrong, seed)
            assert own not in str(error.value)
    with pytest.raises(CheckFailed, match="one of"):
        graded(d.check_attention_bug_name, "mask", seed)
    with pytest.raises(CheckFailed, match="for every broken pooling") as error:
        graded(d.check_attention_bug_finder, lambda pooling, inputs: own)
    assert not any(f"'{bug}'" in str(error.value) for bug in d.BUGS if bug != own)
    with pytest.raises(CheckFailed, match="course's own `planted_bug`"):
        graded(d.check_attention_bug_finder, lambda pooling, inputs: d.planted_bug(pooling.seed))


def test_a_finder_with_a_wrong_measurement_names_the_wrong_bugs():
    def unchanged_padding(pooling, inputs):  # "weights ignore the padding" always True
        measured = _measuring(changed="nothing")(pooling, *inputs)
        return next((bug for bug, s in SIGNATURES.items() if s == measured), "no mask")
    with pytest.raises(CheckFailed, match="which is not its bug"):
        graded(d.check_attention_bug_finder, unchanged_padding)


def test_the_broken_pooling_keeps_the_shapes_and_a_seed_must_be_a_number_or_a_name():
    h, mask, W, b, v = d.attention_inputs()
    for student in d.other_students_seeds().values():
        pooled, weights = d.planted_bug_pooling(student)(h, mask, W, b, v)
        assert pooled.shape == (3, 4) and weights.shape == (3, 6)
    with pytest.raises(TypeError, match="student number"):
        d.planted_bug_pooling(2.5)
    assert "planted bug" in repr(d.planted_bug_pooling("Ada"))
