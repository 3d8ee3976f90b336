# TWG Portal: `make run` sets everything up and serves the portal; `make test` sets up and runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
ARGS ?=

# Django 6.1 needs Python 3.12 or newer: take the first one found on PATH or under pyenv.
define find_python
for candidate in "$${PYTHON:-}" python3.13 python3.12 python3 \
    $$(ls -d "$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -r); do \
  [ -n "$$candidate" ] || continue; \
  command -v "$$candidate" >/dev/null 2>&1 || continue; \
  if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo "$$candidate"; exit 0; fi; \
done; exit 1
endef

.PHONY: help setup run test test-fast lint format migrations-check bench wrk
.PHONY: browser-deps test-browser screenshots messages compilemessages
.PHONY: backup restore pg-client redis-server audit fault-test bench-anchor fidelity map-data ocr-deps

help:
	@echo "make run    set up (venv, database, migrations, TWG records, organizer account, static files) and serve on http://$(HOST):$(PORT)"
	@echo "make test   set up and run the whole test suite against a PostgreSQL test database (what CI runs)"
	@echo "make test-fast  the inner loop: no browser tests, no tests that start servers or processes, none of"
	@echo "                the slowest few, Hypothesis's small profile (docs/testing.md)"
	@echo "make lint   ruff check and format, and the floors (lint-imports, docs/architecture.md)"
	@echo "make test-browser  run only the browser tests (Playwright + Debian's Chromium + axe-core)"
	@echo "make messages      re-extract translatable strings into locale/{es,fr,ar}"
	@echo "make backup                  write backups/twg-backup-<time>.tar (database dump, uploaded files, manifest)"
	@echo "make restore FILE=... [FORCE=1]  restore a backup into an empty database (FORCE=1: replace a non-empty one)"
	@echo "make audit   pip-audit on the pinned requirements and bandit on the code"
	@echo "make deploy-test nginx and gunicorn with the shipped configurations: slow clients, oversized bodies"
	@echo "make fault-test  restart a PostgreSQL of its own under the served portal: 503s, then recovery;"
	@echo "                 a streaming replica of its own: public pages routed to it, lag and outage fall back"

$(PY):
	@python_bin=$$( $(find_python) ) || { echo "No Python 3.12+ found. Install python3.12 (e.g. 'pyenv install 3.12' or Debian's python3.12) and run make again." >&2; exit 1; }; \
	echo "Creating $(VENV) with $$python_bin"; \
	"$$python_bin" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements-test.txt $(VENV)/.runtime-installed
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

# A local secret key, generated once and kept out of git (.gitignore). Production sets SECRET_KEY.
.secret_key:
	@umask 077; $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

setup: $(VENV)/.runtime-installed .secret_key ocr-deps
	$(PY) manage.py ensure_database
	$(PY) manage.py migrate --no-input
	$(PY) manage.py createcachetable
	$(PY) manage.py load_twg_records
	$(PY) manage.py ensure_organizer
	$(PY) manage.py collectstatic --no-input --verbosity 0
	@if command -v msgfmt >/dev/null 2>&1; then $(PY) manage.py compilemessages --ignore=$(VENV) --ignore=node_modules --verbosity 0; \
	else echo "gettext is not installed: the portal will be in English only (sudo apt-get install -y gettext, then make run)" >&2; fi

# Background task workers (text extraction of uploads, docs/files.md) run beside gunicorn and stop with it.
TASK_WORKERS ?= 1

run: setup
	@echo "Serving the TWG Portal at http://$(HOST):$(PORT)/ (admin at /admin/), with $(TASK_WORKERS) task worker(s)"
	@task_workers=""; \
	for n in $$(seq 1 $(TASK_WORKERS)); do $(PY) manage.py db_worker --no-reload --interval 2 & task_workers="$$task_workers $$!"; done; \
	trap 'kill $$task_workers 2>/dev/null; wait $$task_workers 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS)

# The suite runs in TEST_WORKERS processes (pytest-xdist); pytest-django gives each its own test database
# (test_<name>_gw0, _gw1, ...), and every server a test starts listens on a free loopback port.
# TEST_WORKERS=0 runs it in one process. Work stealing: a worker that runs out of tests takes pending ones
# from the other, so the few long tests (a migration there and back, twenty rounds of edits) do not leave
# one worker idle at the end (the whole suite in CI's conditions: 8:00 with xdist's default `load`, 6:57
# with `worksteal`, 2026-12-04).
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS) --dist worksteal

test: $(VENV)/.test-installed .secret_key pg-client redis-server browser-deps ocr-deps
	$(PY) manage.py ensure_database
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py compilemessages --ignore=$(VENV) --ignore=node_modules --verbosity 0
	$(PY) -m pytest $(XDIST) $(ARGS)

