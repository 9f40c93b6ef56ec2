import platform
import subprocess
import sys

import numpy as np
import pytest

from course_lib.env import speed

x86_linux = platform.machine() == "x86_64" and platform.system() == "Linux"


@pytest.mark.skipif(not x86_linux, reason="MXCSR flags exist on x86-64 only")
def test_importing_course_lib_flushes_subnormals_to_zero():
    code = (
        "import course_lib, numpy as np\n"
        "tiny = np.float32(1e-39)\n"  # a subnormal float32
        "print(float(tiny * np.float32(1.0)) == 0.0, course_lib.env.speed.denormals_are_flushed())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


@pytest.mark.skipif(not x86_linux, reason="MXCSR flags exist on x86-64 only")
def test_opt_out_keeps_subnormals():
    code = "import course_lib, numpy as np; print(float(np.float32(1e-39) * np.float32(1)) > 0)"
    env = {"LSTM_COURSE_FAST_FLOATS": "0", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.strip() == "True"


@pytest.mark.skipif(not x86_linux, reason="MXCSR flags exist on x86-64 only")
def test_flags_can_be_switched_off_and_on_again():
    assert speed.flush_denormals(False)
    assert not speed.denormals_are_flushed()
    assert np.float32(1e-39) * np.float32(1.0) > 0
    assert speed.flush_denormals(True)
    assert speed.denormals_are_flushed()
