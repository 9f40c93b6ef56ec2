"""Runtime settings: run profiles, the torch device, the repository's paths, float speed settings,
CPU threads, and the one rule that chooses a model (on validation, never on test).

Nothing here trains or plots, and nothing imports torch at import time; every other package may
import it (the NumPy core and the torch Trainer share :mod:`.selection` for that reason).
"""
