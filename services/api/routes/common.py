"""Dependencies and documentation shared by the route modules."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from pipelines.settings import Settings
from services.api.auth import Principal, authenticate_async
from services.api.deps import ApiDeps
from services.api.schemas import ErrorBody

SECURITY: list[dict[str, list[str]]] = [{"ApiKey": []}]


def provide_deps(state: State) -> ApiDeps:
    deps: ApiDeps = state.deps
    return deps


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


async def provide_principal(
    request: Request[Any, Any, State], deps: NamedDependency[ApiDeps], settings: NamedDependency[Settings]
) -> Principal:
    """Authenticate once per request (upload routes do it before the body is read)."""
    cached = request.scope.get("state", {}).get("principal")
    if isinstance(cached, Principal):
        return cached
    principal = await authenticate_async(request, deps, settings)
    request.scope.setdefault("state", {})["principal"] = principal  # type: ignore[typeddict-item]
    return principal


_DESCRIPTIONS = {
    400: "Bad Request - invalid parameters (the field is named in `error`).",
    401: "Unauthorized - missing or invalid API key.",
    403: "Forbidden - insufficient privileges or no valid payment plan.",
    404: "Not Found - session not found (or not visible to the caller), or a limit was reached.",
    409: "Conflict - the session's analysis is not available yet (still processing) or failed.",
    413: "Payload Too Large - upload over the size or duration limit.",
    429: "Too Many Requests - per-key rate limit; see Retry-After.",
    500: "Internal Server Error - unexpected error (the body carries only a request id).",
    503: "Service Unavailable - coaching (GenAI) is not configured on this server.",
}


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    return {
        code: ResponseSpec(data_container=ErrorBody, description=_DESCRIPTIONS[code], generate_examples=False)
        for code in (*codes, 401, 429, 500)
    }


# Handler parameters injected by name (Litestar 3 drops inference without the marker).
DepsDep = NamedDependency[ApiDeps]
PrincipalDep = NamedDependency[Principal]
SettingsDep = NamedDependency[Settings]
