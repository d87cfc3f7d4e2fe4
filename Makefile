# Two commands for a newcomer: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ACCOUNTS ?= 2000
# The exact versions CI tests: every package `pip install -e '.[dev]'` put in a fresh venv.
LOCK := requirements.lock

.PHONY: demo test lint typecheck imports unit bench lock clean python-version

python-version:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "collector-tui needs Python 3.11 or newer (set PYTHON=python3.11)")'

$(BIN)/python: | python-version
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps: reinstall when the lock or pyproject.toml changes. Both install the locked versions:
# the demo what it needs (the lock as constraints), the checks the whole lock and then the project
# with nothing resolved beside it (--no-deps), so CI runs exactly what the lock says; `pip check`
# fails when the lock no longer fits pyproject.toml's ranges (run `make lock`).
$(VENV)/.installed: $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e .
	@touch $@

$(VENV)/.installed-dev: $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	@touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/collector demo --accounts $(ACCOUNTS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

imports: $(VENV)/.installed-dev
	$(BIN)/lint-imports

unit: $(VENV)/.installed-dev
	$(BIN)/pytest

test: lint typecheck imports unit

bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks

# Rewrite the lock from pyproject.toml's ranges in a throwaway venv (the newest releases they
# allow, from the configured index), with the Python CI uses; then `make test` and commit both.
lock: python-version
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; py="$$tmp/venv/bin/python"; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$py" -m pip install --quiet --upgrade pip; \
	"$$py" -m pip install --quiet -e '.[dev]'; \
	{ echo "# Written by 'make lock': pip freeze after pip install -e '.[dev]' in a fresh venv ($$("$$py" -V), $$(uname -s))."; \
	  echo "# 'make test' installs exactly these. Change the ranges in pyproject.toml and run 'make lock'; do not edit."; \
	  "$$py" -m pip freeze --exclude-editable; } > "$$tmp/lock"; \
	mv "$$tmp/lock" $(LOCK); echo "wrote $(LOCK)"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache dist build .bench
