# The two commands of the README: `make demo` runs the product, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint bench clean browser-deps docs-screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# The console's browser libraries (bpmn-js, form-js, ECharts) from the npm registry, as package-lock.json pins
# them; served from node_modules by the app. Re-run whenever package.json or the lockfile changes.
MODULES := node_modules/.package-lock.json
$(MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(MODULES)

demo: $(STAMP) $(MODULES)
	$(BIN)/jingwei serve --demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Browser tests drive Debian's Chromium (with a CJK font for readable screenshots).
browser-deps:
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi wqy || \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-wqy-zenhei; }

test: lint browser-deps $(MODULES)
	$(BIN)/python -m pytest

# Refresh the console screenshots of docs/console.md (docs/img/) from the Chromium tests.
docs-screenshots: $(STAMP) $(MODULES) browser-deps
	JINGWEI_DOCS_IMG=docs/img $(BIN)/python -m pytest -q tests/console/test_console_browser.py

bench: $(STAMP)
	$(BIN)/python benchmarks/engine_throughput.py
	$(BIN)/python benchmarks/api_load.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache node_modules
