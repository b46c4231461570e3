"""API errors and the one table that maps every error to an HTTP status and an ``{"error": ...}`` body."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from pipelines.errors import BadVideoError, NotFoundError, VideoTooLargeError

log = logging.getLogger("liftlab.api")

SESSION_NOT_FOUND = "Session not found."
SESSION_LIMIT = "User has reached the maximum number of sessions."


class ApiError(Exception):
    status_code = 500

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequestError(ApiError):
    status_code = 400


class UnauthorizedError(ApiError):
    status_code = 401


class ForbiddenError(ApiError):
    status_code = 403


class NotFoundApiError(ApiError):
    status_code = 404


class NotReadyError(ApiError):
    """The session exists but its analysis is not available (still processing, or failed)."""

    status_code = 409


class TooLargeError(ApiError):
    status_code = 413


class RateLimitedError(ApiError):
    status_code = 429


def error_response(status_code: int, message: str, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        content={"error": message}, status_code=status_code, media_type=MediaType.JSON, headers=headers
    )


def _validation_message(exc: ValidationException) -> str:
    """Name the offending fields: Litestar puts them in ``extra`` as [{"key", "message", "source"}]."""
    items = exc.extra if isinstance(exc.extra, list) else []
    parts = []
    for item in items:
        if isinstance(item, dict):
            key = item.get("key") or "body"
            parts.append(f"{key}: {item.get('message', 'invalid value')}")
    return "; ".join(parts) if parts else "Invalid request parameters."


def _http_exception_message(exc: HTTPException) -> str:
    if exc.status_code == 413:
        return "Request body too large."
    if exc.status_code == 404:
        return "Not found."
    if exc.status_code == 405:
        return "Method not allowed."
    if exc.status_code >= 500:
        return "Internal server error."
    return str(exc.detail) or "Bad request."


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The single error table. 5xx bodies never carry internals; the log has them with the request id."""
    request_id = request.scope.get("state", {}).get("request_id", "-")
    if isinstance(exc, ApiError):
        return error_response(exc.status_code, exc.message, exc.headers)
    if isinstance(exc, BadVideoError):
        return error_response(400, f"video: {exc}")
    if isinstance(exc, VideoTooLargeError):
        return error_response(413, f"video: {exc}")
    if isinstance(exc, NotFoundError):
        return error_response(404, SESSION_NOT_FOUND)
    if isinstance(exc, ValidationException):
        return error_response(400, _validation_message(exc))
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        return error_response(exc.status_code, _http_exception_message(exc), exc.headers)
    log.exception("unhandled error (request_id=%s)", request_id)
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, f"Internal server error (request id {request_id}).")
