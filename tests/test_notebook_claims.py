"""Numbers in lecture prose, bound to the records they come from.

A markdown cell whose numbers come from recorded runs says so with an invisible first line,
``<!-- claims: sst-tree, sst-transfer -->``; every number it states (integers that count things
aside, see :func:`course_lib.runs.claims.stated_numbers`) must then be held by one of those
records. A record as an earlier commit wrote it is named ``imdb-best@86937a7`` (read with
``git show``), for prose that tells a result's history. Hyperparameters a cell states are bound
with a second line, ``<!-- config: ptb-char -->``: its numbers may then also be read from the
``config`` (and every nested ``config`` / ``train_config``) of those records.

Numbers from papers and seed projects belong in the records' ``references`` / ``seed_rows`` so
that they are checked too. Where no record holds one, the cell cites it with its source in the
same sentence and :data:`CITATIONS` lists it, with the constant in the code that holds it where
there is one: a short, explicit allow-list, checked both ways (an entry whose sentence is gone
fails).

The guard: a markdown cell with neither line that states a decimal number as a percentage, a
perplexity or bits per character is reported, so that a new unbound figure cannot land silently.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
from dataclasses import dataclass

import pytest

from course_lib.env.paths import REPO_ROOT, RESULTS_DIR
from course_lib.runs.claims import (
    derived_numbers,
    holds,
    load_record,
    nearest,
    recorded_numbers,
    stated_numbers,
)
from course_lib.runs.claims import test_sizes as examples_scored  # not a test: no test_ name

CLAIMS_LINE = re.compile(r"<!--\s*claims:\s*([\w\-,/.@ ]+?)\s*-->")
CONFIG_LINE = re.compile(r"<!--\s*config:\s*([\w\-,/.@ ]+?)\s*-->")

# a decimal number stated as a percentage, a perplexity or bits per character
GUARDED = re.compile(
    r"(?<![\w.])[-−]?\d+\.\d+\s*(?:%|(?:[\w\-]+\s+){0,2}?(?:ppl|perplexit(?:y|ies)|bpc)\b)"
    r"|(?:perplexity|ppl|bpc)\s+(?:of\s+|at\s+|is\s+|=\s*|~\s*)?[-−]?\d+\.\d+", re.IGNORECASE)

# a sentence ends at . ! ? ; before a space (not after "et al", "e.g", "i.e", "vs"), at a blank
# line, and before a list item
_SENTENCE_END = re.compile(r"(?<!\bal)(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)[.!?;](?=\s)"
                           r"|\n\s*\n|\n(?=\s*(?:[-*]|\d+\.)\s)")


@dataclass(frozen=True)
class Cited:
    """A number no record holds, stated with its source in the same sentence."""

    number: str  # as the prose writes it: "86.0 %"
    source: str  # words of the same sentence that name the source: "seed"
    constant: str | None = None  # "module:NAME", a constant of the code that holds the number


_IMDB = "course_lib.experiments.common.imdb_recipe"
_SST = "course_lib.experiments.common.sst_data"
CITATIONS = {
    "06_mnist_rows": [
        Cited("93.4 %", "their row", "course_lib.experiments.mnist:SEED_ROWS"),
        Cited("97.2 %", "their row"),  # the seeds' train accuracy and loss: in no constant
        Cited("0.13", "their row"),
        Cited("97.2 %", "their train accuracy"),
        Cited("93.4 %", "the seeds'", "course_lib.experiments.mnist:SEED_ROWS"),
        Cited("97 %", "the course's 97 % target"),  # README's target for mnist-numpy
    ],
    "07_imdb_sentiment": [
        Cited("0.1", "their Gaussian initialisation"),  # the seeds' init (seed_init_'s scale)
        Cited("86.0 %", "one seed", f"{_IMDB}:SEED_002"),
        Cited("71 %", "one seed", f"{_IMDB}:SEED_002"),
    ],
    "08_ptb_word_lm": [
        Cited("120.7", "the paper reports"),  # Zaremba et al.'s small model, validation
    ],
    "09_ptb_char_lm": [
        Cited("1.175", "AWD-LSTM", "course_lib.experiments.ptb_char:AWD_LSTM_TEST_BPC"),
        Cited("1.45", "the course's target of 1.45 bpc"),  # README's target for ptb-char
    ],
    "10_sst5_attention": [
        Cited("47.3 %", "the seed projects' best model", f"{_SST}:SEED_ROWS"),
        Cited("48.0 %", "Kim's CNN (2014)", f"{_SST}:REFERENCES"),
        Cited("51.0 %", "Tai et al. (2015)", f"{_SST}:REFERENCES"),
    ],
    "11_hyperparameter_study": [
        Cited("86.0 %", "found the LSTM's best", f"{_IMDB}:SEED_002"),
        Cited("71 %", "found the LSTM's best", f"{_IMDB}:SEED_002"),
    ],
}


def markdown_cells(py_path):
    """(first line number, text) of every markdown cell of a py:percent notebook."""
    cells, current, start = [], None, 0
    for number, line in enumerate(py_path.read_text().splitlines(), start=1):
        if line.startswith("# %%"):
            if current is not None:
                cells.append((start, "\n".join(current)))
            current, start = ([] if "[markdown]" in line else None), number
        elif current is not None:
            current.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
    if current is not None:
        cells.append((start, "\n".join(current)))
    return cells


def sentences(text):
    """The sentences of a markdown cell, each on one line."""
    return [" ".join(s.split()) for s in _SENTENCE_END.split(text) if s and s.strip()]


def is_cited(number_text, sentence, citations):
    """True when the sentence states ``number_text`` as one of ``citations``, with its source."""
    return any(c.number == number_text and c.source.lower() in sentence.lower()
               for c in citations)


class MissingRecord(LookupError):
    """A record named at a commit this clone's history does not have."""


