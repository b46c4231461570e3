"""Sessions: upload (self and management), list, details, delete."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import anyio.to_thread
from litestar import Request, Router, delete, get, post
from litestar.datastructures import State, UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, Parameter
from msgspec import Meta, Struct

from services.api.auth import authenticate_async, can_see, visible_session, visible_user
from services.api.errors import BadRequestError, ForbiddenError, NotReadyError
from services.api.loading import load_context, settings_presign
from services.api.reports import session_prefix
from services.api.routes.common import SECURITY, DepsDep, PrincipalDep, SettingsDep, error_responses
from services.api.schemas import CreatedAt, SessionCreated, SessionDetails
from services.api.uploads import check_session_limit, ingest, parse_exercise, parse_form
from services.api.views.context import created_at
from services.api.views.details import build_details

_FORM_HELP = (
    "Multipart form. `exercise_name`: snatch | clean | clean_and_jerk. `barbell_mass`: numeric string in the "
    "user's units (kg; lb for an imperial user), default 100 kg / 220 lb. "
    "`body_joint_angles`: comma-separated "
    "subset of ankle, knee, elbow, hip, shoulder (default all). The video is probed before it is accepted."
)


@dataclass
class UploadForm:
    video: UploadFile
    exercise_name: str
    user_id: str | None = None
    session_name: str | None = None
    barbell_mass: str | None = None
    body_joint_angles: str | None = None


@dataclass
class ManagementUploadForm:
    user_id: str
    video: UploadFile
    exercise_name: str
    session_name: str | None = None
    barbell_mass: str | None = None
    body_joint_angles: str | None = None


async def _preflight(request: Request[Any, Any, State], *, management: bool) -> None:
    """Runs before the body is read: authenticate, check role and encoding, and the caller's own limit."""
    deps: DepsDep = request.app.state.deps
    settings: SettingsDep = request.app.state.settings
    principal = await authenticate_async(request, deps, settings)
    request.scope.setdefault("state", {})["principal"] = principal  # type: ignore[typeddict-item]
    if management and not principal.user.is_manager:
        raise ForbiddenError("Admin or sub-admin privileges are required to create sessions for other users.")
    if request.content_type[0] != "multipart/form-data":
        raise BadRequestError("video: a video file is required; send the form as multipart/form-data.")
    if not management:
        await anyio.to_thread.run_sync(check_session_limit, deps, settings, principal.user)


async def preflight_self(request: Request[Any, Any, State]) -> None:
    await _preflight(request, management=False)


async def preflight_management(request: Request[Any, Any, State]) -> None:
    await _preflight(request, management=True)


def _create(
    deps: DepsDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    owner_id: str | None,
    form: UploadForm | ManagementUploadForm,
) -> SessionCreated:
    try:
        owner = (
            principal.user
            if not owner_id or owner_id == principal.user_id
            else visible_user(deps, principal, owner_id)
        )
        if owner.user_id != principal.user_id and not principal.user.is_manager:
            raise ForbiddenError("Only admins and sub-admins may create sessions for another user.")
        now_s = time.time()
        fields = parse_form(
            exercise_name=form.exercise_name,
            session_name=form.session_name,
            barbell_mass=form.barbell_mass,
            body_joint_angles=form.body_joint_angles,
            owner=owner,
            settings=settings,
            now_s=now_s,
        )
        record = ingest(deps, settings, owner=owner, form=fields, video=form.video, now_s=now_s)
        return SessionCreated(session_id=record.session_id, title=record.title)
    finally:
        form.video.file.close()


@post(
    "/weightlifting/sessions/",
    before_request=preflight_self,
    status_code=200,
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(400, 403, 404, 413),
    description=_FORM_HELP,
    summary="Upload a video and create a session",
)
def create_session(
    data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    principal: PrincipalDep,
    deps: DepsDep,
    settings: SettingsDep,
) -> SessionCreated:
    if data.user_id and data.user_id != principal.user_id:
        data.video.file.close()
        raise ForbiddenError(
            "user_id: use /weightlifting/management/sessions/ to create sessions for another user."
        )
    return _create(deps, settings, principal, None, data)


