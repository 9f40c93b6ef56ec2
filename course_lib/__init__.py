"""course_lib: the helper package of the open LSTM course.

Importing it applies the fast float settings of :mod:`course_lib.env.speed` (flush-to-zero for
subnormal floats, glibc memory thresholds); set ``LSTM_COURSE_FAST_FLOATS=0`` to opt out.
"""

from course_lib.env.speed import use_fast_float_settings

FAST_FLOAT_SETTINGS = use_fast_float_settings()

from course_lib.env.device import get_device  # noqa: E402
from course_lib.env.profiles import PROFILES, active_profile, pick  # noqa: E402

__version__ = "0.1.0"
__all__ = ["PROFILES", "active_profile", "pick", "get_device", "FAST_FLOAT_SETTINGS"]
