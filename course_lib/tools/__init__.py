"""The instructor's and maintainer's commands behind ``lstm-course``.

``cli`` is the entry point; each other module is one sub-command with ``add_arguments(parser)``
and ``main(args)``: ``doctor``, ``data`` (fetch / check), ``notebooks`` (sync, check, execute),
``exercises`` (build exercises/ from solutions/), ``bench`` (training throughput). Students do
not import these; the commands of the experiment machinery (run, results, sweep) live in
:mod:`course_lib.runs`.
"""
