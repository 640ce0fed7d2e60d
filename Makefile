# Two commands on a fresh machine: `make demo` and `make test`. Both bootstrap .venv by themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false

.PHONY: install demo test test-fast bench dev sandbox lint clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	bash scripts/demo.sh

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not e2e"

# `make bench BENCH_ARGS="--quick dbt"`; the dbt benchmark's size: BENCH_DBT_ISSUES=50000.
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

dev: $(STAMP)
	bash scripts/dev.sh

sandbox: $(STAMP)
	$(BIN)/python -m ingest.sandbox

lint: $(STAMP)
	$(BIN)/ruff check .

# Generated pipeline state only; the venv stays.
clean:
	rm -rf data .dagster_home dbt_project/target dbt_project/logs
