# One venv, created on first use; every target below runs inside it.
# PYTHON picks the interpreter the venv is made from, VENV where it lives: to try another
# CPython beside the default one, `make install PYTHON=/path/to/python3.13 VENV=.venv-3.13`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
MAX_CONCURRENT_ENVS ?= 64
# uvicorn compresses every WebSocket frame by default; a trainer on the same host or network
# pays server CPU for no gain (README, environment section). true turns it back on.
WS_PER_MESSAGE_DEFLATE ?= false

.PHONY: install test quick lint typecheck unit serve bench lint-tasks clean browser

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@# an existing venv of another interpreter than PYTHON is never silently reused
	@want=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	have=$$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	test "$$want" = "$$have" || { echo "$(VENV) is Python $$have, PYTHON=$(PYTHON) is $$want:" \
		"remove $(VENV) or choose another VENV=" >&2; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check graderlib env tests benchmarks examples
	$(BIN)/ruff format --check graderlib env tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy graderlib env

unit: $(STAMP)
	$(BIN)/pytest

# The fast loop while editing: everything but the tests marked slow (servers, browsers, builds).
quick: $(STAMP)
	$(BIN)/pytest -m "not slow"

lint-tasks: $(STAMP)
	$(BIN)/graderlib tasks lint tasks

# The web UI test drives Debian's chromium (never a Playwright browser download).
browser:
	test -x /usr/bin/chromium || (apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium)

test: lint typecheck lint-tasks browser unit

serve: $(STAMP)
	MAX_CONCURRENT_ENVS=$(MAX_CONCURRENT_ENVS) $(BIN)/uvicorn env.server.app:app \
		--host $(HOST) --port $(PORT) --workers $(WORKERS) \
		--ws-per-message-deflate $(WS_PER_MESSAGE_DEFLATE)

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
