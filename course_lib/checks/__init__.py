"""Every exercise checker of the practice notebooks, one module per practice notebook.

A checker ``check_<name>(fn)`` runs the student's function on fixed inputs, compares it with an
oracle (the course's reference, PyTorch, numerical gradients), prints PASS or a diagnosis with
hints, and returns a bool. Modules, named after the notebook they serve:

- :mod:`.rnn_gradient_norms` (01), :mod:`.lstm_forward` (02), :mod:`.lstm_backward` (03),
  :mod:`.the_data` (04), :mod:`.torch_cell` (05), :mod:`.mnist_rows` (06),
  :mod:`.imdb_sentiment` (07), :mod:`.ptb_word_lm` (08), :mod:`.ptb_char_lm` (09),
  :mod:`.sst5_attention` (10), :mod:`.lstm_variants` (12);
- :mod:`.debug_backward` (03's debugging exercise: a broken backward per student seed),
  :mod:`.debug_attention` (10's: a broken attention pooling per student seed),
  :mod:`.hyperparameter_study` (11: the logged :class:`~.hyperparameter_study.Study`);
- :mod:`.report`: what they all use, :class:`~.report.Report`, :class:`~.report.Mistake` and
  :func:`~.report.diagnose`;
- :mod:`.mistakes`: the catalogue of classic LSTM mistakes (data, and the variants that compute
  them); ``_arrays``: the fixed inputs and array comparisons of the NumPy checkers.

One idiom. What can be read off the output alone (an exception, a wrong type, shape or dtype,
an input changed in place, a rule the output breaks) is a direct ``report.problem(text, hint)``.
A classic mistake is *declared*: the reference takes keyword options whose defaults are correct,
a :class:`~.report.Mistake` names the options that compute the mistake, and ``diagnose`` runs
each one on the same inputs and prints the hint of those the student's output matches::

    def reference_softmax(x, *, axis=1):  # x: (N, T) -> (N, T), each row sums to 1
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    MISTAKES = [Mistake("softmax over the batch", "normalise each row: axis=1", {"axis": 0})]

    report = Report("softmax")
    ok, out = report.call(fn, x)
    if ok and distance(out, reference_softmax(x)) > TOL:
        report.problem("the probabilities are off")
        diagnose(report, {"p": out}, {"p": reference_softmax(x)}, MISTAKES,
                 lambda **options: {"p": reference_softmax(x, **options)})
    return report.done("matches the reference")
"""
