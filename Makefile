# Liaison Portal: every developer entry point. `make run` and `make test` work on a fresh clone
# with only Python 3.11 installed: the venv, the packages and the embedded PostgreSQL/Redis are
# all set up on the way.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.11 is what pyproject.toml requires; plain python3 is the fallback if it is 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
VENV_PY := $(VENV)/bin/python
# Reinstall only when pyproject.toml changes, not on every `make run`/`make test`.
STAMP := $(VENV)/.installed
EXTRAS ?= embedded,dev
PYTEST_ARGS ?=
# Two pytest-xdist workers: most of the suite waits on servers, browsers and workers it starts,
# so two run side by side on two cores (tests/plugin.py gives each its own Redis database).
PYTEST_WORKERS ?= 2

.PHONY: help install run test bench lint schema stop

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV_PY):
	@test -n "$(PYTHON)" || { echo "error: python3.11 not found; install Python 3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || { echo "error: '$(PYTHON) -m venv' failed; on Debian/Ubuntu: apt-get install python3.11-venv" >&2; exit 1; }

$(STAMP): pyproject.toml | $(VENV_PY)
	$(VENV_PY) -m pip install --quiet --upgrade pip
	$(VENV_PY) -m pip install --quiet -e '.[$(EXTRAS)]'
	@# pyproject.toml declares no packages (the apps are run from the checkout), so put the
	@# checkout itself on the venv's path: `.venv/bin/pytest`, `.venv/bin/celery -A portal`
	@# and `python -m ...` then work from any directory.
	$(VENV_PY) -c 'import pathlib, sysconfig; pathlib.Path(sysconfig.get_path("purelib"), "liaison_portal_checkout.pth").write_text(str(pathlib.Path.cwd()) + "\n")'
	@touch $@

install: $(STAMP) ## Create .venv and install the project with the embedded and dev extras

run: $(STAMP) ## Run the portal: embedded PostgreSQL/Redis (unless URLs set), web, workers, beat
	$(VENV_PY) -m portal.run

test: $(STAMP) ## Run the tests in PYTEST_WORKERS processes (PYTEST_ARGS="-k routing -x" to pass options)
	$(VENV_PY) -m pytest --numprocesses $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

bench: $(STAMP) ## Run the benchmarks in bench/ (installs wrk when missing), ending with the summary table
	$(VENV_PY) -m bench

lint: $(STAMP) ## ruff check, ruff format --check, mypy, lint-imports (the architecture)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

schema: $(STAMP) ## Export the GraphQL schema to schema.graphql
	$(VENV_PY) manage.py export_schema portal.graphql.schema:schema --path schema.graphql

stop: ## Stop the embedded PostgreSQL and Redis (data in var/ is kept)
	@if [ -x $(VENV_PY) ]; then $(VENV_PY) -m portal.embedded stop; else echo "no $(VENV): nothing to stop"; fi
