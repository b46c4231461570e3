"""Users, API keys and the organisation's webhook (beyond the seed)."""

from __future__ import annotations

import secrets
from dataclasses import asdict
from typing import Annotated

from litestar import Router, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody
from msgspec import Meta, Struct, structs

from services.api.accounts import UserRecord
from services.api.apikeys import ApiKeyRecord, IssuedKey
from services.api.auth import require_admin, require_manager, visible_user
from services.api.errors import BadRequestError, ForbiddenError, NotFoundApiError
from services.api.routes.common import SECURITY, DepsDep, PrincipalDep, error_responses

_SELF_EDITABLE = {"display_name", "email", "age", "body_mass_kg", "height_m", "gender", "measurement_system"}


_EPOCH_S = "Creation time, s since the Unix epoch (UTC)."
_MAX_SESSIONS = "Session limit (count); null: the server default."


class UserOut(Struct):
    user_id: str
    org_id: str
    role: str
    plan: str
    display_name: str
    email: str | None
    age: Annotated[int | None, Meta(description="years")]
    body_mass_kg: Annotated[float | None, Meta(description="Body mass, kg (stored SI).")]
    height_m: Annotated[float | None, Meta(description="Height, m (stored SI).")]
    gender: str | None
    measurement_system: Annotated[str, Meta(description="metric | imperial")]
    max_sessions: Annotated[int | None, Meta(description=_MAX_SESSIONS)]
    created_at_s: Annotated[float, Meta(description=_EPOCH_S)]


class UserCreate(Struct, forbid_unknown_fields=True):
    display_name: str
    email: str | None = None
    role: Annotated[str, Meta(description="user | sub-admin | admin")] = "user"
    plan: Annotated[str, Meta(description="none | basic | pro")] = "none"
    age: int | None = None
    body_mass_kg: float | None = None
    height_m: float | None = None
    gender: Annotated[str | None, Meta(description="male | female | other")] = None
    measurement_system: Annotated[str, Meta(description="metric | imperial")] = "metric"
    max_sessions: int | None = None


class UserUpdate(Struct, forbid_unknown_fields=True, omit_defaults=True):
    display_name: str | None = None
    email: str | None = None
    role: str | None = None
    plan: str | None = None
    age: int | None = None
    body_mass_kg: float | None = None
    height_m: float | None = None
    gender: str | None = None
    measurement_system: str | None = None
    max_sessions: int | None = None


class KeyOut(Struct):
    key_id: str
    user_id: str
    label: str
    created_at_s: Annotated[float, Meta(description=_EPOCH_S)]


class IssuedKeyOut(Struct):
    key: Annotated[str, Meta(description="The API key. Shown once; only its SHA-256 digest is stored.")]
    key_id: str
    user_id: str
    label: str
    created_at_s: Annotated[float, Meta(description=_EPOCH_S)]


class UserCreated(Struct):
    user: UserOut
    api_key: IssuedKeyOut


class KeyRequest(Struct, forbid_unknown_fields=True):
    label: str = ""


class WebhookIn(Struct, forbid_unknown_fields=True):
    url: Annotated[str, Meta(description="http(s) URL that receives session.done / session.failed events")]


class WebhookOut(Struct):
    url: str | None
    secret: Annotated[str | None, Meta(description="HMAC-SHA256 signing secret; returned only when set")] = (
        None
    )


def _user_out(user: UserRecord) -> UserOut:
    return UserOut(**asdict(user))


def _key_out(issued: IssuedKey) -> IssuedKeyOut:
    return IssuedKeyOut(
        key=issued.key,
        key_id=issued.key_id,
        user_id=issued.user_id,
        label=issued.label,
        created_at_s=issued.created_at_s,
    )


@post(
    "/admin/users/",
    status_code=201,
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(400, 403),
    summary="Create a user in the caller's organisation (admin)",
)
def create_user(data: JSONBody[UserCreate], principal: PrincipalDep, deps: DepsDep) -> UserCreated:
    require_admin(principal)
    try:
        user = deps.accounts.create_user(principal.org_id, **structs.asdict(data))
    except ValueError as exc:
        raise BadRequestError(str(exc)) from None
    return UserCreated(user=_user_out(user), api_key=_key_out(deps.keys.issue(user.user_id, "initial")))


@get(
    "/admin/users/",
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(403),
    summary="List the organisation's users (admin, sub-admin)",
)
def list_users(principal: PrincipalDep, deps: DepsDep) -> list[UserOut]:
    require_manager(principal)
    return [_user_out(u) for u in deps.accounts.list_users(principal.org_id)]


@get(
    "/admin/users/{user_id:str}/",
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(404),
    summary="One user's profile (self, or a manager of the organisation)",
)
def get_user(user_id: FromPath[str], principal: PrincipalDep, deps: DepsDep) -> UserOut:
    return _user_out(visible_user(deps, principal, user_id))


