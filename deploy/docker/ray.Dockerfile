# syntax=docker/dockerfile:1.7
# liftlab Ray image (CPU): Ray head, CPU workers, the pipeline runner (`liftlab worker`) and the CPU pose
# replica (BlazePose, weights inside the mediapipe wheel). Built on Ray's official image for the pinned
# Ray version and Python 3.11; tests/deploy checks the tag against pyproject.toml's ray pin.
# Build from the repository root:  docker build -f deploy/docker/ray.Dockerfile -t liftlab/ray:0.1.0 .

FROM rayproject/ray:2.60.0-py311-cpu AS build
WORKDIR /tmp/src
COPY --chown=ray:users pyproject.toml README.md ./
COPY --chown=ray:users pipelines ./pipelines
COPY --chown=ray:users services ./services
# Only the wheel of liftlab itself is built here; the run-time stage never sees the source tree.
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /home/ray/wheels .

FROM rayproject/ray:2.60.0-py311-cpu AS runtime
LABEL org.opencontainers.image.title="liftlab-ray" \
      org.opencontainers.image.source="https://github.com/liftlab/liftlab" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LIFTLAB_MODELS_DIR=/app/models \
    LIFTLAB_LOG_JSON=true
COPY --chown=ray:users deploy/docker/requirements/constraints.txt /home/ray/constraints.txt
COPY --chown=ray:users requirements/mediapipe.txt /home/ray/mediapipe.txt
# The same pins as the tested venv (ray itself is already there at the same version: a no-op for pip).
RUN pip install --no-cache-dir --requirement /home/ray/constraints.txt \
 && pip install --no-cache-dir --no-deps --requirement /home/ray/mediapipe.txt
COPY --from=build /home/ray/wheels /home/ray/wheels
RUN pip install --no-cache-dir --no-deps /home/ray/wheels/*.whl \
 && rm -rf /home/ray/wheels
# Model manifests (YAML only; weights are never baked in: they come from the mediapipe wheel or MinIO).
COPY --chown=ray:users models /app/models
# Fail the build, not the first lift, if the CPU pose stack does not import.
RUN python -c "import mediapipe, cv2, av, pyarrow, numpy; import pipelines.settings, services.inference.manifest"
WORKDIR /app
# rayproject/ray images run as the unprivileged user "ray" (uid 1000, gid 100).
USER 1000:100
# Any Ray node (head or worker) runs a dashboard agent that reports raylet health on 52365; on
# Kubernetes the RayService probes do the same and this instruction is ignored.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "wget -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep -q success"]
