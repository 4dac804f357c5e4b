# ePurse. A newcomer needs two commands:
#   make run    set up everything and run the platform at http://kingsmere.localhost:8000
#   make test   run the whole test suite
# Both use DATABASE_URL / CELERY_BROKER_URL when set, an embedded PostgreSQL and a
# folder-based broker under .local/ when not.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint typecheck check install assets lock clean

run: install assets
	DEBUG=$${DEBUG:-1} $(BIN)/epurse dev --port $(PORT)

test: install assets
	env -u DEBUG $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

check: lint typecheck test

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ePurse needs Python 3.11 or newer: run make PYTHON=python3.12 (or similar)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet pip==26.3
	$(BIN)/pip install --quiet -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

assets: assets/build/.built

assets/build/.built: package.json package-lock.json scripts/build-assets.mjs $(wildcard assets/scss/* assets/js/* assets/images/*)
	@command -v npm >/dev/null || { echo "ePurse needs Node.js and npm to build its pages' styles: install Node 18 or newer"; exit 1; }
	npm ci --no-audit --no-fund
	npm run build
	touch $@

lock:
	scripts/lock.sh

clean:
	rm -rf $(VENV) node_modules assets/build
