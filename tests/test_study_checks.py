"""The design-and-measure exercise of practice 11 (issue 16): the Study logs every read, test is
refused before the choice and a second time, and the checker accepts an honest study only."""

import numpy as np
import pytest

from course_lib.checks.hyperparameter_study import (
    SIZES,
    Study,
    StudyError,
    check_study,
    check_test_standard_error,
)
from course_lib.checks.report import CheckFailed, graded
from course_lib.env.selection import best_index

SMALL = {"hidden_size": (4,), "learning_rate": (0.03, 0.3)}  # two configurations: quick


def honest(study, seeds=(0, 1, 2)):
    configs = study.configs()
    scores = [[study.dev_score(c, s) for s in seeds] for c in configs]
    means = [float(np.mean(s)) for s in scores]
    k = best_index(means, "val_accuracy")
    study.choose(configs[k])
    test = study.test_score(configs[k])
    return {"config": configs[k], "dev_mean": means[k],
            "seed_std": float(np.std(scores[k], ddof=1)), "test_accuracy": test,
            "test_standard_error": float(np.sqrt(test * (1 - test) / SIZES["test"]))}


def test_the_study_logs_every_read_in_order_and_refuses_test_before_the_choice():
    study = Study(grid=SMALL)
    a, b = study.configs()
    assert 0.3 < study.dev_score(a, 0) < 1
    with pytest.raises(StudyError, match="choose"):
        study.test_score(a)
    study.dev_score(b, 0)
    study.choose(b)
    with pytest.raises(StudyError, match="the choice is final"):
        study.choose(a)
    with pytest.raises(StudyError, match="chosen configuration only"):
        study.test_score(a)
    assert 0.3 < study.test_score(b) < 1
    with pytest.raises(StudyError, match="read already"):
        study.test_score(b)
    assert [r.split for r in study.reads] == ["dev", "test", "dev", "choose", "choose", "test",
                                             "test", "test"]
    assert [r.value is None for r in study.reads if r.split == "test"] == [True, True, False, True]


def test_scores_are_reproducible_and_configurations_checked():
    first, second = Study(grid=SMALL), Study(grid=SMALL)
    config = first.configs()[0]
    assert first.dev_score(config, 1) == second.dev_score(config, 1)
    with pytest.raises(StudyError, match="not in the grid"):
        first.dev_score({"hidden_size": 5, "learning_rate": 0.03}, 0)
    with pytest.raises(StudyError, match="never scored on dev"):
        first.choose(first.configs()[1])


def test_an_honest_study_passes_on_two_draws_of_the_data():
    assert graded(check_study, honest, grid=SMALL) is True
    assert graded(check_study, honest, grid=SMALL, data_seed=3) is True


def test_reading_test_first_is_refused_even_when_the_error_is_caught():
    def peeks(study):
        for config in study.configs():
            study.dev_score(config, 0)
            try:
                study.test_score(config)
            except StudyError:
                pass
        return honest(study)
    with pytest.raises(CheckFailed, match="before the choice was final"):
        graded(check_study, peeks, grid=SMALL)


def test_reading_test_twice_or_not_at_all_fails():
    def twice(study):
        result = honest(study)
        study.test_score(result["config"])
    with pytest.raises(CheckFailed, match="test was read 2 times"):
        graded(check_study, twice, grid=SMALL)

    def never(study):
        result = honest(Study(grid=SMALL))  # the test read lands in another study's log
        for config in study.configs():
            study.dev_score(config, 0)
        return result
    with pytest.raises(CheckFailed, match="test was never read"):
        graded(check_study, never, grid=SMALL)


def test_a_choice_that_is_not_the_best_on_dev_or_too_few_seeds_fails():
    def worst(study):
        configs = study.configs()
        means = [np.mean([study.dev_score(c, s) for s in range(3)]) for c in configs]
        k = int(np.argmin(means))
        study.choose(configs[k])
        study.test_score(configs[k])
        return {}
    with pytest.raises(CheckFailed, match="has the best mean dev accuracy"):
        graded(check_study, worst, grid=SMALL)
    with pytest.raises(CheckFailed, match="at least 3"):
        graded(check_study, lambda study: honest(study, seeds=(0, 1)), grid=SMALL)


def test_the_population_std_is_diagnosed():
    def population(study):
        result = honest(study)
        config = study.chosen
        scores = [r.value for r in study.reads if r.split == "dev" and r.config == config]
        return {**result, "seed_std": float(np.std(scores))}
    with pytest.raises(CheckFailed, match="ddof=1"):
        graded(check_study, population, grid=SMALL)


def test_standard_error_checker():
    assert graded(check_test_standard_error, lambda p, n: float(np.sqrt(p * (1 - p) / n)))
    with pytest.raises(CheckFailed, match="percentage points"):
        graded(check_test_standard_error, lambda p, n: 100 * float(np.sqrt(p * (1 - p) / n)))
    with pytest.raises(CheckFailed, match="square root"):
        graded(check_test_standard_error, lambda p, n: p * (1 - p) / n)
