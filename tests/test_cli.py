import subprocess
import sys

from course_lib.tools.cli import COMMANDS


def test_help_lists_every_command():
    result = subprocess.run([sys.executable, "-m", "course_lib.tools.cli", "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0
    for name in COMMANDS:
        assert name in result.stdout


def test_unknown_command_is_a_clear_error():
    result = subprocess.run([sys.executable, "-m", "course_lib.tools.cli", "trian"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "invalid choice: 'trian'" in result.stderr


def test_every_command_module_exists_and_has_the_contract():
    import importlib

    for name, (module_name, _help) in COMMANDS.items():
        module = importlib.import_module(module_name)
        assert callable(module.add_arguments), name
        assert callable(module.main), name
