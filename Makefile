# liftlab: every target sets up what it needs (a .venv with pinned dependencies) on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: all venv install-mmpose demo test test-fast lint typecheck up bench k8s scan lock clean system-deps openapi

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

# The RTMPose (MMPose) backend on CPU torch, so its contract tests run here too (about 2 minutes).
MMPOSE_STAMP := $(VENV)/.mmpose
$(MMPOSE_STAMP): $(STAMP) services/inference/install_mmpose_cpu.sh
	bash services/inference/install_mmpose_cpu.sh $(VENV)
	touch $(MMPOSE_STAMP)

install-mmpose: $(MMPOSE_STAMP)

# redis-server for the tests (they start their own on a free port) and ffmpeg-free system libs.
system-deps:
	@if ! command -v redis-server >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; \
	  else echo "redis-server is missing: install it (sudo apt-get install redis-server) and re-run"; exit 1; fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy pipelines services tests bench deploy

test: $(STAMP) $(MMPOSE_STAMP) system-deps lint typecheck k8s
	$(BIN)/pytest -q $(PYTEST_ARGS)

test-fast: $(STAMP) system-deps
	$(BIN)/pytest -q -m "not slow" $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/liftlab demo --out out/demo

k8s: $(STAMP)
	$(BIN)/python deploy/render.py

# checkov lives in its own venv: it would downgrade boto3/packaging/termcolor in ours.
CHECKOV_VENV := build/checkov-venv
scan: k8s
	test -x $(CHECKOV_VENV)/bin/checkov || { $(PYTHON) -m venv $(CHECKOV_VENV) && $(CHECKOV_VENV)/bin/pip install -q checkov==3.3.30; }
	$(CHECKOV_VENV)/bin/checkov --config-file deploy/checkov.yaml --skip-download

# Regenerate the images' pinned constraints from the venv after changing a pin.
lock: $(STAMP)
	$(BIN)/python deploy/docker/lock_runtime.py

up: $(STAMP) system-deps
	bash scripts/dev_stack.sh

bench: $(STAMP)
	@for b in bench/decode.py bench/pose.py bench/bar_accuracy.py bench/metrics_accuracy.py bench/render.py bench/pipeline.py bench/api_load.py; do \
	  if [ -f $$b ]; then echo "== $$b"; $(BIN)/python $$b || exit 1; fi; done

openapi: $(STAMP)
	$(BIN)/liftlab openapi

clean:
	rm -rf build out .pytest_cache .mypy_cache .ruff_cache
