"""Authentication (API key -> principal), per-key rate limiting, and the access rules for sessions."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from litestar import Request
from litestar.datastructures import State

from pipelines.settings import Settings
from pipelines.state import SessionRecord
from services.api.accounts import UserRecord
from services.api.deps import ApiDeps
from services.api.errors import (
    SESSION_NOT_FOUND,
    ForbiddenError,
    NotFoundApiError,
    RateLimitedError,
    UnauthorizedError,
)

_SCHEMES = ("api-key", "apikey", "bearer", "token")
RATE_WINDOW_S = 60


@dataclass(frozen=True, slots=True)
class Principal:
    user: UserRecord
    key_id: str

    @property
    def user_id(self) -> str:
        return self.user.user_id

    @property
    def org_id(self) -> str:
        return self.user.org_id


def key_from_header(value: str | None) -> str | None:
    """`API-KEY <key>`, `Bearer <key>` or the bare key (the seed's examples use all three)."""
    if not value or not value.strip():
        return None
    parts = value.strip().split(None, 1)
    if len(parts) == 2 and parts[0].lower() in _SCHEMES:
        return parts[1].strip()
    return parts[0] if len(parts) == 1 else None


def authenticate(request: Request[object, object, State], deps: ApiDeps, settings: Settings) -> Principal:
    key = key_from_header(request.headers.get("authorization"))
    if key is None:
        raise UnauthorizedError("Missing API key: send `Authorization: API-KEY <key>`.")
    record = deps.keys.verify(key)
    user = deps.accounts.get_user(record.user_id) if record is not None else None
    if record is None or user is None:
        raise UnauthorizedError("Invalid API key.")
    _rate_limit(deps, settings, record.key_id)
    request.scope.setdefault("state", {})["user_id"] = user.user_id
    return Principal(user=user, key_id=record.key_id)


def _rate_limit(deps: ApiDeps, settings: Settings, key_id: str) -> None:
    """Fixed one-minute windows per key; 429 with Retry-After (seconds to the next window)."""
    limit = settings.rate_limit_per_minute
    if limit <= 0:
        return
    now = time.time()
    window = int(now // RATE_WINDOW_S)
    counter = f"{deps.accounts.ns}:rl:{key_id}:{window}"
    pipe = deps.redis.pipeline(transaction=False)
    pipe.incr(counter)
    pipe.expire(counter, RATE_WINDOW_S * 2)
    count, _ = pipe.execute()
    if int(count) > limit:
        retry_after = max(1, math.ceil((window + 1) * RATE_WINDOW_S - now))
        raise RateLimitedError(
            f"Rate limit of {limit} requests per minute exceeded; retry in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )


def can_see(principal: Principal, record: SessionRecord) -> bool:
    if record.user_id == principal.user_id:
        return True
    return principal.user.is_manager and record.org_id == principal.org_id


def visible_session(deps: ApiDeps, principal: Principal, session_id: str) -> SessionRecord:
    """The session if the caller may see it; another organisation's session reads as missing."""
    record = deps.sessions.get(session_id)
    if record is None or not can_see(principal, record):
        raise NotFoundApiError(SESSION_NOT_FOUND)
    return record


def visible_user(deps: ApiDeps, principal: Principal, user_id: str) -> UserRecord:
    """A user the caller manages (same org; admins and sub-admins), or themselves; else 404."""
    if user_id == principal.user_id:
        return principal.user
    user = deps.accounts.get_user(user_id)
    if user is None or not principal.user.is_manager or user.org_id != principal.org_id:
        raise NotFoundApiError("User not found.")
    return user


def require_manager(principal: Principal) -> None:
    if not principal.user.is_manager:
        raise ForbiddenError("Admin or sub-admin privileges are required.")


def require_admin(principal: Principal) -> None:
    if principal.user.role != "admin":
        raise ForbiddenError("Admin privileges are required.")


def require_plan(principal: Principal) -> None:
    if not principal.user.has_plan:
        raise ForbiddenError("User does not have a valid payment plan.")
