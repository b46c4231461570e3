"""Authentication (API key -> principal, cached briefly: services/api/principals.py), per-key rate
limiting (sliding window: services/api/ratelimit.py), and the access rules for sessions."""

from __future__ import annotations

from dataclasses import dataclass

import anyio.to_thread
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


def _presented_key(request: Request[object, object, State]) -> str:
    key = key_from_header(request.headers.get("authorization"))
    if key is None:
        raise UnauthorizedError("Missing API key: send `Authorization: API-KEY <key>`.")
    return key


def _verify(deps: ApiDeps, key: str) -> Principal:
    """Blocking: the key's principal, from the per-process cache or from Redis (then cached)."""
    if deps.principals.epoch_due():
        deps.principals.refresh_epoch()
    hit = deps.principals.get(key)
    if hit is not None:
        return Principal(user=hit.user, key_id=hit.key_id)
    generation = deps.principals.generation
    record = deps.keys.verify(key)
    user = deps.accounts.get_user(record.user_id) if record is not None else None
    if record is None or user is None:
        raise UnauthorizedError("Invalid API key.")
    deps.principals.put(key, record.key_id, user, generation)
    return Principal(user=user, key_id=record.key_id)


def _remember(request: Request[object, object, State], principal: Principal) -> Principal:
    request.scope.setdefault("state", {})["user_id"] = principal.user_id
    return principal


def authenticate(request: Request[object, object, State], deps: ApiDeps, settings: Settings) -> Principal:
    """Blocking variant (call from a worker thread)."""
    principal = _verify(deps, _presented_key(request))
    if settings.rate_limit_per_minute > 0:
        _raise_if_limited(deps.limiter.hit(principal.key_id, settings.rate_limit_per_minute), settings)
    return _remember(request, principal)


async def authenticate_async(
    request: Request[object, object, State], deps: ApiDeps, settings: Settings
) -> Principal:
    """From the event loop: a cached key costs no Redis round trip and no thread hop; a miss (or a due
    epoch check) verifies in a worker thread; the rate-limit script runs on the asyncio Redis client."""
    key = _presented_key(request)
    hit = None if deps.principals.epoch_due() else deps.principals.get(key)
    if hit is not None:
        principal = Principal(user=hit.user, key_id=hit.key_id)
    else:
        principal = await anyio.to_thread.run_sync(_verify, deps, key)
    limit = settings.rate_limit_per_minute
    if limit > 0:
        if deps.aredis is not None:
            retry_after_s = await deps.limiter.ahit(principal.key_id, limit)
        else:
            retry_after_s = await anyio.to_thread.run_sync(deps.limiter.hit, principal.key_id, limit)
        _raise_if_limited(retry_after_s, settings)
    return _remember(request, principal)


def _raise_if_limited(retry_after_s: float | None, settings: Settings) -> None:
    """429 with Retry-After (whole seconds until the oldest request in the window expires)."""
    if retry_after_s is None:
        return
    seconds = int(retry_after_s)
    raise RateLimitedError(
        f"Rate limit of {settings.rate_limit_per_minute} requests per minute exceeded; "
        f"retry in {seconds} s.",
        headers={"Retry-After": str(seconds)},
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
