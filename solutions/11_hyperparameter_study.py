# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,nbgrader,-all
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_00_markdown"}
# # 11 · Practice: choose on dev, report test once, state the noise
#
# Notebook 11 chose the sweep's best point on dev and read test once, for that point. Here
# you run a small study yourself, and a referee watches: every number you read goes through
# a `Study` object that logs which split was read, in what order.
#
# In this notebook, we:
#
# 1. compute the standard error of a test accuracy, the noise of the test set itself;
# 2. design and run a study: which configurations, how many seeds, chosen by what; on dev only;
# 3. read test once for the choice, and state the seed noise beside it.
#
# The check reads the study's log: a test number read before the choice was final, or twice,
# fails it, whatever the result.

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_01_code"}
import numpy as np

from course_lib.checks.hyperparameter_study import (
    SIZES,
    Study,
    StudyError,
    check_study,
    check_test_standard_error,
)
from course_lib.checks.report import graded
from course_lib.env.selection import best_index

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_02_markdown"}
# ## The study and its rules
#
# The task is a toy one, so that a model trains in a fraction of a second: the adding problem
# of notebook 01 as a yes/no question (is the sum of the two marked values above 1?), with a
# training, a dev and a test split of their own. A configuration is a hidden size and an
# Adam learning rate; the grid holds the candidates:

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_03_code"}
study = Study()
print("grid:", study.grid)
print("split sizes:", SIZES)
print(len(study.configs()), "configurations, e.g.", study.configs()[0])

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_04_markdown"}
# The study has two doors. `study.dev_score(config, seed)` trains `config` with that seed
# (initialisation and batch order) and returns its dev accuracy: read it as often as you
# like. `study.test_score(config)` returns the test accuracy of the configuration chosen with
# `study.choose(config)`, averaged over the seeds you trained it with: once, after the choice.
# The rule is enforced, not asked for:

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_05_code"}
try:
    Study().test_score(study.configs()[0])
except StudyError as refused:
    print("refused:", refused)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_06_markdown"}
# ## Exercise 1: the noise of the test set
#
# A test accuracy $p$ measured on $n$ independent examples is itself a random draw: another
# test set of the same size would give a slightly different number. Write
# `test_standard_error(accuracy, n)`, its standard error, as a fraction (like the accuracy).

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_07_markdown"}
# <details><summary>Hint 1</summary>
#
# Each example is a coin that comes up "correct" with probability $p$. The number correct
# is binomial; the accuracy is that number divided by $n$.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# The variance of the accuracy is $p(1 - p)/n$; the standard error is its square root.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "test_standard_error"}
def test_standard_error(accuracy, n):
    """The standard error (a float) of an accuracy in [0, 1] measured on n test examples."""
    ### BEGIN SOLUTION
    return float(np.sqrt(accuracy * (1 - accuracy) / n))
    ### END SOLUTION


# Try it: 80 % correct on the study's test split.
print(test_standard_error(0.8, SIZES["test"]))

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 1, "grade_id": "test_check_test_standard_error"}
graded(check_test_standard_error, test_standard_error)

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_10_markdown"}
# ## Exercise 2: design, measure, choose, report
#
# Write `run_study(study)`. It decides what to train on dev, chooses one configuration with
# `study.choose(config)`, reads `study.test_score(config)` once, and returns a dict:
#
# | key | value |
# |---|---|
# | `"config"` | the chosen configuration (a dict, as `study.configs()` gives them) |
# | `"dev_mean"` | its dev accuracy, the mean over its seeds |
# | `"seed_std"` | the seed noise: the standard deviation of its dev accuracies over seeds |
# | `"test_accuracy"` | what `study.test_score` returned |
# | `"test_standard_error"` | exercise 1's standard error of that test accuracy |
#
# The design is yours: the checker asks only for at least two candidates, at least three seeds
# for the one you choose, and the choice of the best mean dev accuracy. It runs your function
# on a fresh study (and, hidden, on another draw of the data), so compute, don't copy numbers.

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_11_markdown"}
# <details><summary>Hint 1</summary>
#
# One seed per configuration is one noisy draw: a configuration can win by luck. Train every
# candidate with the same seeds (say 0, 1, 2) and compare their means.
#
# </details>
#
# <details><summary>Hint 2</summary>
#
# `best_index(means, "val_accuracy")` (from `course_lib.env.selection`, the function the
# course's trainers and sweeps choose with) returns the index of the best mean. It refuses a
# test metric: `best_index(means, "test_accuracy")` raises.
#
# </details>
#
# <details><summary>Hint 3</summary>
#
# A few seeds are a sample, not the population: the seed noise is `np.std(scores, ddof=1)`.
#
# </details>

