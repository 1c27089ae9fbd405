# corpus-etl: every target bootstraps what it needs (Python 3.11 and make are all a machine must have).
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.9
VENV := .venv
UV := .tools/bin/uv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_LOGGING_LEVEL ?= WARNING
export GX_ANALYTICS_ENABLED := false
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install demo test lint format eval train train-lines train-pages train-records bench bench-tiny clean

help: ## Show the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --extra dev --python $(PYTHON) --quiet --compile-bytecode
	$(UV) pip install --python $(BIN)/python --quiet --no-deps --reinstall -e .
	$(BIN)/python -m compileall -q -j 0 corpus_etl corpus_etl_cli flows tasks warehouse expectations corpora eval bench > /dev/null
	touch $@

install: $(VENV)/.installed ## Create .venv and install the locked dependencies and corpus-etl

demo: install ## Ingest the sample corpus in samples/ and run three example queries
	@bash scripts/demo.sh

test: install ## Run the whole test suite (what CI runs; installs Chromium and the DuckDB 1.x clients the tests use)
	bash scripts/ensure_chromium.sh
	bash scripts/ensure_duckdb1x.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

eval: install ## Measure extraction, boundaries, titles, language, stories and dates on ../shared (writes eval/RESULTS.md, REALISTIC.md, STORIES.md, DATES.md)
	$(BIN)/python -m eval.run
	$(BIN)/python -m eval.realistic --baseline eval/realistic_d632d35.json
	$(BIN)/python -m eval.stories
	$(BIN)/python -m eval.dates

train: install ## Retrain the article-boundary, title, line, page and record models from ../shared (~10 min; corpus_etl/models/; the line model's CV report: make train-lines)
	$(BIN)/python -m scripts.train_boundary
	$(BIN)/python -m scripts.train_titles
	OMP_NUM_THREADS=1 $(BIN)/python -m corpus_etl.linemodel.train --jobs 2 --final-only
	OMP_NUM_THREADS=1 $(BIN)/python -m corpus_etl.linemodel.pagetrain --jobs 2
	OMP_NUM_THREADS=1 $(BIN)/python -m corpus_etl.linemodel.recordtrain --jobs 2

train-lines: install ## Train the line model the splitter uses on web pages, with its site-disjoint CV and each fold's model for make eval (~20 min; corpus_etl/models/linemodel.npz, TRAINING.md, eval/models/; TRAIN_ARGS="--compare")
	OMP_NUM_THREADS=1 $(BIN)/python -m corpus_etl.linemodel.train --jobs 2 --fold-models eval/models $(TRAIN_ARGS)

train-pages: install ## Train the page model (where a second page starts inside one page) from glued dev pages, with its site-disjoint CV and each fold's model beside the fold line models (~10 min; needs make train-lines' eval/models; corpus_etl/models/pagemodel.npz, PAGES.md)
	OMP_NUM_THREADS=1 $(BIN)/python -m corpus_etl.linemodel.pagetrain --jobs 2

train-records: install ## Train the record model (is an article record of a web page an article or page chrome?) from glued dev pages, with its site-disjoint CV and each fold's model beside the fold line and page models (~8 min; needs make train-lines and train-pages; corpus_etl/models/recordmodel.npz, RECORDS.md)
	OMP_NUM_THREADS=1 $(BIN)/python -m corpus_etl.linemodel.recordtrain --jobs 2

bench: install ## Benchmark throughput, memory and reruns on generated corpora (writes bench/RESULTS.md)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-tiny: install ## Ingest 100,000 tiny files and rerun them, checking none is lost (writes bench/TINY_FILES.md; TINY_ARGS="--files N")
	$(BIN)/python -m bench.tiny_files $(TINY_ARGS)

lint: install ## ruff (lint + format check), mypy on the core, and the layers' import contract
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest tests/unit/test_layers.py -q -p no:cacheprovider

format: install ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## Remove .venv, .tools, caches and the default warehouse ./data
	rm -rf $(VENV) .tools .prefect data .pytest_cache .mypy_cache .ruff_cache .hypothesis
