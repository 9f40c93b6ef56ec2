"""The experiment machinery: registry, runner, provenance, sweeps, summaries, notebook support.

An experiment (in :mod:`course_lib.experiments`) registers itself with
:func:`course_lib.runs.registry.register`; ``lstm-course run NAME`` (:mod:`.cli`) runs it through
:mod:`.runner`, which records ``results/<stem>.json`` with the provenance of :mod:`.provenance`.
:mod:`.sweep` runs resumable grids, :mod:`.summary` prints every record, and
:mod:`.notebook_support` reads records for the notebooks.
"""
