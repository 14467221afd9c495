# Living Handbook: every command the technical volunteer and CI need.
# `make demo` and `make test` are the two entry points; both install what is missing first.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
APT_PACKAGES := gettext
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve test test-sqlite test-postgres check messages lock clean-demo

install: $(VENV)/.installed locale/zh_Hans/LC_MESSAGES/django.mo

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

locale/zh_Hans/LC_MESSAGES/django.mo: $(VENV)/.installed $(shell find . -path ./.venv -prune -o -name django.po -print 2>/dev/null)
	$(MANAGE) compilemessages --ignore=.venv -v 0
	@touch $@

demo: install
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) load_demo
	@echo "Living Handbook demo: http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(MANAGE) runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest -q

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

messages: install
	$(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=bench --no-obsolete

lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements/lock.txt
