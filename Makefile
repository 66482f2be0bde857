# Two commands: `make demo` and `make test`. Everything else they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint typecheck unit screenshots bench fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/phigate demo

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(DEV_STAMP)
	$(BIN)/mypy --strict src/phigate

unit: $(DEV_STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

# Refresh the docs' pictures (tests alone write theirs to a temporary folder).
# CI=1: a missing Chromium fails here instead of skipping.
screenshots: $(DEV_STAMP)
	CI=1 PHIGATE_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest -q \
		tests/console/test_browser.py tests/reports/test_screenshot.py

bench: $(DEV_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# The adversarial generator (tests/adversarial): 10,000 hostile statements through REST
# and the wire door, every one printed, then a summary of outcomes and findings.
FUZZ_EXAMPLES ?= 10000
fuzz: $(DEV_STAMP)
	PHIGATE_FUZZ_STRICT=0 PHIGATE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/adversarial -q -s -p no:cacheprovider

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
