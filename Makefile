# Everything a newcomer needs: `make sandbox` to try the bot, `make test` to run the tests.
# Both set up a virtual environment in .venv (Python 3.11+), install the project and compile
# the translations first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup sandbox test lint check bench locales run migrate lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The pinned dependencies (requirements-test.lock, made by `make lock` from pyproject.toml). The bot
# itself is not installed: it runs from this folder (`python -m bot`), beside migrations/ and locales/.
$(VENV)/.installed: requirements-test.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --requirement requirements-test.lock
	touch $@

setup: $(VENV)/.installed
	$(BIN)/pybabel compile --domain=messages --directory=locales --statistics

sandbox: setup
	$(BIN)/python -m bot sandbox

test: setup
	$(BIN)/python -m pytest

# ruff (pyflakes, bugbear, no blind except) over the code and tests; mypy, strict for bot/domain.
lint: setup
	$(BIN)/ruff check bot tests bench
	$(BIN)/mypy

# What CI runs: the linters, then the whole test suite.
check: lint test

run: setup
	$(BIN)/python -m bot run

migrate: setup
	$(BIN)/python -m bot migrate

# After changing user-facing strings: extract them, merge into both catalogs, translate, compile.
locales: $(VENV)/.installed
	$(BIN)/pybabel extract --mapping-file=babel.cfg --keywords=N_ --no-location --project=jamaat \
		--output-file=locales/messages.pot .
	$(BIN)/pybabel update --input-file=locales/messages.pot --domain=messages --output-dir=locales \
		--no-fuzzy-matching --width=100
	$(BIN)/pybabel compile --domain=messages --directory=locales --statistics

# After changing dependencies in pyproject.toml: pin them again (pip-tools), then commit both files.
LOCK_FLAGS := --quiet --strip-extras --no-emit-find-links --no-emit-index-url --allow-unsafe
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile $(LOCK_FLAGS) --output-file=requirements.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra=test --output-file=requirements-test.lock pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache
