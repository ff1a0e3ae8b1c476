# One venv, created on first use; every target below runs inside it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install test lint typecheck unit serve bench lint-tasks clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check graderlib env tests benchmarks
	$(BIN)/ruff format --check graderlib env tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy graderlib env

unit: $(STAMP)
	$(BIN)/pytest

lint-tasks: $(STAMP)
	$(BIN)/graderlib tasks lint tasks

test: lint typecheck lint-tasks unit

serve: $(STAMP)
	$(BIN)/graderlib tasks show tasks/sqli-user-lookup

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
