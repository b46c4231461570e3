#!/usr/bin/env bash
# Install the MMPose RTMPose stack (the `liftlab[gpu]` backend) into an existing liftlab venv, on CPU
# torch, without disturbing the core set (numpy 2.4.6, one OpenCV = headless 5.0.0.93, protobuf<7).
#
# Why each step (see shared notes stack.md sections 3 and 9):
# - torch 2.13.0 is the CPU wheel in /opt/wheels; torchvision 0.28.0 is its pair (imports only with the
#   register_fake no-op in services/inference/mmcv_lite_compat.py).
# - the mm packages go in with --no-deps: their declared deps pull opencv-python (a second cv2) and the
#   full mmcv (a 35 min compile); mmcv-lite plus the compat shim is enough for RTMPose.
# - setuptools<81: mmengine imports pkg_resources.
# - xtcocotools' wheel was built against numpy 1: rebuild from the sdist against numpy 2.
# - chumpy's sdist needs pip inside its build env: --no-build-isolation.
# Usage: services/inference/install_mmpose_cpu.sh [VENV_DIR]   (default .venv)
set -euo pipefail

VENV="${1:-.venv}"
PIP="$VENV/bin/pip"
PY="$VENV/bin/python"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cat >"$WORK/constraints.txt" <<'PINS'
torch==2.13.0
torchvision==0.28.0
numpy==2.4.6
protobuf>=4.25.3,<7
setuptools<81
opencv-python-headless==5.0.0.93
PINS

# Run-time deps of mmengine / mmpose / mmdet that the core set lacks (opencv-python left out on purpose).
"$PIP" install -c "$WORK/constraints.txt" \
  torch==2.13.0 torchvision==0.28.0 \
  addict yapf rich termcolor pyyaml packaging pillow json-tricks munkres pycocotools shapely six \
  terminaltables tqdm 'setuptools<81' cython wheel
"$PIP" install -c "$WORK/constraints.txt" --no-build-isolation chumpy==0.70
"$PIP" install -c "$WORK/constraints.txt" --no-build-isolation --no-cache-dir --no-binary xtcocotools \
  --force-reinstall --no-deps xtcocotools==1.14.3
"$PIP" install --no-deps mmengine==0.10.7 mmcv-lite==2.1.0 mmpose==1.3.2 mmdet==3.3.0

# Fail loudly if the core set was disturbed or the backend does not import.
"$PY" - <<'CHECK'
import importlib.metadata as md

want = {"numpy": "2.4.6", "opencv-python-headless": "5.0.0.93"}
for dist, version in want.items():
    got = md.version(dist)
    assert got == version, f"{dist}: expected {version}, got {got}"
for dist in ("opencv-python", "opencv-contrib-python"):
    try:
        md.version(dist)
    except md.PackageNotFoundError:
        continue
    raise SystemExit(f"a second OpenCV is installed: {dist}")
assert int(md.version("protobuf").split(".")[0]) < 7, md.version("protobuf")

from services.inference.mmcv_lite_compat import import_mmpose

import_mmpose()
print("mmpose stack OK")
CHECK
