# The two commands of the README: `make build` and `make test`.
# Both set up everything they need on a fresh machine with Python 3.11.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: build test serve lint typecheck browser clean bench

# `make build BASE_URL=https://user.github.io/repo/` publishes under another URL (CI does).
build: $(STAMP)
	$(BIN)/briefgen build$(if $(BASE_URL), --base-url '$(BASE_URL)')

serve: $(STAMP)
	$(BIN)/briefgen serve

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "briefgen needs Python 3.11 or newer: run make PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Browser tests drive Debian's Chromium; install it when it is missing.
browser:
	@test -x $(CHROMIUM) || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

clean:
	rm -rf site .briefgen-cache $(VENV)
