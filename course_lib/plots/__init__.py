"""Every picture of the course, one module per subject. Each function returns its figure, with
title, axis labels and units set; what a figure shows is computed elsewhere, except the traces
a diagram is drawn from.

- ``lstm``: the NumPy lessons (01, 02): gradient norms against the time lag, training curves,
  the gates and states of an LSTM over a sequence (``record_gates``), the single-unit diagrams
  the gate explorer (sliders, with its static grid), and the explorer of a trained
  adding-problem LSTM (01: ``plot_adding_gates``, ``adding_explorer``).
- ``data``: the data sets (04): an MNIST digit read as 28 rows, an SST parse tree with a label
  at every node, and ``tree_layout``, the one layout of every tree picture.
- ``classification``: a trained classifier (06, 10): accuracy curves side by side, the
  confusion matrix (counts, or per cent of each true class), the misclassified digits, the
  gates while reading an image, the class probabilities after each row.
- ``sst``: the SST experiments (10): dev and test accuracy after every epoch, attention
  weights over sentences, the Tree-LSTM's label at every node, and the summary pictures of
  ``results/sst.json`` (``python -m course_lib.plots.sst``).
- ``sweep``: the hyperparameter study (11): heat-maps of the grid, the batch-size lessons,
  RNN against LSTM (and the rows of the sweep's table they are drawn from).
- ``variants``: the LSTM-variants comparison (12): bars with every seed, the learning curves
  (``python -m course_lib.plots.variants`` saves both beside ``results/variants.json``).
- ``history``: the curves every recorded run writes next to its JSON, one PNG per metric.

The counts behind a confusion matrix are :func:`course_lib.numpy_core.metrics.confusion_matrix`;
the tables of the SST records are in :mod:`course_lib.experiments.common.sst_results`.
"""
