# liftlab: every target sets up what it needs (a .venv with pinned dependencies) on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: all demo test test-fast lint typecheck up bench k8s clean system-deps openapi

all: test

$(STAMP): pyproject.toml requirements/mediapipe.txt
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11) on PATH"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e '.[test]'
	# BlazePose: the wheel carries the model; its declared deps (numpy<2, protobuf<5, jax, a second
	# OpenCV) are not needed at run time, so it is installed without them (see docs/architecture.md).
	$(BIN)/pip install -q --no-deps -r requirements/mediapipe.txt
	touch $(STAMP)

venv: $(STAMP)

# redis-server for the tests (they start their own on a free port) and ffmpeg-free system libs.
system-deps:
	@if ! command -v redis-server >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; \
	  else echo "redis-server is missing: install it (sudo apt-get install redis-server) and re-run"; exit 1; fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy pipelines services

test: $(STAMP) system-deps lint typecheck k8s
	$(BIN)/pytest -q $(PYTEST_ARGS)

test-fast: $(STAMP) system-deps
	$(BIN)/pytest -q -m "not slow" $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/liftlab demo --out out/demo

k8s: $(STAMP)
	@if [ -f deploy/render.py ]; then $(BIN)/python deploy/render.py; fi

up: $(STAMP) system-deps
	bash scripts/dev_stack.sh

bench: $(STAMP)
	@for b in bench/decode.py bench/pose.py bench/bar_accuracy.py bench/metrics_accuracy.py bench/render.py bench/pipeline.py bench/api_load.py; do \
	  if [ -f $$b ]; then echo "== $$b"; $(BIN)/python $$b || exit 1; fi; done

openapi: $(STAMP)
	$(BIN)/liftlab openapi

clean:
	rm -rf build out .pytest_cache .mypy_cache .ruff_cache