@post(
    "/weightlifting/management/sessions/",
    before_request=preflight_management,
    status_code=200,
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(400, 403, 404, 413),
    description="Admin or sub-admin: create a session on behalf of `user_id` (same organisation). "
    + _FORM_HELP,
    summary="Create a session for another user",
)
def create_management_session(
    data: Annotated[ManagementUploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    principal: PrincipalDep,
    deps: DepsDep,
    settings: SettingsDep,
) -> SessionCreated:
    if not data.user_id.strip():
        data.video.file.close()
        raise BadRequestError("user_id: required.")
    return _create(deps, settings, principal, data.user_id.strip(), data)


@get(
    "/weightlifting/sessions/{session_id:str}/",
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(400, 403, 404),
    summary="Session details (status, progress, metrics, series)",
)
def session_details(
    session_id: FromPath[str],
    *,
    principal: PrincipalDep,
    deps: DepsDep,
    settings: SettingsDep,
    demo: Annotated[bool, Parameter(description="true: the pre-generated demo session")] = False,
    measurement_system: Annotated[
        str | None, Parameter(description="metric | imperial (default: the user's)")
    ] = None,
) -> SessionDetails:
    ctx = load_context(deps, principal, session_id, demo=demo, system=measurement_system)
    return build_details(ctx, settings_presign(deps, settings), deps.reports)


@delete(
    "/weightlifting/sessions/{session_id:str}/",
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(404, 409),
    summary="Delete a session, its objects and its record",
)
def delete_session(session_id: FromPath[str], principal: PrincipalDep, deps: DepsDep) -> None:
    record = visible_session(deps, principal, session_id)
    if record.status == "processing":
        raise NotReadyError("Session is being processed; delete it once it is done or failed.")
    deps.store.delete_prefix(session_prefix(session_id))
    deps.sessions.delete(session_id)
    deps.reports.evict(session_prefix(session_id))
    deps.presigned.evict(session_prefix(session_id))


class SessionListItem(Struct):
    session_id: str
    user_id: str
    title: str
    exercise: str
    status: str
    progress: Annotated[float, Meta(description="Fraction of the pipeline done, 0..1 (unitless).")]
    created_at: CreatedAt
    created_at_s: Annotated[float, Meta(description="Creation time, s since the Unix epoch (UTC).")]


class SessionPage(Struct):
    items: list[SessionListItem]
    next_cursor: str | None


def _parse_day(value: str | None, name: str, end_of_day: bool) -> float | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
        return day.timestamp() + (86400.0 if end_of_day else 0.0)
    raise BadRequestError(f"{name}: expected YYYY-MM-DD or DD/MM/YYYY, got {value!r}.")


def _decode_cursor(cursor: str | None) -> float | None:
    if not cursor:
        return None
    try:
        return float(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        raise BadRequestError("cursor: not a cursor this API returned.") from None


@get(
    "/weightlifting/sessions/",
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(400, 404),
    summary="List sessions (newest first) with filters and cursor pagination",
)
def list_sessions(
    *,
    principal: PrincipalDep,
    deps: DepsDep,
    user_id: Annotated[
        str | None, Parameter(description="Only this user's sessions (managers: any user of the org)")
    ] = None,
    exercise: Annotated[str | None, Parameter(description="snatch | clean | clean_and_jerk")] = None,
    created_from: Annotated[
        str | None, Parameter(description="First day, YYYY-MM-DD or DD/MM/YYYY (UTC)")
    ] = None,
    created_to: Annotated[str | None, Parameter(description="Last day, inclusive")] = None,
    limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Parameter(description="next_cursor of the previous page")] = None,
) -> SessionPage:
    wanted_exercise = parse_exercise(exercise) if exercise else None
    since_s = _parse_day(created_from, "created_from", end_of_day=False)
    until_s = _parse_day(created_to, "created_to", end_of_day=True)
    before_s = _decode_cursor(cursor)
    if user_id:
        scope: dict[str, str] = {"user_id": visible_user(deps, principal, user_id).user_id}
    elif principal.user.is_manager:
        scope = {"org_id": principal.org_id}
    else:
        scope = {"user_id": principal.user_id}
    items: list[SessionListItem] = []
    exhausted = False
    while len(items) < limit and not exhausted:
        ids = deps.sessions.list_ids(
            **scope, since_s=since_s, until_s=until_s, before_s=before_s, limit=limit
        )
        exhausted = len(ids) < limit
        for sid in ids:
            record = deps.sessions.get(sid)
            if record is None:
                continue
            before_s = record.created_at_s
            if not can_see(principal, record) or (wanted_exercise and record.exercise != wanted_exercise):
                continue
            items.append(
                SessionListItem(
                    session_id=record.session_id,
                    user_id=record.user_id,
                    title=record.title,
                    exercise=record.exercise,
                    status=record.status,
                    progress=record.progress,
                    created_at=CreatedAt(**created_at(record.created_at_s)),
                    created_at_s=record.created_at_s,
                )
            )
            if len(items) == limit:
                break
    next_cursor = None
    if items and len(items) == limit and not (exhausted and items[-1].session_id == _last(ids)):
        next_cursor = base64.urlsafe_b64encode(repr(items[-1].created_at_s).encode()).decode()
    return SessionPage(items=items, next_cursor=next_cursor)


def _last(ids: list[str]) -> str | None:
    return ids[-1] if ids else None


sessions_router = Router(
    path="/",
    route_handlers=[
        create_session,
        create_management_session,
        session_details,
        delete_session,
        list_sessions,
    ],
)
