"""`liftlab serve`: run the REST API (uvicorn) with settings read from the environment once."""

from __future__ import annotations

import argparse
import importlib.util
import logging
from typing import Any

from pipelines.settings import Settings


def uvicorn_options() -> dict[str, Any]:
    """Event loop and HTTP parser: uvloop and httptools when installed (C implementations: less CPU per
    request than asyncio's loop and h11). uvicorn's own access log is off: the API's middleware already
    logs every request once, with its request id (services/api/observability.py)."""
    return {
        "loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        "http": "httptools" if importlib.util.find_spec("httptools") else "h11",
        "access_log": False,
    }


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from services.api.app import create_app

    settings = Settings.from_env()
    logging.getLogger("liftlab").setLevel(settings.log_level)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=args.host or settings.api_host,
        port=args.port or settings.api_port,
        workers=1,  # one process per pod; scale out with replicas (the app holds no session state)
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        **uvicorn_options(),
    )
    return 0


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("serve", help="run the REST API (LIFTLAB_* settings from the environment)")
    parser.add_argument("--host", help="default LIFTLAB_API_HOST")
    parser.add_argument("--port", type=int, help="default LIFTLAB_API_PORT")
    parser.set_defaults(handler=serve)
