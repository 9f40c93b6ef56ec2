"""Every plotting function of the course, one module per subject.

``lstm`` (gates, gradient norms, training histories of the NumPy lessons), ``data`` (a digit's
rows, an SST tree), ``classification`` (accuracy curves, confusion matrices, misclassified digits),
``sst`` (SST-5 results: over-fitting, attention, tree predictions), ``sweep`` (the study's grid)
and ``history`` (the curves every recorded run writes next to its JSON).
"""
