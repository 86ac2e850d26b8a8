# Portico's commands. `make run` and `make test` work on a machine with only Python and pip:
# they install uv with pip when it is missing and sync the workspace first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
# Never download an interpreter: use the machine's Python 3.11.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON ?= $(shell $(PYTHON) -c 'import sys; print(sys.executable)')
UV := $(PYTHON) -m uv
SERVICES := $(notdir $(wildcard services/*))
BENCH ?= all

.PHONY: help sync run test bench lint fmt asyncapi migrate ci

help:
	@echo "make run       Portico in one process at http://127.0.0.1:8000 (data in ./var)"
	@echo "make test      the test suite (integration tests need PostgreSQL, RabbitMQ: see README)"
	@echo "make bench     benchmarks (BENCH=bus for one), written to bench/results.json"
	@echo "make lint      ruff and mypy;  make fmt  formats the code"
	@echo "make asyncapi  regenerates docs/asyncapi.yaml from the event schemas"
	@echo "make migrate   upgrades every service's database (distributed mode)"

sync:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet 'uv>=0.13,<0.14'
	@$(UV) sync --all-packages --locked --quiet

run: sync
	$(UV) run --no-sync python -m portico.kit.embedded

test: sync
	$(UV) run --no-sync pytest $(PYTEST_ARGS)

bench: sync
	$(UV) run --no-sync python -m bench $(BENCH)

lint: sync
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync mypy libs/contracts/src libs/kit/src $(foreach s,$(SERVICES),services/$(s)/src)

fmt: sync
	$(UV) run --no-sync ruff check --fix .
	$(UV) run --no-sync ruff format .

asyncapi: sync
	$(UV) run --no-sync python -m portico.contracts.asyncapi --output docs/asyncapi.yaml

migrate: sync
	@for service in $(SERVICES); do $(UV) run --no-sync python -m portico.$$service migrate || exit 1; done
