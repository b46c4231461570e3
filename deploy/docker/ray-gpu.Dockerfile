# syntax=docker/dockerfile:1.7
# liftlab Ray GPU image: the GPU worker group that runs the RTMPose Serve replica on CUDA. It is the CPU
# image's content plus torch (CUDA 12.1 build) and a full mmcv (compiled CUDA ops) from OpenMMLab's wheel
# index for that torch/CUDA pair, with MMPose. See requirements/gpu.txt for why these versions.
# Build from the repository root:
#   docker build -f deploy/docker/ray-gpu.Dockerfile -t liftlab/ray-gpu:0.1.0 .

ARG TORCH_INDEX=https://download.pytorch.org/whl/cu121
ARG MMCV_INDEX=https://download.openmmlab.com/mmcv/dist/cu121/torch2.4/index.html

FROM rayproject/ray:2.60.0-py311-gpu AS build
USER 0
# Compilers exist only in this stage: xtcocotools must be rebuilt against numpy 2. The distro version of
# build-essential is left to the pinned base image (it never reaches the run-time stage).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
USER 1000:100
WORKDIR /tmp/src
COPY --chown=ray:users deploy/docker/requirements/constraints.txt deploy/docker/requirements/gpu.txt ./
RUN pip install --no-cache-dir "numpy==$(sed -n 's/^numpy==//p' constraints.txt)" "cython==3.3.1" "setuptools==80.10.2" \
 && pip wheel --no-cache-dir --no-deps --no-build-isolation --no-binary xtcocotools \
      --wheel-dir /home/ray/wheels "xtcocotools==1.14.3"
COPY --chown=ray:users pyproject.toml README.md ./
COPY --chown=ray:users pipelines ./pipelines
COPY --chown=ray:users services ./services
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /home/ray/wheels .

FROM rayproject/ray:2.60.0-py311-gpu AS runtime
ARG TORCH_INDEX
ARG MMCV_INDEX
LABEL org.opencontainers.image.title="liftlab-ray-gpu" \
      org.opencontainers.image.source="https://github.com/liftlab/liftlab" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LIFTLAB_MODELS_DIR=/app/models \
    LIFTLAB_LOG_JSON=true \
    TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1
WORKDIR /home/ray
COPY --chown=ray:users deploy/docker/requirements/constraints.txt deploy/docker/requirements/gpu.txt ./
COPY --chown=ray:users requirements/mediapipe.txt ./mediapipe.txt
RUN pip install --no-cache-dir --requirement constraints.txt \
 && pip install --no-cache-dir --no-deps --requirement mediapipe.txt \
 && pip install --no-cache-dir --index-url "${TORCH_INDEX}" --constraint constraints.txt \
      "torch==$(sed -n 's/^torch==//p' gpu.txt)" "torchvision==$(sed -n 's/^torchvision==//p' gpu.txt)" \
 && pip install --no-cache-dir --only-binary mmcv --find-links "${MMCV_INDEX}" --no-deps \
      "mmcv==$(sed -n 's/^mmcv==//p' gpu.txt)" \
 && grep -E '^(mmengine|mmdet|mmpose|addict|yapf|termcolor|json-tricks|munkres|pycocotools|shapely|terminaltables|setuptools)==' gpu.txt > mm.txt \
 && pip install --no-cache-dir --no-deps --requirement mm.txt \
 && rm mm.txt
COPY --from=build /home/ray/wheels /home/ray/wheels
RUN pip install --no-cache-dir --no-deps /home/ray/wheels/*.whl \
 && rm -rf /home/ray/wheels
# mmdet 3.3.0 refuses mmcv 2.2.0 by a version assert only (mmpose imports mmdet at import time), while
# mmcv 2.2.0 is the only full mmcv OpenMMLab builds for torch >= 2.2. Widen that one assert, loudly.
RUN MMDET_INIT="$(python -c 'import importlib.util; print(importlib.util.find_spec("mmdet").origin)')" \
 && grep -q "mmcv_maximum_version = '2.2.0'" "${MMDET_INIT}" \
 && sed -i "s/mmcv_maximum_version = '2.2.0'/mmcv_maximum_version = '2.3.0'/" "${MMDET_INIT}"
# Fail the build, not the first lift: torch sees numpy 2, mmcv's compiled ops and MMPose import.
RUN python -c "import numpy, torch; torch.from_numpy(numpy.zeros(3)); import mmcv.ops, mmdet, mmpose.apis; import services.inference.manifest"
COPY --chown=ray:users models /app/models
WORKDIR /app
USER 1000:100
# Any Ray node (head or worker) runs a dashboard agent that reports raylet health on 52365; on
# Kubernetes the RayService probes do the same and this instruction is ignored.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "wget -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep -q success"]