# The inner loop (docs/testing.md): the whole suite but the browser tests, the tests that start a server
# or a process of their own (marker `servers`) and the few that take longest alone (`slow`), with
# Hypothesis's small profile (tests/conftest.py; CI=true or HYPOTHESIS_PROFILE=ci gives the full one).
# `make test` is still the suite that counts.
FAST_MARKERS := not fault and not deploy and not browser and not servers and not slow

test-fast: $(VENV)/.test-installed .secret_key ocr-deps
	$(PY) manage.py ensure_database
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py compilemessages --ignore=$(VENV) --ignore=node_modules --verbosity 0
	$(PY) -m pytest $(XDIST) -m "$(FAST_MARKERS)" $(ARGS)

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.test-installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: $(VENV)/.runtime-installed .secret_key
	$(PY) manage.py makemigrations --check --dry-run

# --- Browser tests and translations (issue 6) -------------------------------------------------
# What the browser tests need besides Python packages: Debian's Chromium (driven by the pinned
# Python `playwright`; never `playwright install`, which downloads a browser), gettext for
# compilemessages, a font with Arabic glyphs for right-to-left screenshots, and axe-core from npm
# (package-lock.json, `npm ci`). Only what is missing is installed, so on a machine that has it
# all this prints nothing. Installing needs root and apt-get (as CI has); otherwise it says what to install.
CHROMIUM := /usr/bin/chromium

browser-deps: node_modules/.package-lock.json
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null 2>&1 || missing="$$missing gettext"; \
	{ command -v fc-list >/dev/null 2>&1 && [ -n "$$(fc-list :lang=ar family)" ]; } || missing="$$missing fonts-noto-core"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian packages for the browser tests:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The browser tests need Debian packages:$$missing. Install them with: sudo apt-get install -y$$missing" >&2; exit 1; \
	  fi; \
	fi

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's npm (for axe-core)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else echo "The accessibility tests need npm: sudo apt-get install -y npm" >&2; exit 1; fi; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test-browser: $(VENV)/.test-installed .secret_key browser-deps
	$(PY) manage.py ensure_database
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py compilemessages --ignore=$(VENV) --ignore=node_modules --verbosity 0
	$(PY) -m pytest -m browser $(ARGS)

# The README's screenshots (docs/screenshots/*.png), from the real TWG records in a real browser.
screenshots: $(VENV)/.test-installed .secret_key browser-deps
	$(PY) manage.py ensure_database
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py compilemessages --ignore=$(VENV) --ignore=node_modules --verbosity 0
	$(PY) -m pytest -q tests/browser/screenshots.py $(ARGS)

# Re-extract every marked string into locale/<lang>/LC_MESSAGES/django.po (then translate the new
# msgids; tests/test_translations.py fails while any is empty or fuzzy).
messages: $(VENV)/.runtime-installed .secret_key
	$(PY) manage.py makemessages -l es -l fr -l ar --ignore=$(VENV) --ignore=node_modules --ignore=staticfiles --no-obsolete

compilemessages: $(VENV)/.runtime-installed .secret_key
	$(PY) manage.py compilemessages --ignore=$(VENV) --ignore=node_modules

# --- Security (issue 8): backups, supply-chain audit, fault test -------------------------------
PG_MAJOR ?= 15

# pg_dump/pg_restore of the server's major version (Debian's postgresql-client-N), installed only if missing.
pg-client:
	@if [ -x /usr/lib/postgresql/$(PG_MAJOR)/bin/pg_dump ] && [ -x /usr/lib/postgresql/$(PG_MAJOR)/bin/pg_restore ]; then :; \
	else \
	  echo "Installing postgresql-client-$(PG_MAJOR) (pg_dump, pg_restore)"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get install -y --no-install-recommends postgresql-client-$(PG_MAJOR) || \
	    { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends postgresql-client-$(PG_MAJOR); }; \
	fi

# Debian's redis-server, only if missing: tests/test_cache.py starts one of its own on a free loopback
# port to check the cache with REDIS_URL set (the portal itself needs Redis only when REDIS_URL is set).
redis-server:
	@if command -v redis-server >/dev/null 2>&1; then :; \
	else \
	  echo "Installing redis-server (for the cache tests)"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get install -y --no-install-recommends redis-server || \
	    { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends redis-server; }; \
	fi

# initdb, pg_ctl (postgresql-N; pg_basebackup is in the client package): the fault tests start
# PostgreSQL servers of their own, a primary and a streaming replica (tests/fault/test_read_replica.py).
# Installed only if missing.
.PHONY: pg-server
pg-server: pg-client
	@if [ -x /usr/lib/postgresql/$(PG_MAJOR)/bin/initdb ] && [ -x /usr/lib/postgresql/$(PG_MAJOR)/bin/pg_ctl ]; then :; \
	else \
	  echo "Installing postgresql-$(PG_MAJOR) (initdb, pg_ctl for the fault tests)"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get install -y --no-install-recommends postgresql-$(PG_MAJOR) || \
	    { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends postgresql-$(PG_MAJOR); }; \
	fi
