# Everything a newcomer needs: `make sandbox` to try the bot, `make test` to run the tests.
# Both set up a virtual environment in .venv (Python 3.11+), install the project and compile
# the translations first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup sandbox test browser lint check bench locales run migrate lock clean

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

# The web app's browser tests drive Debian's chromium through Playwright, which never downloads a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

test: setup browser
	$(BIN)/python -m pytest

# Debian's chromium for the browser tests, installed with apt when missing (sudo unless root). Elsewhere
# install Chromium yourself at /usr/bin/chromium; without it the browser tests are skipped (pytest says so).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	    echo "installing Debian's chromium for the browser tests"; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: the browser tests will be skipped"; fi; }

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

# After changing user-facing strings: extract them, merge into both catalogs (entries no longer in the code are
# dropped: the catalogs hold only what the bot says), translate, compile.
# Keywords: N_ marks a msgid for later; pgettext / npgettext / NC_ carry a context (msgctxt) as their
# first argument ("1c"), for one English word that needs two words in Kyrgyz or Russian (bot/i18n).
LOCALE_KEYWORDS := --keywords=N_ --keywords=pgettext:1c,2 --keywords=npgettext:1c,2,3 --keywords=NC_:1c,2
locales: $(VENV)/.installed
	$(BIN)/pybabel extract --mapping-file=babel.cfg $(LOCALE_KEYWORDS) --no-location --project=jamaat \
		--output-file=locales/messages.pot .
	$(BIN)/pybabel update --input-file=locales/messages.pot --domain=messages --output-dir=locales \
		--no-fuzzy-matching --ignore-obsolete --width=100
	$(BIN)/pybabel compile --domain=messages --directory=locales --statistics

# After changing dependencies in pyproject.toml: pin them again (pip-tools), then commit both files.
LOCK_FLAGS := --quiet --strip-extras --no-emit-find-links --no-emit-index-url --allow-unsafe
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile $(LOCK_FLAGS) --output-file=requirements.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra=test --output-file=requirements-test.lock pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache
