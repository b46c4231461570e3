"""The served OpenAPI document, with the seed's trailing slashes restored.

Litestar routes `/x/` and `/x` alike but writes paths without the trailing slash; the seed's paths
(and clients generated from it) carry one, so the document is rewritten before it is rendered.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Litestar, Request
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.serialization import encode_json

API_VERSION = "1.0.0"
OPENAPI_PATH = "/docs"
_NO_SLASH = ("/health", "/metrics")


def with_trailing_slashes(schema: dict[str, Any]) -> dict[str, Any]:
    paths = schema.get("paths") or {}
    fixed = {(p if p in _NO_SLASH or p.endswith("/") else p + "/"): item for p, item in paths.items()}
    return {**schema, "paths": fixed}


class SeedJsonRenderPlugin(JsonRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, with_trailing_slashes(openapi_schema))


class SeedSwaggerRenderPlugin(SwaggerRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, with_trailing_slashes(openapi_schema))


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="liftlab API",
        version=API_VERSION,
        description=(
            "Biomechanical analysis of Olympic lifts, compatible with the weightlifting API. SI units unless "
            '`measurement_system=imperial`. Errors are `{"error": "..."}`; a session whose analysis is not '
            "ready answers 409 on analysis endpoints. Docs UI at /docs/, this document at /docs/openapi.json."
        ),
        path=OPENAPI_PATH,
        render_plugins=[SeedSwaggerRenderPlugin(path="/"), SeedJsonRenderPlugin(path="/openapi.json")],
        components=Components(
            security_schemes={
                "ApiKey": SecurityScheme(
                    type="apiKey",
                    name="Authorization",
                    security_scheme_in="header",
                    description="`API-KEY <key>`, `Bearer <key>` or the bare key.",
                ),
            }
        ),
    )


def openapi_document(app: Litestar) -> dict[str, Any]:
    """The same document the app serves at /docs/openapi.json, as plain JSON-able data."""
    plain: dict[str, Any] = json.loads(encode_json(app.openapi_schema.to_schema()))
    return with_trailing_slashes(plain)
