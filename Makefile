# leanetl: every target bootstraps its own virtualenv from requirements.lock.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The BigQuery emulator the tests run, in a virtualenv of its own (its pins clash with ours).
BQ_VENV ?= .bqvenv
export LEANETL_HOME ?= $(CURDIR)/.leanetl
export DAGSTER_HOME ?= $(LEANETL_HOME)/dagster

.PHONY: venv bq-emulator system-test system-demo demo sample dev test test-fast bench lint lock validate clean

$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

venv: $(BIN)/.installed

$(BQ_VENV)/.installed: scripts/bq-emulator/requirements.lock | venv
	$(PYTHON) -m venv $(BQ_VENV)
	$(BIN)/uv pip sync -q --python $(BQ_VENV)/bin/python scripts/bq-emulator/requirements.lock
	$(BQ_VENV)/bin/python scripts/bq-emulator/install_spatial.py
	touch $@

bq-emulator: $(BQ_VENV)/.installed

# dbt's manifest must match the models before Dagster loads them (a few seconds).
dbt/target/manifest.json: venv $(shell find dbt/models dbt/macros dbt/tests -type f 2>/dev/null) dbt/dbt_project.yml
	$(BIN)/dbt parse --quiet --project-dir dbt --profiles-dir dbt
	touch $@

# Java for Spark, Debian's chromium for the browser tests and map PNGs: installed when run as root
# or with passwordless sudo, else the one command to run is printed and make stops.
system-test:
	@bash scripts/system-deps.sh test

system-demo:
	@bash scripts/system-deps.sh demo

demo: system-demo dbt/target/manifest.json
	$(BIN)/python -m leanetl.demo

# Sample sources in this local home, only when asked for (make demo does it too).
sample: venv
	$(BIN)/python -m leanetl.sample

# The local Dagster instance (its dagster.yaml hides the welcome pop-up, turns telemetry off).
$(DAGSTER_HOME)/dagster.yaml: | venv
	$(BIN)/python -c "from leanetl.demo import prepare_dagster_home; from leanetl.settings import settings; prepare_dagster_home(settings().home)"

dev: dbt/target/manifest.json $(DAGSTER_HOME)/dagster.yaml
	BIN=$(BIN) bash scripts/dg dev

test: system-test dbt/target/manifest.json bq-emulator
	$(BIN)/pytest --durations=40

# The production runs against local servers (issue 26): part of `make test`, alone here.
test-prod: system-test dbt/target/manifest.json bq-emulator
	$(BIN)/pytest --durations=0 leanetl_tests/e2e/test_prod_definitions.py

test-fast: dbt/target/manifest.json bq-emulator
	$(BIN)/pytest -m "not slow"

bench: dbt/target/manifest.json
	$(BIN)/python -m bench.run

lint: venv
	$(BIN)/ruff check leanetl leanetl_tests bench
	$(BIN)/ruff format --check leanetl leanetl_tests bench

validate: dbt/target/manifest.json $(DAGSTER_HOME)/dagster.yaml
	bash scripts/check-defs.sh $(BIN)

# Re-resolve the pinned dependencies after editing pyproject.toml.
lock:
	$(BIN)/uv pip compile -q --python-version 3.11 --extra dev pyproject.toml -o requirements.lock

clean:
	rm -rf $(VENV) $(BQ_VENV) dbt/target dbt/logs