def load_named(name, results_dir=RESULTS_DIR, repo=REPO_ROOT):
    """``results/<name>.json``; for ``name@commit``, that file as the commit had it."""
    if "@" not in name:
        return load_record(name, results_dir)
    stem, commit = name.split("@", 1)
    shown = subprocess.run(["git", "show", f"{commit}:results/{stem}.json"], cwd=repo,
                           capture_output=True, text=True)
    if shown.returncode != 0:
        raise MissingRecord(f"results/{stem}.json at commit {commit} is not in this clone's "
                            f"history ({shown.stderr.strip()})")
    record = json.loads(shown.stdout)
    record["_file"] = f"results/{stem}.json at {commit}"
    return record


def config_dicts(record):
    """Every ``config`` / ``train_config`` mapping in a record, at any depth."""
    found = []
    if isinstance(record, dict):
        for key, value in record.items():
            if key in ("config", "train_config") and isinstance(value, dict):
                found.append(value)
            found += config_dicts(value)
    elif isinstance(record, list):
        for value in record:
            found += config_dicts(value)
    return found


def declared(pattern, text):
    match = pattern.search(text)
    return [] if not match else [n.strip() for n in match.group(1).split(",") if n.strip()]


def claim_problems(py_path, results_dir=RESULTS_DIR, repo=REPO_ROOT, citations=None):
    """One line per stated number that the records a cell declares do not hold."""
    citations = CITATIONS.get(py_path.stem, []) if citations is None else citations
    problems = []
    for line, text in markdown_cells(py_path):
        claims, configs = declared(CLAIMS_LINE, text), declared(CONFIG_LINE, text)
        if not claims and not configs:
            continue
        where = f"{py_path.name}:{line}"
        try:
            records = [load_named(n, results_dir, repo) for n in claims]
            config_records = [load_named(n, results_dir, repo) for n in configs]
        except MissingRecord as missing:
            if os.environ.get("LSTM_COURSE_CI"):
                problems.append(f"{where}: {missing}")
            continue  # outside CI, a shallow clone cannot check this cell
        merged = {"records": records,
                  "configs": [d for r in config_records for d in config_dicts(r)]}
        numbers = recorded_numbers(merged) + derived_numbers(merged)
        sizes = examples_scored(merged)
        files = " + ".join([r["_file"] for r in records]
                           + [f"{r['_file']} (config)" for r in config_records])
        body = CONFIG_LINE.sub("", CLAIMS_LINE.sub("", text))
        for sentence in sentences(body):
            for stated in stated_numbers(sentence):
                if is_cited(stated.text, sentence, citations):
                    continue
                if not any(holds(stated, v, p, sizes) for p, v in numbers):
                    problems.append(f"{where}: states {stated.text!r}, which {files} does not "
                                    f"hold ({nearest(stated, numbers, sizes)})")
    return problems


