"""`liftlab openapi`: print the API's OpenAPI document as JSON (for client generators)."""

from __future__ import annotations

import argparse
import json
import sys

from pipelines.settings import Settings


def print_openapi() -> int:
    from services.api.app import create_app
    from services.api.openapi import openapi_document

    document = openapi_document(create_app(Settings()))  # building the document opens no connection
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return 0


def _run(args: argparse.Namespace) -> int:
    return print_openapi()


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("openapi", help="print the REST API's OpenAPI document as JSON")
    parser.set_defaults(handler=_run)
