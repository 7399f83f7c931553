# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv and install everything on first use.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help install run test test-project test-upstream services-test-up services-test-down \
        stop status logs reset lint lock i18n-extract browser solr-up solr-down test-upstream-solr nginx

help:
	@echo "make run            start the portal (http://127.0.0.1:5000), Ctrl-C stops it"
	@echo "make test           the whole test suite, on separate databases and ports"
	@echo "make test-project   the project's tests only (PYTEST_ARGS=... to select)"
	@echo "make test-upstream  CKAN's and the extensions' own search tests on our backend"
	@echo "make test-upstream-solr   the same on the SolrCloud (make solr-up first)"
	@echo "make status | logs | stop | reset   manage the data of make run"
	@echo "make solr-up        a 2-node SolrCloud on loopback (collection ckan); make solr-down stops it"
	@echo "make lint           ruff"

I18N := ckanext-metropole/ckanext/metropole/i18n
# The portal's own catalogue, and French for CKAN's and the extensions'
# strings their catalogues leave empty (loaded by metropole_theme).
MO_FILES := $(I18N)/fr/LC_MESSAGES/ckanext-metropole.mo \
	ckanext-metropole/ckanext/metropole/branding/i18n/fr/LC_MESSAGES/ckanext-metropole-upstream.mo

$(STAMP): requirements.txt requirements-dev.txt constraints.txt setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -c constraints.txt -r requirements.txt -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Translations are compiled, not committed.
%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

install: $(STAMP) $(MO_FILES)

run: install
	$(BIN)/metropole up

stop: install
	$(BIN)/metropole down

status: install
	@$(BIN)/metropole status

logs: install
	$(BIN)/metropole logs

# The only target that deletes data; it asks first (make reset ARGS=--yes).
reset: install
	$(BIN)/metropole reset $(ARGS)

# Browser tests drive Debian's Chromium; install it when missing and we can
# (root, or passwordless sudo, and apt-get). Browser tests are required, so
# when Chromium cannot be installed this fails with one line saying what is
# missing and how to install it, before any test runs.
CHROMIUM_LOG := test-artifacts/chromium-install.log
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true >/dev/null 2>&1; then SUDO=sudo; \
	  else echo "Chromium is missing and installing it needs root or passwordless sudo: run 'sudo apt-get install chromium' (browser tests are required)." >&2; exit 1; fi; \
	  command -v apt-get >/dev/null 2>&1 || { \
	    echo "Chromium is missing and apt-get is not available: install Chromium with this system's package manager so that 'chromium' is on PATH (browser tests are required)." >&2; exit 1; }; \
	  mkdir -p $(dir $(CHROMIUM_LOG)); \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; } >$(CHROMIUM_LOG) 2>&1 || { \
	    echo "Chromium is missing and 'apt-get install chromium' failed (see $(CHROMIUM_LOG)): install Debian's 'chromium' package (browser tests are required)." >&2; exit 1; }; }

# The scale-out tests (tests/deployment/) put Debian's nginx in front of two
# web nodes; it runs unprivileged from a prefix under the test data folder.
# Installing it starts no service: Debian's nginx package leaves that to
# invoke-rc.d, which policy-rc.d (containers) refuses, and a started system
# nginx would only hold port 80, not ours.
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO=sudo; \
	  else echo "nginx is missing and cannot be installed (neither root nor sudo): install Debian's 'nginx' package (scale-out tests need it)." >&2; exit 1; fi; \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx >/dev/null; } \
	  || { echo "nginx could not be installed from Debian's packages (apt-get failed): install the 'nginx' package, then run make again." >&2; exit 1; }; }

# Test services (PostgreSQL, Redis, migrated databases) under .metropole/test,
# on their own ports: `make test` never touches the data of `make run`.
services-test-up: install
	-@$(BIN)/metropole down --profile test >/dev/null
	$(BIN)/metropole up --profile test --services-only --detach

services-test-down:
	-$(BIN)/metropole down --profile test

# SolrCloud for the Solr profile's tests and local trials (deployment/solr):
# installs Java and Maven from Debian when missing, builds, starts, waits
# until the collection is active. Ports: METROPOLE_SOLR_PORTS ("18983 18984"),
# METROPOLE_SOLR_ZK_PORT (19983).
solr-up: install
	bash deployment/solr/solrcloud.sh up $(BIN)/python

solr-down:
	bash deployment/solr/solrcloud.sh down

# --durations: the 30 slowest tests close the report, so a test that makes
# the suite drift towards its 45-minute budget is seen in CI's log.
test-project:
	$(BIN)/python -m pytest --ckan-ini=test.ini --durations=30 tests $(PYTEST_ARGS)

test-upstream:
	PYTHON=$(BIN)/python bash tests/upstream/run.sh

# The same upstream suites on the SolrCloud of `make solr-up` (~2.5 min):
# part of `make test`, so the two backends' differences are seen, not
# guessed. `make test TEST_UPSTREAM_SOLR=no` leaves them out.
TEST_UPSTREAM_SOLR ?= yes
test-upstream-solr:
	SEARCH_BACKEND=solr PYTHON=$(BIN)/python bash tests/upstream/run.sh

# Exit status: non-zero if any part failed (pytest's own codes, incl. 5 when
# no test ran); services are stopped either way.
test: browser nginx services-test-up solr-up
	status=0; \
	$(MAKE) --no-print-directory test-project || status=$$?; \
	$(MAKE) --no-print-directory test-upstream || status=$$?; \
	[ "$(TEST_UPSTREAM_SOLR)" = no ] || $(MAKE) --no-print-directory test-upstream-solr || status=$$?; \
	$(MAKE) --no-print-directory services-test-down; \
	$(MAKE) --no-print-directory solr-down; \
	exit $$status

lint: install
	$(BIN)/ruff check .

# Refresh the message catalogue after changing user-facing strings.
i18n-extract: install
	$(BIN)/pybabel extract -F $(I18N)/babel.cfg -k _ -k fail:2 -k Rule:2 -k ngettext_noop:1,2 --no-location --omit-header \
	    --no-wrap -o $(I18N)/ckanext-metropole.pot ckanext-metropole/ckanext/metropole
	$(BIN)/pybabel update --no-wrap --ignore-obsolete --no-fuzzy-matching -i $(I18N)/ckanext-metropole.pot -d $(I18N) -D ckanext-metropole

# Regenerate constraints.txt from requirements*.txt in a throw-away venv.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -r requirements.txt -r requirements-dev.txt
	(echo "# Lock file: every package of the venv, pinned. Generated by \`make lock\`; do not edit."; \
	 .lock-venv/bin/pip freeze) > constraints.txt
	rm -rf .lock-venv
