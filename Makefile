# The two commands of the README: `make run` (service + demo data) and `make test` (whole suite).
# Each does its own set-up on a fresh machine: a venv with the pinned packages, and the pinned Azurite.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test bench lint deps browser clean lock

# The runtime packages come from the lock (exact versions, hashes checked), so tests run on what deploys;
# the dev tools are installed on top of it (tests/infra/test_lock.py fails if they moved a locked package).
$(VENV)/.installed: requirements.txt requirements.lock requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
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

# The first_page benchmark opens the web client in Debian's Chromium, as the browser tests do.
bench: deps browser
	$(PY) -m bench

lint: deps
	$(VENV)/bin/ruff check .

# requirements.lock: every runtime package (requirements.txt and all it pulls in) pinned with its hashes, resolved
# for the deployed platform (Linux x86_64, Python 3.11). Run after any change to requirements.txt.
# Needs only uv (pinned in requirements-dev.txt), not the rest of the venv, which installs from the lock.
lock:
	@test -x $(VENV)/bin/uv || ($(PYTHON) -m venv $(VENV) && \
		$(PY) -m pip install --quiet --disable-pip-version-check $$(grep '^uv==' requirements-dev.txt))
	$(VENV)/bin/uv pip compile requirements.txt --quiet --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock" --output-file requirements.lock

clean:
	rm -rf $(VENV) node_modules .azurite .devhost test-artifacts
