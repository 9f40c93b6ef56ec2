# The course's commands. `make setup` once, then `make lab` to study or `make test` to check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# torch is pinned and installed in the same pip command as the project: an unpinned torch
# in a fresh venv resolves to a multi-GB CUDA build.
TORCH_PIN := torch==2.13.0
# pytest workers (pytest-xdist); each runs torch, BLAS and its kernels on one thread (tests/conftest.py)
TEST_WORKERS ?= 2

.PHONY: setup lab test lint notebooks exercises clean-cache site

setup:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "$(TORCH_PIN)" -e ".[test,site]"
	@echo "Set-up done. Next: 'make lab' to open the course, 'make test' to run the tests."

lab:
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb

lint:
	$(BIN)/ruff check .

test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

# Re-execute the lecture notebooks in the laptop profile and store their outputs.
notebooks:
	$(BIN)/lstm-course notebooks execute

exercises:
	$(BIN)/lstm-course exercises build

# The course website from the committed notebooks (no execution): build/site/_build/html/.
site:
	$(BIN)/lstm-course site build