# %% nbgrader={"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "run_study"}
def run_study(study, seeds=(0, 1, 2)):
    """Choose a configuration of ``study`` on dev, read test once; return the result dict."""
    ### BEGIN SOLUTION
    configs = study.configs()
    scores = [[study.dev_score(config, seed) for seed in seeds] for config in configs]
    means = [float(np.mean(s)) for s in scores]
    best = best_index(means, "val_accuracy")
    study.choose(configs[best])
    test = study.test_score(configs[best])
    return {"config": configs[best], "dev_mean": means[best],
            "seed_std": float(np.std(scores[best], ddof=1)), "test_accuracy": test,
            "test_standard_error": test_standard_error(test, SIZES["test"])}
    ### END SOLUTION


# Try it on the study above, then read its log.
result = run_study(study)
print(result)
print([read.split for read in study.reads])

# %% nbgrader={"schema_version": 3, "grade": true, "solution": false, "locked": true, "points": 4, "grade_id": "test_check_run_study"}
graded(check_study, run_study)
### BEGIN HIDDEN TESTS
graded(check_study, run_study, grid={"hidden_size": (4,), "learning_rate": (0.03, 0.3)},
       data_seed=7)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_14_markdown"}
# ## Reading the result
#
# Is the choice clear, or did it win within the noise? The dev scores in the study's log
# answer that without another look at test: each candidate's mean against the chosen one's,
# in units of the chosen one's seed noise. The test accuracy comes with its own standard
# error, from a second source of noise (the test set's size).

# %% nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_15_code"}
dev = {}
for read in study.reads:
    if read.split == "dev":
        dev.setdefault(read.config, []).append(read.value)
chosen = tuple(result["config"].items())
for config, scores in sorted(dev.items(), key=lambda item: -np.mean(item[1])):
    gap = (np.mean(dev[chosen]) - np.mean(scores)) / result["seed_std"]
    mark = "chosen" if config == chosen else f"{gap:.1f} seed std below"
    print(f"{dict(config)}: dev {np.mean(scores):.3f} +- {np.std(scores, ddof=1):.3f} ({mark})")
close = [c for c, s in dev.items() if c != chosen and np.mean(dev[chosen]) - np.mean(s)
         < result["seed_std"]]
print(f"{len(close)} other configuration(s) within one seed std of the choice on dev: "
      + ("the choice is within noise of them" if close else "the choice is beyond the noise"))
print(f"test accuracy {result['test_accuracy']:.3f} +- {result['test_standard_error']:.3f} "
      f"(test set standard error), seed std on dev {result['seed_std']:.3f}")

# %% [markdown] nbgrader={"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "cell_16_markdown"}
# ## Recap
#
# - A test accuracy is a measurement with noise: its standard error is
#   $\sqrt{p(1 - p)/n}$. Seeds add a second noise, measured by training again.
# - Choose on dev: every candidate with the same few seeds, the best mean (`best_index` on a
#   `val_` metric), the choice final before test is looked at.
# - Read test once, for the choice, and report it with both noises. A winner within one seed
#   standard deviation of the runner-up is a tie, and the report says so.
