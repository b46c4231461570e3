"""Operations: /health (Redis and the object store) and Prometheus /metrics. No auth (cluster-internal)."""

from __future__ import annotations

import contextlib

from litestar import MediaType, Response, Router, get
from litestar.datastructures import State
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.api.observability import ApiMetrics
from services.api.routes.common import DepsDep


@get("/health", sync_to_thread=True, include_in_schema=True, summary="Liveness and dependencies")
def health(deps: DepsDep) -> Response[dict[str, str]]:
    checks: dict[str, str] = {}
    try:
        deps.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:  # any failure means "not healthy"; the reason goes into the body
        checks["redis"] = f"error: {type(exc).__name__}"
    try:
        deps.store.ensure_ready()
        checks["object_store"] = "ok"
    except Exception as exc:
        checks["object_store"] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    return Response({"status": "ok" if ok else "degraded", **checks}, status_code=200 if ok else 503)


@get("/metrics", sync_to_thread=True, media_type=MediaType.TEXT, include_in_schema=False)
def metrics(state: State, deps: DepsDep) -> Response[bytes]:
    api_metrics: ApiMetrics = state.metrics
    # A scrape must not fail because Redis blinked; the gauge keeps its last value.
    with contextlib.suppress(Exception):
        api_metrics.queue_depth.set(deps.queue.depth())
    return Response(generate_latest(api_metrics.registry), media_type=CONTENT_TYPE_LATEST)


ops_router = Router(path="/", route_handlers=[health, metrics])
