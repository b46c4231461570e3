# syntax=docker/dockerfile:1.7
# liftlab API image: `liftlab serve` (Litestar via uvicorn). Slim, non-root, no compilers at run time.
# Build from the repository root:  docker build -f deploy/docker/api.Dockerfile -t liftlab/api:0.1.0 .
# Python dependency pins come from deploy/docker/requirements/constraints.txt, generated from the tested
# venv by deploy/docker/lock_runtime.py; tests/deploy checks them against pyproject.toml.

FROM python:3.11.14-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:${PATH}
WORKDIR /src
# Dependencies first (their own layer, rebuilt only when the pins change).
COPY deploy/docker/requirements/constraints.txt /src/constraints.txt
RUN pip install --no-cache-dir --requirement /src/constraints.txt
COPY pyproject.toml README.md /src/
COPY pipelines /src/pipelines
COPY services /src/services
RUN pip install --no-cache-dir --no-deps /src

FROM python:3.11.14-slim-bookworm AS runtime
LABEL org.opencontainers.image.title="liftlab-api" \
      org.opencontainers.image.source="https://github.com/liftlab/liftlab" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/opt/venv/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LIFTLAB_API_HOST=0.0.0.0 \
    LIFTLAB_API_PORT=8000 \
    LIFTLAB_LOG_JSON=true
# A fixed numeric uid/gid so Kubernetes can check runAsNonRoot without reading /etc/passwd.
RUN groupadd --gid 10001 liftlab && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin liftlab
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
ENTRYPOINT ["liftlab"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
