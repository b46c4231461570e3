"""`liftlab serve`: run the REST API (uvicorn) with settings read from the environment once."""

from __future__ import annotations

import argparse
import logging

from pipelines.settings import Settings


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
    )
    return 0


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("serve", help="run the REST API (LIFTLAB_* settings from the environment)")
    parser.add_argument("--host", help="default LIFTLAB_API_HOST")
    parser.add_argument("--port", type=int, help="default LIFTLAB_API_PORT")
    parser.set_defaults(handler=serve)