def unbound_numbers(py_path, citations=None):
    """The guard: decimal %, perplexity or bpc figures in cells that declare no record."""
    citations = CITATIONS.get(py_path.stem, []) if citations is None else citations
    problems = []
    for line, text in markdown_cells(py_path):
        if CLAIMS_LINE.search(text) or CONFIG_LINE.search(text):
            continue
        for sentence in sentences(text):
            for match in GUARDED.finditer(sentence):
                number = stated_numbers(match.group(0))
                if number and is_cited(number[0].text, sentence, citations):
                    continue
                problems.append(f"{py_path.name}:{line}: states {match.group(0)!r} with no "
                                "claims line naming its record (and it is no listed citation)")
    return problems


NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_declared_claims_hold(path):
    problems = claim_problems(path)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_unbound_figures(path):
    problems = unbound_numbers(path)
    assert not problems, "\n".join(problems)


def _constant_values(reference):
    module, name = reference.split(":")
    value = getattr(importlib.import_module(module), name)
    return list(value.values()) if isinstance(value, dict) else [value]


@pytest.mark.parametrize("stem", sorted(CITATIONS))
def test_every_citation_is_stated_with_its_source_and_held_by_its_constant(stem):
    path = REPO_ROOT / "notebooks" / f"{stem}.py"
    said = [s for _, text in markdown_cells(path) for s in sentences(text)]
    for cited in CITATIONS[stem]:
        assert any(is_cited(s.text, sentence, [cited])
                   for sentence in said for s in stated_numbers(sentence)), (
            f"{path.name}: no sentence states {cited.number!r} beside {cited.source!r}: "
            "drop the entry from CITATIONS")
        if cited.constant:
            stated = stated_numbers(cited.number)[0]
            values = _constant_values(cited.constant)
            assert any(holds(stated, float(v), cited.constant) for v in values), (
                f"{cited.constant} holds {values}, not {cited.number!r}")


# ------------------------------------------------------------------ planted mistakes are caught
def test_a_planted_wrong_number_fails(tmp_path):
    (tmp_path / "toy.json").write_text('{"final_metrics": {"m": {"test_accuracy": 0.8123}}}')
    notebook = tmp_path / "nb.py"
    notebook.write_text("# %% [markdown]\n# <!-- claims: toy -->\n# We reach 81.23 %.\n\n"
                        "# %% [markdown]\n# <!-- claims: toy -->\n# We reach 82.00 %.\n\n"
                        "# %%\nx = 1\n")
    problems = claim_problems(notebook, results_dir=tmp_path)
    assert len(problems) == 1 and "'82.00 %'" in problems[0] and "nb.py:5" in problems[0]


