"""The experiment machinery: registry, runner, provenance, sweeps, summaries, notebook support.

An experiment (in :mod:`course_lib.experiments`) registers itself with
:func:`course_lib.runs.registry.register`; ``lstm-course run NAME`` (:mod:`.cli`) runs it through
:mod:`.runner`, which records ``results/<stem>.json`` with the provenance of :mod:`.provenance`
(commit, clean tree, data digests), :mod:`.code_hash` (the source files it ran) and
:mod:`.parts` (the wall time of every resumed part). :mod:`.sweep` runs resumable grids and
chooses their best point on validation, :mod:`.summary` prints every record (and which are
stale), :mod:`.tables` is the one Markdown table, and :mod:`.notebook_support` reads records for
the notebooks. The rule that chooses a model on validation only is :mod:`course_lib.env.selection`.
"""
