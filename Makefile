# iplayout — every target bootstraps .venv on first use (and again when pyproject.toml changes).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PLANS  ?= params/runs/national.yaml params/runs/jiangsu-stage-2016.yaml params/runs/jiangsu-final-2018.yaml

.DEFAULT_GOAL := help
.PHONY: help install sysdeps db report test test-fast lab bench clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@sh scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (iplayout)" >/dev/null
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install iplayout with its dependencies

sysdeps:  ## install the Debian libraries PDF rendering needs (harfbuzz subsetter, poppler-utils)
	@sh scripts/system-deps.sh

db: $(STAMP)  ## build the integrated database from the bundled data packages
	$(BIN)/iplayout db build

report: $(STAMP)  ## main job: build the database, render the default report sets and the explorer site
	$(BIN)/iplayout db build
	$(BIN)/iplayout run $(PLANS)
	$(BIN)/iplayout explore --runs reports -o reports/explore

test: $(STAMP) sysdeps  ## run the whole test suite (system deps first: the browser test needs chromium)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)  ## unit tests only (skip notebook execution)
	$(BIN)/python -m pytest -q -m "not slow"

lab: $(STAMP)  ## open JupyterLab on notebooks/ with the project's environment as kernel
	$(BIN)/python -m pip install --quiet -e ".[test,lab]"
	$(BIN)/jupyter lab --notebook-dir=notebooks

bench: $(STAMP)  ## run the benchmark scripts
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:  ## remove build outputs (keeps reports/ and .venv)
	rm -rf build .pytest_cache
