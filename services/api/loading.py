"""Load one session (a user's, or the demo) into a ViewContext, enforcing access and readiness."""

from __future__ import annotations

import json
from typing import Any

from pipelines.errors import NotFoundError
from pipelines.settings import Settings
from pipelines.state import SessionRecord
from services.api.accounts import MEASUREMENT_SYSTEMS, UserRecord
from services.api.auth import Principal, visible_session
from services.api.deps import ApiDeps
from services.api.errors import BadRequestError, NotFoundApiError, NotReadyError
from services.api.reports import DEMO_PREFIX, session_prefix
from services.api.uploads import BODY_JOINTS
from services.api.views.context import ViewContext

DEMO_NOT_AVAILABLE = "Demo session is not available on this server (build it with `make demo`)."


def measurement_system(value: str | None, default: str) -> str:
    if value is None or value == "":
        return default
    if value not in MEASUREMENT_SYSTEMS:
        raise BadRequestError(
            f"measurement_system: expected one of {', '.join(MEASUREMENT_SYSTEMS)}, got {value!r}."
        )
    return value


def load_context(
    deps: ApiDeps, principal: Principal, session_id: str, *, demo: bool, system: str | None
) -> ViewContext:
    if demo:
        return _demo_context(deps, measurement_system(system, principal.user.measurement_system))
    record = visible_session(deps, principal, session_id)
    # The caller's own session (the common case) needs no second user lookup.
    owner = principal.user if record.user_id == principal.user_id else deps.accounts.get_user(record.user_id)
    return _record_context(deps, record, owner, measurement_system(system, record.measurement_system))


def _record_context(
    deps: ApiDeps, record: SessionRecord, owner: UserRecord | None, system: str
) -> ViewContext:
    prefix = session_prefix(record.session_id)
    report = None
    if record.status == "done" and record.report_key:
        prefix = record.report_key.rsplit("/", 1)[0] + "/"
        # updated_at_s versions the cached parse: a session written again is read again.
        report = deps.reports.report(prefix, record.updated_at_s)
    return ViewContext(
        session_id=record.session_id,
        prefix=prefix,
        title=record.title,
        exercise=record.exercise,
        created_at_s=record.created_at_s,
        user_information={
            "display_name": record.user_display_name or (owner.display_name if owner else ""),
            "age": record.user_age,
            "weight": record.user_body_mass_kg,
            "height": record.user_height_m,
            "gender": record.user_gender,
            "email": owner.email if owner else None,
        },
        body_joint_angles=[
            j for j in BODY_JOINTS if "all" in record.body_joint_angles or j in record.body_joint_angles
        ],
        measurement_system=system,
        status=record.status,
        progress=record.progress,
        stage=record.stage,
        error=record.error,
        video_key=record.video_key or None,
        report=report,
        version=record.updated_at_s,
    )


def _demo_context(deps: ApiDeps, system: str) -> ViewContext:
    """The demo lives under demo/ (report.json + artifacts, optional session.json); read-only."""
    report = deps.reports.report(DEMO_PREFIX)
    if report is None:
        raise NotFoundApiError(DEMO_NOT_AVAILABLE)
    meta = _demo_meta(deps)
    user: dict[str, Any] = report.get("user") or {}
    return ViewContext(
        session_id="demo",
        prefix=DEMO_PREFIX,
        title=str(meta.get("title") or "Demo lift"),
        exercise=str(report.get("exercise", "snatch")),
        created_at_s=float(meta.get("created_at_s") or 0.0),
        user_information={
            "display_name": user.get("display_name") or "Demo lifter",
            "age": user.get("age"),
            "weight": user.get("body_mass_kg"),
            "height": user.get("height_m"),
            "gender": user.get("gender"),
            "email": None,
        },
        body_joint_angles=list(BODY_JOINTS),
        measurement_system=system,
        video_key=str(meta["video_key"]) if meta.get("video_key") else None,
        report=report,
    )


def _demo_meta(deps: ApiDeps) -> dict[str, Any]:
    try:
        meta = json.loads(deps.store.get_bytes(DEMO_PREFIX + "session.json"))
    except NotFoundError:
        return {}
    return meta if isinstance(meta, dict) else {}


def require_report(ctx: ViewContext) -> dict[str, Any]:
    """The analysis, or 409 saying why there is none yet (processing: stage and progress; failed: reason)."""
    if ctx.report is not None:
        return ctx.report
    if ctx.status == "failed":
        raise NotReadyError(f"Session analysis failed: {ctx.error or 'unknown reason'}.")
    if ctx.status == "done":
        raise NotReadyError("Session report is not available.")
    raise NotReadyError(f"Session is still processing (stage {ctx.stage}, {round(ctx.progress * 100)}%).")


def settings_presign(deps: ApiDeps, settings: Settings) -> Any:
    def url(key: str) -> str | None:
        return deps.presigned.url(key, settings.presign_expiry_s)

    return url
