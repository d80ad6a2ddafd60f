PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck bench clean system-packages

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# setup.py compiles the parser's and the readers' modules (mypyc) into the source tree,
# where Python imports them before the .py files: they are rebuilt when one of them, or a
# module whose types they build in (the record, the reference tables), changes.
COMPILED_SOURCES := $(wildcard src/cabledesk/parse/*.py src/cabledesk/parse/rules/*.py \
                              src/cabledesk/sources/*.py src/cabledesk/record/*.py \
                              src/cabledesk/reference/*.py)

# Chromium for the browser tests and gcc for the compiled parser, from Debian's packages
# when missing (tools/system-packages.sh says what it does and asks for nothing else).
system-packages:
	bash tools/system-packages.sh

$(VENV)/.installed: $(BIN)/activate pyproject.toml setup.py $(COMPILED_SOURCES)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

DEMO_ARCHIVE ?= demo-archive
PORT ?= 8000

# Builds the archive from the bundled sample, its entities and its predicted sensitivity
# (a model trained once on the sample's own labels; idempotent), shows coverage, the
# cables predicted SECRET and the editors' review queue, and serves the web desk on it.
demo: $(VENV)/.installed
	$(BIN)/cabledesk ingest src/cabledesk/data/sample --db $(DEMO_ARCHIVE)
	[ -d $(DEMO_ARCHIVE)/sensitivity ] || $(BIN)/cabledesk model train --db $(DEMO_ARCHIVE)
	$(BIN)/cabledesk enrich --db $(DEMO_ARCHIVE)
	$(BIN)/cabledesk coverage --db $(DEMO_ARCHIVE) --sort held --limit 10
	$(BIN)/cabledesk search 'predicted:secret' --db $(DEMO_ARCHIVE) --facets --limit 5
	$(BIN)/cabledesk model review --db $(DEMO_ARCHIVE) --limit 5
	$(BIN)/cabledesk serve --db $(DEMO_ARCHIVE) --port $(PORT)

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.installed
	$(BIN)/mypy

# Two worker processes (pytest-xdist), each test file on one of them: the suite is about
# half as long on this 2-core machine; every test is safe to run beside another file's.
test: system-packages lint typecheck
	$(BIN)/pytest -q -n 2 --dist loadfile

bench: $(VENV)/.installed
	$(BIN)/python bench/parse.py

clean:
	rm -rf $(VENV) $(DEMO_ARCHIVE) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
	find src -name '*.so' -delete
