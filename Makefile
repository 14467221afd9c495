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

.PHONY: install demo test test-postgres check messages lock

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

locale/zh_Hans/LC_MESSAGES/django.mo: locale/zh_Hans/LC_MESSAGES/django.po $(VENV)/.installed
	DJANGO_DEBUG=true $(MANAGE) compilemessages --ignore=.venv -v 0
	@test -s $@ || { echo "compilemessages produced no $@"; exit 1; }

demo: export DJANGO_DEBUG ?= true
demo: install
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) load_demo
	@echo "Living Handbook demo: http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(MANAGE) runserver $(HOST):$(PORT)

test: export DJANGO_DEBUG ?= true
test: install
	$(PY) -m pytest -q

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
	$(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=bench --ignore=var --no-obsolete

lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements/lock.txt
