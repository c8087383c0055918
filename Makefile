# The two commands of the README: `make run` (service + demo data) and `make test` (whole suite).
# Each does its own set-up on a fresh machine: a venv with the pinned packages, and the pinned Azurite.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test bench lint deps browser clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: $(VENV)/.installed node_modules/.installed

# The browser tests drive Debian's Chromium through Playwright (Playwright's own browser download is not
# reachable from these machines, so it is never used).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

run: deps
	$(PY) -m devhost up

test: deps browser
	$(PY) -m pytest

bench: deps
	$(PY) -m bench

lint: deps
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules .azurite .devhost test-artifacts
