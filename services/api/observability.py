"""Request ids, access logs and Prometheus metrics: one ASGI middleware, one registry per app."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

log = logging.getLogger("liftlab.api.access")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "liftlab_http_requests",
            "HTTP requests served",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency_s = Histogram(
            "liftlab_http_request_duration_seconds",
            "Time to the response's last byte",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60),
            registry=self.registry,
        )
        self.uploads = Counter(
            "liftlab_uploads",
            "Sessions accepted by upload",
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "liftlab_job_queue_depth",
            "Jobs waiting or in progress (sampled at scrape)",
            registry=self.registry,
        )


def request_id_middleware_factory(metrics: ApiMetrics) -> Any:
    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
            request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
            state: dict[str, Any] = scope.setdefault("state", {})  # type: ignore[typeddict-item]
            state["request_id"] = request_id
            started = time.perf_counter()
            status = 500

            async def send_with_id(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    headers = list(message.get("headers", []))
                    headers.append((b"x-request-id", request_id.encode()))
                    message["headers"] = headers  # type: ignore[typeddict-unknown-key]
                await send(message)

            try:
                await app(scope, receive, send_with_id)
            finally:
                elapsed_s = time.perf_counter() - started
                route = str(scope.get("path_template") or "unmatched")
                method = str(scope.get("method", ""))
                metrics.requests.labels(method, route, str(status)).inc()
                metrics.latency_s.labels(method, route).observe(elapsed_s)
                log.info(
                    "request_id=%s method=%s path=%s status=%d duration_ms=%.1f user=%s",
                    request_id,
                    method,
                    scope.get("path"),
                    status,
                    elapsed_s * 1000,
                    state.get("user_id", "-"),
                )

        return middleware

    return factory
