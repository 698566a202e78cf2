# wijkvitaliteit — every target builds what it needs: a fresh machine with Python 3.11 and make suffices.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WORKSPACE ?= demo.duckdb

.PHONY: demo test test-fast bench lint format clean system system-bench

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

HOST ?= 127.0.0.1
PORT ?= 8000

# Debian packages (chromium for the browser tests, pango for WeasyPrint, poppler-utils, wrk for bench):
# installed when missing, never downloaded by a tool of its own.
system:
	./scripts/debian-packages.sh

system-bench:
	./scripts/debian-packages.sh --bench

demo: $(STAMP) system
	$(BIN)/wijkvitaliteit demo --workspace $(WORKSPACE)
	$(BIN)/wijkvitaliteit serve --workspace $(WORKSPACE) --host $(HOST) --port $(PORT)

test: $(STAMP) system
	$(BIN)/python -m pytest -q

# everything but the browser and slow tests: the quick loop while working (about two minutes)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not browser and not slow"

bench: $(STAMP) system-bench
	$(BIN)/python -m benchmarks.bench --out benchmarks/results.json

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks scripts
	$(BIN)/ruff check --fix src tests benchmarks scripts

clean:
	rm -rf $(VENV) $(WORKSPACE) .pytest_cache
