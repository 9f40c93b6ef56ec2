"""Runtime settings: run profiles, the torch device, the repository's paths, float speed settings.

Nothing here trains or plots; every other package may import it.
"""
