# Two entry points (see README): `make demo` runs the main job on the embedded
# default, `make test` runs the whole suite. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/corridor demo

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/connectors.py
	$(BIN)/python benchmarks/synth.py --people 200000
	$(BIN)/python benchmarks/cases_load.py
	$(BIN)/python benchmarks/networks.py --people 100000
	$(BIN)/pip install --quiet -e '.[dev,bench]' && $(BIN)/python benchmarks/linkage.py

clean:
	rm -rf $(VENV) build *.egg-info