def test_an_unbound_figure_is_reported_and_a_cited_one_is_not(tmp_path):
    notebook = tmp_path / "nb.py"
    notebook.write_text(
        "# %% [markdown]\n# Our model reaches 81.23 % on test.\n\n"  # unbound: reported
        "# %% [markdown]\n# Smith et al. (2020) report 88.10 % on it. Ours is 1.42 bpc.\n\n"
        "# %% [markdown]\n# The paper reports a test perplexity of 114.5.\n\n"
        "# %% [markdown]\n# We plot 88.10 % too.\n\n"  # the number without its source: reported
        "# %% [markdown]\n# Three seeds, 12 points and lr 0.5.\n")  # counts, no unit: fine
    citations = [Cited("88.10 %", "Smith et al. (2020)"), Cited("114.5", "the paper reports")]
    problems = unbound_numbers(notebook, citations=citations)
    assert len(problems) == 3, problems
    assert "nb.py:1" in problems[0] and "'81.23 %'" in problems[0]
    assert "nb.py:4" in problems[1] and "'1.42 bpc'" in problems[1]
    assert "nb.py:10" in problems[2] and "'88.10 %'" in problems[2]


def test_a_cited_number_is_exempt_from_the_claims_check_only_beside_its_source(tmp_path):
    (tmp_path / "toy.json").write_text('{"final_metrics": {"m": {"test_accuracy": 0.8123}}}')
    notebook = tmp_path / "nb.py"
    notebook.write_text("# %% [markdown]\n# <!-- claims: toy -->\n# We reach 81.23 %; "
                        "Smith et al. (2020) report 88.10 %. We beat 88.10 % by far.\n")
    problems = claim_problems(notebook, results_dir=tmp_path,
                              citations=[Cited("88.10 %", "Smith et al. (2020)")])
    assert len(problems) == 1 and "'88.10 %'" in problems[0]


def test_hyperparameters_are_checked_against_the_config(tmp_path):
    (tmp_path / "toy.json").write_text(json.dumps(
        {"config": {"dropout": 0.35, "lr": 0.002},
         "extra": {"models": {"small": {"config": {"init_range": 0.1}}}},
         "final_metrics": {"m": {"test_perplexity": 93.07}}}))
    notebook = tmp_path / "nb.py"
    notebook.write_text(
        "# %% [markdown]\n# <!-- claims: toy -->\n# <!-- config: toy -->\n"
        "# Dropout 0.35, init range 0.1: test perplexity 93.07.\n\n"
        "# %% [markdown]\n# <!-- config: toy -->\n# Dropout 0.5.\n\n"  # not the config's
        "# %% [markdown]\n# <!-- claims: toy -->\n# Dropout 0.35.\n")  # config not declared
    problems = claim_problems(notebook, results_dir=tmp_path, citations=[])
    assert len(problems) == 2, problems
    assert "nb.py:6" in problems[0] and "'0.5'" in problems[0]
    assert "nb.py:10" in problems[1] and "'0.35'" in problems[1]


def test_a_record_at_an_earlier_commit_is_read_from_git(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "toy.json").write_text('{"extra": {"ensemble_accuracy": 0.8894}}')
    git("add", "results/toy.json")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "old")
    old = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout.strip()
    (tmp_path / "results" / "toy.json").write_text('{"extra": {"ensemble_accuracy": 0.8936}}')
    notebook = tmp_path / "nb.py"
    notebook.write_text(f"# %% [markdown]\n# <!-- claims: toy@{old}, toy -->\n"
                        "# First 88.94 %, now 89.36 %, never 90.00 %.\n")
    problems = claim_problems(notebook, results_dir=tmp_path / "results", repo=tmp_path,
                              citations=[])
    assert len(problems) == 1 and "'90.00 %'" in problems[0] and f"at {old}" in problems[0]


def test_a_kept_share_is_derived_and_a_mistakes_confidence_is_no_figure(tmp_path):
    (tmp_path / "toy.json").write_text(json.dumps(
        {"extra": {"data": {"train_tokens_kept": 9756, "train_tokens_total": 10000},
                   "misclassified": [{"index": 3, "confidence": 0.8123}]}}))
    notebook = tmp_path / "nb.py"
    notebook.write_text("# %% [markdown]\n# <!-- claims: toy -->\n"
                        "# The cut keeps 98 % of the tokens; the model reaches 81.23 %.\n")
    problems = claim_problems(notebook, results_dir=tmp_path, citations=[])
    assert len(problems) == 1 and "'81.23 %'" in problems[0]
