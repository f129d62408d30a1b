# Influence Map: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Settings the test suite runs with: production-like (DEBUG off), throwaway key.
TEST_ENV := SECRET_KEY=test-only-secret-key-not-for-production SECURE_SSL_REDIRECT=false PLAIN_STATIC=true DEBUG=false
# `make run` is a local development server on the embedded SQLite database.
RUN_ENV := DEBUG=true

# A Python >= 3.12: $(PYTHON) if given, else the first suitable one on PATH or under pyenv.
find_python = $(shell for p in $(PYTHON) python3.13 python3.12 python3 $(wildcard /root/.pyenv/versions/3.1[3-9]*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3 $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)

.PHONY: help install run test test-browser lint bench igraph-peer loadtest clean

help:
	@echo "make run           set up everything and serve the demo on http://127.0.0.1:$(PORT)"
	@echo "make test          the whole test suite (DATABASE_URL selects PostgreSQL)"
	@echo "make test-browser  browser tests (Playwright driving /usr/bin/chromium)"
	@echo "make install       virtualenv and pinned dependencies only"
	@echo "make lint          ruff and the architecture contracts (lint-imports)"
	@echo "make bench         speed and memory of a full score run"
	@echo "make igraph-peer   python-igraph in its own environment, the yardstick make bench times"
	@echo "make loadtest      gunicorn on PostgreSQL: 50 readers, 5 editors, nothing lost"

$(VENV)/.installed: pyproject.toml constraints.txt
	@if [ ! -x $(PY) ]; then \
		python="$(find_python)"; \
		if [ -z "$$python" ]; then \
			echo "error: Influence Map needs Python 3.12 or newer and found none."; \
			echo "Install one (e.g. 'pyenv install 3.12') or pass PYTHON=/path/to/python3.12."; \
			exit 1; \
		fi; \
		echo "Creating $(VENV) with $$python ($$($$python --version))"; \
		$$python -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

run: install
	$(RUN_ENV) $(PY) manage.py migrate --no-input
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo
	@echo "Influence Map is serving on http://127.0.0.1:$(PORT)/"
	@echo "Log in as 'demo' with the password printed above (or DEMO_PASSWORD if you set it)."
	@echo "Data entry: http://127.0.0.1:$(PORT)/admin/   Stop with Ctrl-C."
	@echo
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(TEST_ENV) $(PY) -m pytest

test-browser: install
	$(TEST_ENV) DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m browser tests/browser

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

bench: install
	$(TEST_ENV) $(PY) -m bench

# python-igraph is GPL: a yardstick in its own environment, never a dependency of the app.
IGRAPH_VENV := .bench-igraph
igraph-peer: install
	@[ -x $(IGRAPH_VENV)/bin/python ] || $$($(PY) -c 'import sys; print(sys._base_executable)') -m venv $(IGRAPH_VENV)
	$(IGRAPH_VENV)/bin/python -m pip install --quiet python-igraph==1.0.0

# Drops and rebuilds the PostgreSQL database influence_map_load (see loadtest/run.sh).
$(VENV)/.installed-loadtest: $(VENV)/.installed
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev,loadtest]'
	@touch $@

loadtest: $(VENV)/.installed-loadtest
	bash loadtest/run.sh

clean:
	rm -rf $(VENV) $(IGRAPH_VENV) staticfiles .pytest_cache .ruff_cache
