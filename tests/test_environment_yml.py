"""environment.yml (for conda users) must name the same packages as pyproject.toml."""

import re
import tomllib

import yaml

from course_lib.env.paths import REPO_ROOT

CONDA_TO_PIP = {"pytorch": "torch"}  # conda-forge name -> PyPI name
NOT_PACKAGES = {"python", "pip"}


def requirement_name(spec: str) -> str:
    """'torch>=2.3' -> 'torch'; 'pytorch=2.13' -> 'pytorch'."""
    return re.split(r"[<>=!~\[ ;]", spec.strip(), maxsplit=1)[0].lower()


def conda_packages() -> set[str]:
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    names = set()
    for entry in env["dependencies"]:
        if isinstance(entry, dict):  # the pip: section
            names |= {requirement_name(s) for s in entry["pip"] if not s.startswith("-e")}
        else:
            names.add(CONDA_TO_PIP.get(requirement_name(entry), requirement_name(entry)))
    return names - NOT_PACKAGES


def pyproject_packages() -> set[str]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["test"]
    return {requirement_name(s) for s in specs}


def test_environment_yml_installs_the_project_itself():
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    pip_section = next(e["pip"] for e in env["dependencies"] if isinstance(e, dict))
    assert "-e ." in pip_section


def test_environment_yml_and_pyproject_name_the_same_packages():
    conda, pyproject = conda_packages(), pyproject_packages()
    assert conda == pyproject, (
        f"only in environment.yml: {sorted(conda - pyproject)}; "
        f"only in pyproject.toml: {sorted(pyproject - conda)}"
    )


def test_environment_yml_pins_the_same_torch_as_the_setup():
    text = (REPO_ROOT / "environment.yml").read_text()
    makefile = (REPO_ROOT / "Makefile").read_text()
    conda_pin = re.search(r"pytorch=(\d+\.\d+)", text).group(1)
    setup_pin = re.search(r"torch==(\d+\.\d+)", makefile).group(1)
    assert conda_pin == setup_pin
