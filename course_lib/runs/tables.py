"""The one Markdown table of the course: rows of dicts in, a GitHub-flavoured table out.

Used by the notebooks (through :mod:`.notebook_support`), ``lstm-course results`` and
``lstm-course bench``::

    >>> print(markdown_table([{"model": "lstm", "test_accuracy": 0.9912, "epochs": 3}],
    ...                      percent=("test_accuracy",), right=("epochs",)))
    | model | test_accuracy | epochs |
    |---|---|---:|
    | lstm | 99.12 % | 3 |
"""

from __future__ import annotations


def table_cell(key: str, value, percent=()) -> str:
    """One cell: None as "—", fractions under ``percent`` keys in %, other floats to 4 digits."""
    if value is None:
        return "—"
    if key in percent and isinstance(value, float):
        return f"{100 * value:.2f} %"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def markdown_table(rows: list[dict], percent=("test_accuracy", "train_accuracy"), right=()) -> str:
    """A Markdown table of dict rows (the first row's keys are the columns).

    ``percent``: keys whose float values are fractions, shown in %; ``right``: keys whose
    column is right-aligned (numbers). Strings are shown as they are.
    """
    if not rows:
        return ""
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |",
             "|" + "".join("---:|" if key in right else "---|" for key in keys)]
    lines += ["| " + " | ".join(table_cell(k, row.get(k), percent) for k in keys) + " |"
              for row in rows]
    return "\n".join(lines)
