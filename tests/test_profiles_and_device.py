import pytest

from course_lib.env.device import resolve_device_name
from course_lib.env.profiles import PROFILES, active_profile, pick


def test_default_profile_is_laptop(monkeypatch):
    monkeypatch.delenv("LSTM_COURSE_PROFILE", raising=False)
    assert active_profile() == "laptop"


@pytest.mark.parametrize("name", PROFILES)
def test_profile_from_environment(monkeypatch, name):
    monkeypatch.setenv("LSTM_COURSE_PROFILE", name)
    assert active_profile() == name


def test_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("LSTM_COURSE_PROFILE", "huge")
    with pytest.raises(ValueError, match=r"'huge'.*smoke, laptop, full"):
        active_profile()


def test_pick_returns_the_profile_value_and_full_falls_back_to_laptop():
    assert pick(smoke=1, laptop=2, full=3, profile="smoke") == 1
    assert pick(smoke=1, laptop=2, full=3, profile="full") == 3
    assert pick(smoke=1, laptop=2, profile="full") == 2


def fake(*present):
    return lambda kind: kind in present


@pytest.mark.parametrize(
    "present, expected",
    [(("cuda", "mps", "cpu"), "cuda"), (("mps", "cpu"), "mps"), (("cpu",), "cpu")],
)
def test_auto_prefers_cuda_then_mps_then_cpu(monkeypatch, present, expected):
    monkeypatch.delenv("LSTM_COURSE_DEVICE", raising=False)
    assert resolve_device_name(None, available=fake(*present)) == expected
    assert resolve_device_name("auto", available=fake(*present)) == expected


def test_device_override_by_argument_and_environment(monkeypatch):
    available = fake("cuda", "cpu")
    assert resolve_device_name("cpu", available=available) == "cpu"
    assert resolve_device_name("cuda:1", available=available) == "cuda:1"
    monkeypatch.setenv("LSTM_COURSE_DEVICE", "cpu")
    assert resolve_device_name(None, available=available) == "cpu"


def test_unknown_device_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown device 'tpu'.*auto, cuda, mps, cpu"):
        resolve_device_name("tpu", available=fake("cpu"))


def test_unavailable_device_is_a_clear_error():
    with pytest.raises(ValueError, match=r"'cuda' was asked for but is not available"):
        resolve_device_name("cuda", available=fake("cpu"))


def test_get_device_on_this_machine_returns_a_torch_device():
    import torch

    from course_lib import get_device

    assert get_device("cpu") == torch.device("cpu")
