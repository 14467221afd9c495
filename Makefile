# Living Handbook: every command the technical volunteer and CI need.
# `make demo` and `make test` are the two entry points; both install what is missing first.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
APT_PACKAGES := gettext fonts-noto-cjk poppler-utils chromium
APP_LOCALES := core trials literature freshness finder handbook publishing membership demo operations
PO_FILES := $(shell find . -path ./.venv -prune -o -path ./node_modules -prune -o -name django.po -print)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test test-postgres check lint-imports messages lock bench-lighthouse bench-render

install: $(VENV)/.installed .messages-compiled node_modules/.installed

.apt-installed: Makefile
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@touch $@

$(VENV)/.installed: requirements/lock.txt .apt-installed
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/lock.txt
	@touch $@

# axe-core for the browser tests (package.json). Lighthouse (185 MB) is only installed by
# `make bench-lighthouse`, outside the lock file. Node and npm come from Debian when missing.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Installing Debian packages: nodejs npm"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	@test -s node_modules/axe-core/axe.min.js || { echo "npm ci did not install axe-core"; exit 1; }
	@touch $@

# Every app keeps its own locale/zh_Hans/django.po (ADR 0007); compile them all when any changes.
.messages-compiled: $(PO_FILES) $(VENV)/.installed
	DJANGO_DEBUG=true $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0
	@test -s locale/zh_Hans/LC_MESSAGES/django.mo || { echo "compilemessages produced no locale/zh_Hans/LC_MESSAGES/django.mo"; exit 1; }
	@touch $@

demo: export DJANGO_DEBUG ?= true
demo: install
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) load_demo
	@echo "Living Handbook demo: http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	PY=$(PY) scripts/demo-serve.sh $(HOST):$(PORT)

# Coverage over every app (pyproject.toml [tool.coverage.*]); fails below its fail_under.
test: export DJANGO_DEBUG ?= true
test: install lint-imports
	$(PY) -m pytest -q --cov --cov-report=term:skip-covered

# The layer contract of ADR 0013 (pyproject.toml [tool.importlinter]): no wrong-way import.
lint-imports: install
	$(VENV)/bin/lint-imports

test-postgres: export DJANGO_DEBUG ?= true
test-postgres: install
	scripts/with-postgres.sh $(PY) -m pytest -q -p no:cacheprovider

check: export DJANGO_DEBUG ?= true
check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

messages: export DJANGO_DEBUG ?= true
messages: install
	$(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=bench --ignore=var --ignore=node_modules $(foreach a,$(APP_LOCALES),--ignore=$(a)) --no-obsolete
	for a in $(APP_LOCALES); do (cd $$a && ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete) || exit 1; done

# Lighthouse (mobile) on the demo page: performance and accessibility scores (bench/lighthouse.sh).
bench-lighthouse: export DJANGO_DEBUG ?= true
bench-lighthouse: install
	@test -x node_modules/.bin/lighthouse || npm install --no-save --no-audit --no-fund --loglevel=error lighthouse@12.8.2
	bench/lighthouse.sh

# Render time of the demo page under 20 concurrent clients (bench/render_load.py).
bench-render: install
	$(PY) bench/render_load.py

lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements/lock.txt
