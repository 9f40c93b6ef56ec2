"""Process-wide settings that make float32 LSTM training fast on a CPU (x86-64 Linux).

Two possible traps (notebook 05 measures each setting on its own, on the machine it runs on):

1. **Subnormal floats.** Gradients that vanish over long sequences become tiny "denormal"
   numbers, which some x86 CPUs handle far more slowly than normal ones (others at nearly full
   speed: the course's 2-core machines measure about 1x). Setting the MXCSR flags FTZ (flush to
   zero) and DAZ (denormals are zero) turns them into 0.0, which changes results by < 1e-38.
   A thread inherits MXCSR from its creator, so this must run *before* BLAS starts its threads,
   which is why ``course_lib`` applies it on import (import course_lib before numpy when it matters).
2. **Page faults.** glibc returns big temporary arrays to the OS and faults them back in on
   the next step. Raising the mmap and trim thresholds with ``mallopt`` keeps them.

Both are no-ops where they do not apply (other CPUs or C libraries). Opt out with
``LSTM_COURSE_FAST_FLOATS=0``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform

_MXCSR_DAZ = 1 << 6
_MXCSR_FTZ = 1 << 15
_FENV_SIZE = 32  # sizeof(fenv_t) on x86-64 glibc; mxcsr is its last 4 bytes
_MXCSR_OFFSET = 28
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def _libm():
    name = ctypes.util.find_library("m")
    return ctypes.CDLL(name) if name else None


def flush_denormals(enable: bool = True) -> bool:
    """Set (or clear) FTZ+DAZ for the calling thread and threads it starts later.

    Returns True when the flags are in the requested state, False where unsupported.
    """
    if platform.machine() not in ("x86_64", "AMD64") or platform.system() != "Linux":
        return False
    libm = _libm()
    if libm is None:
        return False
    env = ctypes.create_string_buffer(_FENV_SIZE)
    if libm.fegetenv(env) != 0:
        return False
    mxcsr = int.from_bytes(env.raw[_MXCSR_OFFSET:_MXCSR_OFFSET + 4], "little")
    flags = _MXCSR_DAZ | _MXCSR_FTZ
    mxcsr = (mxcsr | flags) if enable else (mxcsr & ~flags)
    ctypes.memmove(ctypes.addressof(env) + _MXCSR_OFFSET, mxcsr.to_bytes(4, "little"), 4)
    return libm.fesetenv(env) == 0


def denormals_are_flushed() -> bool:
    """True when FTZ+DAZ are set on the calling thread."""
    if platform.machine() not in ("x86_64", "AMD64") or platform.system() != "Linux":
        return False
    libm = _libm()
    env = ctypes.create_string_buffer(_FENV_SIZE)
    if libm is None or libm.fegetenv(env) != 0:
        return False
    mxcsr = int.from_bytes(env.raw[_MXCSR_OFFSET:_MXCSR_OFFSET + 4], "little")
    return mxcsr & (_MXCSR_DAZ | _MXCSR_FTZ) == (_MXCSR_DAZ | _MXCSR_FTZ)


def keep_freed_memory(threshold_bytes: int = 1 << 30) -> bool:
    """Ask glibc to keep freed blocks below ``threshold_bytes`` instead of returning them."""
    libc_name = ctypes.util.find_library("c")
    if platform.system() != "Linux" or not libc_name:
        return False
    libc = ctypes.CDLL(libc_name)
    if not hasattr(libc, "mallopt"):
        return False
    ok_mmap = libc.mallopt(_M_MMAP_THRESHOLD, ctypes.c_int(min(threshold_bytes, 2**31 - 1)))
    ok_trim = libc.mallopt(_M_TRIM_THRESHOLD, ctypes.c_int(min(2 * threshold_bytes, 2**31 - 1)))
    return bool(ok_mmap and ok_trim)


def use_fast_float_settings() -> dict:
    """Apply both settings unless ``LSTM_COURSE_FAST_FLOATS=0``; return what was applied."""
    if os.environ.get("LSTM_COURSE_FAST_FLOATS", "1") == "0":
        return {"flush_denormals": False, "keep_freed_memory": False}
    return {"flush_denormals": flush_denormals(True), "keep_freed_memory": keep_freed_memory()}
