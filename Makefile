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
# The services with a database (the gateway, the web UI, has none).
DATA_SERVICES := $(filter-out gateway,$(SERVICES))
BENCH ?= all
# On pytest-xdist workers, one per core up to four: each worker has its own databases,
# RabbitMQ node, buckets and ports (see portico.kit.testing). PYTEST_ARGS="path/to/test.py"
# runs some tests in one process.
PYTEST_ARGS ?= --numprocesses=auto --maxprocesses=4 --dist loadgroup
GATEWAY := services/gateway
VENDOR := $(GATEWAY)/src/portico/gateway/static/vendor
CATALOGS := $(GATEWAY)/src/portico/gateway/translations
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(CATALOGS)/*/LC_MESSAGES/messages.po))

.PHONY: help sync assets messages run test bench lint fmt asyncapi events-doc migrate ci

help:
	@echo "make run       Portico in one process at http://127.0.0.1:8000 (data in ./var)"
	@echo "make test      the test suite (integration tests need PostgreSQL, RabbitMQ: see README)"
	@echo "make bench     benchmarks (BENCH=bus for one), written to bench/results.json"
	@echo "make lint      ruff and mypy;  make fmt  formats the code"
	@echo "make asyncapi  regenerates docs/asyncapi.yaml from the event schemas"
	@echo "make events-doc  regenerates docs/events.md (the events, for integrators)"
	@echo "make migrate   upgrades every service's database (distributed mode)"
	@echo "make assets    builds the web UI's browser libraries (npm) and message catalogs"
	@echo "make messages  extracts the UI's strings into the catalogs to translate"

sync:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet 'uv>=0.13,<0.14'
	@$(UV) sync --all-packages --locked --quiet

# The web UI's browser libraries come from npm (package-lock.json), never from the repo;
# Swagger UI's files serve every service's API docs (portico.kit.docs). No package's install
# script runs: none of them needs one.
VENDOR_FILES := $(VENDOR)/htmx.min.js $(VENDOR)/swagger-ui/swagger-ui-bundle.js $(VENDOR)/swagger-ui/swagger-ui.css
$(VENDOR_FILES) &: $(GATEWAY)/package.json $(GATEWAY)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js 20 or newer with npm (Debian: apt-get install nodejs npm) to build the web UI"; exit 1; }
	cd $(GATEWAY) && npm ci --no-audit --no-fund --loglevel=error --ignore-scripts
	mkdir -p $(VENDOR)/swagger-ui
	cp $(GATEWAY)/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp $(GATEWAY)/node_modules/swagger-ui-dist/swagger-ui-bundle.js $(GATEWAY)/node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/

%.mo: %.po
	$(UV) run --no-sync pybabel compile -i $< -o $@

assets: sync $(VENDOR_FILES) $(MO_FILES)

messages: sync
	cd $(GATEWAY) && ../../.venv/bin/pybabel extract -F babel.cfg -o messages.pot --no-location --omit-header --sort-output .
	$(UV) run --no-sync pybabel update -i $(GATEWAY)/messages.pot -d $(CATALOGS) --no-wrap --ignore-obsolete
	rm $(GATEWAY)/messages.pot

run: sync assets
	$(UV) run --no-sync python -m portico.kit.embedded

test: sync assets
	$(UV) run --no-sync pytest $(PYTEST_ARGS)

bench: sync assets
	$(UV) run --no-sync python -m bench $(BENCH)

lint: sync
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync mypy libs/contracts/src libs/kit/src libs/pdf/src $(foreach s,$(SERVICES),services/$(s)/src)

fmt: sync
	$(UV) run --no-sync ruff check --fix .
	$(UV) run --no-sync ruff format .

asyncapi: sync
	$(UV) run --no-sync python -m portico.contracts.asyncapi --output docs/asyncapi.yaml

events-doc: sync
	$(UV) run --no-sync python -m portico.contracts.event_docs --output docs/events.md

migrate: sync
	@for service in $(DATA_SERVICES); do $(UV) run --no-sync python -m portico.$$service migrate || exit 1; done
