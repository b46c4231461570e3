"""The API's composition root: ``create_app(settings, deps)`` builds the whole Litestar app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide

from pipelines.settings import Settings
from services.api.coaching import CoachThreads
from services.api.deps import ApiDeps, ProbeFn, open_deps
from services.api.errors import handle_exception
from services.api.observability import ApiMetrics, request_id_middleware_factory
from services.api.openapi import openapi_config
from services.api.routes.admin import admin_router
from services.api.routes.analysis import analysis_router
from services.api.routes.common import provide_deps, provide_principal, provide_settings
from services.api.routes.ops import ops_router
from services.api.routes.sessions import sessions_router

log = logging.getLogger("liftlab.api")

_FORM_OVERHEAD_BYTES = 1024 * 1024  # multipart boundaries and the text fields around the video


def create_app(
    settings: Settings,
    deps: ApiDeps | None = None,
    *,
    threads: CoachThreads | None = None,
    probe: ProbeFn | None = None,
) -> Litestar:
    """deps=None opens real clients from settings in the lifespan (and closes them at shutdown)."""
    metrics = ApiMetrics()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        owned = deps is None
        live = deps if deps is not None else open_deps(settings, probe=probe, threads=threads)
        try:
            await anyio.to_thread.run_sync(live.store.ensure_ready)
        except Exception:  # the API still starts; /health reports the store as failing
            log.exception("object store not ready at start")
        app.state.deps = live
        try:
            yield
        finally:
            if owned:
                await live.aclose()

    return Litestar(
        route_handlers=[sessions_router, analysis_router, admin_router, ops_router],
        dependencies={
            "deps": Provide(provide_deps, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "principal": Provide(provide_principal),
        },
        lifespan=[lifespan],
        state=State({"settings": settings, "metrics": metrics}),
        exception_handlers={Exception: handle_exception},
        middleware=[request_id_middleware_factory(metrics)],
        openapi_config=openapi_config(),
        request_max_body_size=settings.max_upload_bytes + _FORM_OVERHEAD_BYTES,
        debug=False,
    )
