"""Every exercise checker of the practice notebooks, one module per practice notebook.

A checker takes the student's function, compares it against an oracle (a numerical gradient,
PyTorch, or the course's reference), prints PASS or a diagnosis with a hint, and returns a bool.
"""
