"""CPU threads: how many torch and NumPy's OpenBLAS use, read and set at run time.

The thread count changes results: a sum split over two threads adds its floats in another order,
so the same seed gives slightly different metrics (``mnist-numpy``: 98.52 % test with one BLAS
thread, 98.57 % with two). A recorded run therefore keeps :func:`thread_settings`.
torch is imported lazily so that NumPy-only code never pays for it.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# NumPy's wheels ship scipy-openblas (64-bit integers); older builds a plain OpenBLAS
_OPENBLAS_PREFIXES = ("scipy_openblas_", "openblas_")
_OPENBLAS_SUFFIXES = ("64_", "")


def _openblas_function(name: str):
    """The OpenBLAS function ``openblas_<name>`` loaded in this process, or None."""
    try:
        maps = Path("/proc/self/maps").read_text().splitlines()
    except OSError:
        return None
    libraries = sorted({line.split()[-1] for line in maps if "openblas" in line.lower()})
    for library in libraries:
        lib = ctypes.CDLL(library)
        for prefix in _OPENBLAS_PREFIXES:
            for suffix in _OPENBLAS_SUFFIXES:
                if hasattr(lib, prefix + name + suffix):
                    return getattr(lib, prefix + name + suffix)
    return None


def set_blas_threads(n: int) -> bool:
    """Set NumPy's OpenBLAS thread count at run time (True when an OpenBLAS was found)."""
    function = _openblas_function("set_num_threads")
    if function is None:
        return False
    function(ctypes.c_int(n))
    return True


def blas_threads() -> int | None:
    """The threads NumPy's OpenBLAS uses now (None where no OpenBLAS is found)."""
    function = _openblas_function("get_num_threads")
    return None if function is None else int(function())


def set_threads(n: int) -> None:
    """Use ``n`` CPU threads in torch (intra-op) and in NumPy's OpenBLAS."""
    import torch

    torch.set_num_threads(n)
    set_blas_threads(n)


def thread_settings() -> dict:
    """What a results record keeps: torch's intra-op and inter-op threads, OpenBLAS's threads,
    the CPU count and the variables OMP / OpenBLAS / MKL read (None when unset)."""
    import torch

    return {"torch_intra_op": torch.get_num_threads(),
            "torch_interop": torch.get_num_interop_threads(),
            "numpy_blas": blas_threads(), "cpu_count": os.cpu_count(),
            **{name: os.environ.get(name) for name in THREAD_VARIABLES}}