@patch(
    "/admin/users/{user_id:str}/",
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(400, 403, 404),
    summary="Update a profile (admin: any field; self: own profile)",
)
def update_user(
    user_id: FromPath[str], data: JSONBody[UserUpdate], principal: PrincipalDep, deps: DepsDep
) -> UserOut:
    target = visible_user(deps, principal, user_id)
    changes = structs.asdict(data)
    changes = {k: v for k, v in changes.items() if v is not None}
    if principal.user.role != "admin" and (
        target.user_id != principal.user_id or set(changes) - _SELF_EDITABLE
    ):
        raise ForbiddenError("Admin privileges are required to change role, plan, limits or other users.")
    try:
        return _user_out(deps.accounts.update_user(target.user_id, **changes))
    except ValueError as exc:
        raise BadRequestError(str(exc)) from None


def _key_owner_check(deps: DepsDep, principal: PrincipalDep, user_id: str) -> UserRecord:
    target = visible_user(deps, principal, user_id)
    if target.user_id != principal.user_id and principal.user.role != "admin":
        raise ForbiddenError("Admin privileges are required to manage another user's keys.")
    return target


@post(
    "/admin/users/{user_id:str}/keys/",
    status_code=201,
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(400, 403, 404),
    summary="Issue an API key (shown once)",
)
def issue_key(
    user_id: FromPath[str], data: JSONBody[KeyRequest], principal: PrincipalDep, deps: DepsDep
) -> IssuedKeyOut:
    target = _key_owner_check(deps, principal, user_id)
    if len(data.label) > 100:
        raise BadRequestError("label: expected at most 100 characters.")
    return _key_out(deps.keys.issue(target.user_id, data.label))


@get(
    "/admin/users/{user_id:str}/keys/",
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(403, 404),
    summary="List a user's keys (ids only, never secrets)",
)
def list_keys(user_id: FromPath[str], principal: PrincipalDep, deps: DepsDep) -> list[KeyOut]:
    target = _key_owner_check(deps, principal, user_id)
    return [
        KeyOut(key_id=r.key_id, user_id=r.user_id, label=r.label, created_at_s=r.created_at_s)
        for r in deps.keys.list_for_user(target.user_id)
    ]


def _visible_key(deps: DepsDep, principal: PrincipalDep, key_id: str) -> ApiKeyRecord:
    record = deps.keys.get(key_id)
    if record is None:
        raise NotFoundApiError("API key not found.")
    try:
        _key_owner_check(deps, principal, record.user_id)
    except NotFoundApiError:
        raise NotFoundApiError("API key not found.") from None
    return record


@post(
    "/keys/{key_id:str}/rotate/",
    status_code=200,
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(403, 404),
    summary="Replace a key with a new one (the old stops working)",
)
def rotate_key(key_id: FromPath[str], principal: PrincipalDep, deps: DepsDep) -> IssuedKeyOut:
    _visible_key(deps, principal, key_id)
    issued = deps.keys.rotate(key_id)
    if issued is None:
        raise NotFoundApiError("API key not found.")
    return _key_out(issued)


@delete(
    "/keys/{key_id:str}/",
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(403, 404),
    summary="Revoke a key",
)
def revoke_key(key_id: FromPath[str], principal: PrincipalDep, deps: DepsDep) -> None:
    _visible_key(deps, principal, key_id)
    deps.keys.revoke(key_id)


@get(
    "/admin/webhook/",
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(403),
    summary="The organisation's webhook URL (admin)",
)
def get_webhook(principal: PrincipalDep, deps: DepsDep) -> WebhookOut:
    require_admin(principal)
    org = deps.accounts.get_org(principal.org_id)
    return WebhookOut(url=org.webhook_url if org else None)


@put(
    "/admin/webhook/",
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(400, 403),
    summary="Set the webhook URL; a new signing secret is returned once (admin)",
)
def set_webhook(data: JSONBody[WebhookIn], principal: PrincipalDep, deps: DepsDep) -> WebhookOut:
    require_admin(principal)
    if not data.url.startswith(("http://", "https://")) or len(data.url) > 2000:
        raise BadRequestError(f"url: expected an http(s) URL, got {data.url[:100]!r}.")
    org = deps.accounts.get_org(principal.org_id)
    if org is None:
        raise NotFoundApiError("Organisation not found.")
    org.webhook_url = data.url
    org.webhook_secret = secrets.token_urlsafe(32)
    deps.accounts.save_org(org)
    return WebhookOut(url=org.webhook_url, secret=org.webhook_secret)


@delete(
    "/admin/webhook/",
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(403),
    summary="Remove the webhook (admin)",
)
def delete_webhook(principal: PrincipalDep, deps: DepsDep) -> None:
    require_admin(principal)
    org = deps.accounts.get_org(principal.org_id)
    if org is not None:
        org.webhook_url = None
        org.webhook_secret = None
        deps.accounts.save_org(org)


admin_router = Router(
    path="/",
    route_handlers=[
        create_user,
        list_users,
        get_user,
        update_user,
        issue_key,
        list_keys,
        rotate_key,
        revoke_key,
        get_webhook,
        set_webhook,
        delete_webhook,
    ],
)

__all__ = ["admin_router"]