fault-test: pg-server

# Scanned documents (issue 16; docs/files.md): Debian's ocrmypdf and Tesseract with the portal's four
# languages recognise the text of image-only PDFs in the task worker. Installed only if missing.
OCR_PACKAGES := ocrmypdf tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-fra tesseract-ocr-ara

ocr-deps:
	@missing=""; \
	for package in $(OCR_PACKAGES); do dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages for OCR:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get install -y --no-install-recommends $$missing || \
	    { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends $$missing; }; \
	fi

backup: $(VENV)/.runtime-installed .secret_key pg-client
	$(PY) manage.py backup

restore: $(VENV)/.runtime-installed .secret_key pg-client
	@[ -n "$(FILE)" ] || { echo "Usage: make restore FILE=backups/twg-backup-<time>.tar [FORCE=1]" >&2; exit 2; }
	$(PY) manage.py ensure_database
	$(PY) manage.py restore "$(FILE)" $(if $(filter 1 true yes,$(FORCE)),--force)

# --- Performance (issue 7): the benchmark, on its own database (twg_portal_bench) -----------------
SIZES ?= 1000,10000,100000

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get install -y --no-install-recommends wrk || { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends wrk; }; }

ANCHOR_N ?= 100000

$(VENV)/.bench-installed: bench/requirements.txt $(VENV)/.runtime-installed
	$(PY) -m pip install --quiet -r bench/requirements.txt
	touch $@

# The pages at each size, then the search against tantivy on the anchor corpus (bench/anchor.py), then
# the fidelity of import and exports on real reference-manager files (bench/fidelity.py).
bench: $(VENV)/.runtime-installed .secret_key wrk bench-anchor fidelity
	$(PY) bench/run.py --sizes $(SIZES)

# How much of each record of tests/fixtures/references survives the import and each export (issue 20):
# a table per field and bench/fidelity.json, on a database of its own (twg_portal_fidelity, created and
# migrated if need be; FIDELITY_DATABASE names another), every import rolled back.
fidelity: $(VENV)/.runtime-installed .secret_key
	$(PY) bench/fidelity.py

# Every part by default; ANCHOR_ARGS="--reuse --only queries,throughput" re-measures the loaded database
# in minutes (bench/anchor.py --help). wrk for the throughput part.
ANCHOR_ARGS ?=
bench-anchor: $(VENV)/.bench-installed .secret_key pg-client wrk
	$(PY) bench/anchor.py --n $(ANCHOR_N) $(ANCHOR_ARGS)
# Runs its own PostgreSQL (initdb in a temporary directory, a free loopback port) and gunicorn.
fault-test: $(VENV)/.test-installed .secret_key pg-client
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) -m pytest -m fault tests/fault $(ARGS)

# Known vulnerabilities in every installed package (PyPI's advisory records) and high-risk code (bandit).
# pip-audit asks PyPI per release; where that is out of reach (as on the project's build machines) it
# lists the packages as skipped, and audit_dependencies reads the same records by project for each
# package installed at its newest release. Any known vulnerability fails; so does auditing nothing.
# AUDIT_STRICT=1 also fails on a package neither could audit.
AUDIT_STRICT ?= 0
audit: $(VENV)/.test-installed .secret_key
	$(VENV)/bin/bandit -q -c pyproject.toml --severity-level high -r .
	$(VENV)/bin/pip-audit --progress-spinner off -r requirements.txt -r requirements-test.txt
	$(PY) manage.py audit_dependencies $(if $(filter 1,$(AUDIT_STRICT)),--strict)

# --- A real front server (issue 13): nginx in front of gunicorn, deploy/ -----------------------------
.PHONY: nginx deploy-test

# Debian's nginx, only if missing: the front server of a production deployment (deploy/, docs/deployment.md)
# and of `make deploy-test`, which runs one of its own as this user on loopback ports. Debian starts the
# packaged service after installing; nothing here relies on it.
NGINX ?= /usr/sbin/nginx
nginx:
	@if [ -x $(NGINX) ]; then :; \
	else \
	  echo "Installing nginx (the front server, for make deploy-test)"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get install -y --no-install-recommends nginx || \
	    { $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends nginx; }; \
	fi

# nginx and gunicorn with the shipped configurations (deploy/) on loopback ports, against a database of
# their own: slow clients, oversized bodies (tests/deploy, docs/deployment.md).
deploy-test: $(VENV)/.test-installed .secret_key nginx
	$(PY) manage.py ensure_database
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) -m pytest -m deploy tests/deploy $(ARGS)

# The map's land outline (docs/cities.md): Natural Earth 110m land from npm world-atlas, as SVG.
map-data: node_modules/.package-lock.json $(VENV)/.runtime-installed .secret_key
	$(PY) manage.py write_land_map
