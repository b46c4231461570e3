"""Analysis endpoints: export, lift-analysis, summary, and the coaching threads (GenAI)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Router, get, post
from litestar.params import FromPath, Parameter

from services.api.auth import require_plan, visible_session
from services.api.coaching import CoachThreads
from services.api.errors import ApiError, BadRequestError, NotFoundApiError
from services.api.loading import load_context, require_report, settings_presign
from services.api.routes.common import SECURITY, DepsDep, PrincipalDep, SettingsDep, error_responses
from services.api.schemas import LiftAnalysis, SessionExport, SessionSummary
from services.api.views.analysis import build_lift_analysis, build_summary
from services.api.views.details import build_export

Demo = Annotated[bool, Parameter(description="true: the pre-generated demo session")]
System = Annotated[str | None, Parameter(description="metric | imperial (default: the user's)")]
Language = Annotated[str, Parameter(description="Language of the generated text (ISO 639-1)", max_length=8)]


class CoachingUnavailableError(ApiError):
    status_code = 503


def _threads(deps: DepsDep) -> CoachThreads:
    if deps.threads is None:
        raise CoachingUnavailableError("Coaching is not configured on this server.")
    return deps.threads


@get(
    "/weightlifting/sessions/{session_id:str}/export/",
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(400, 403, 404, 409),
    summary="Keypoints, angles, timestamps and metrics",
)
def export_session(
    session_id: FromPath[str],
    principal: PrincipalDep,
    deps: DepsDep,
    demo: Demo = False,
    measurement_system: System = None,
) -> SessionExport:
    ctx = load_context(deps, principal, session_id, demo=demo, system=measurement_system)
    report = require_report(ctx)
    frames_name = (report.get("artifacts") or {}).get("frames", "frames.parquet")
    return build_export(ctx, report, deps.reports.table(ctx.prefix, frames_name))


@post(
    "/weightlifting/sessions/{session_id:str}/lift-analysis/",
    status_code=200,
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(400, 403, 404, 409),
    summary="Lift analysis of the primary rep (needs a payment plan)",
)
def lift_analysis(
    session_id: FromPath[str],
    *,
    principal: PrincipalDep,
    deps: DepsDep,
    settings: SettingsDep,
    demo: Demo = False,
    measurement_system: System = None,
) -> LiftAnalysis:
    require_plan(principal)
    ctx = load_context(deps, principal, session_id, demo=demo, system=measurement_system)
    report = require_report(ctx)
    comments = deps.threads.recommendation_texts(ctx.session_id) if deps.threads and not demo else {}
    return build_lift_analysis(ctx, report, settings_presign(deps, settings), comments)


@get(
    "/weightlifting/sessions/{session_id:str}/summary/",
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(400, 403, 404, 409),
    summary="Session summary (needs a payment plan)",
)
def get_summary(
    session_id: FromPath[str],
    *,
    principal: PrincipalDep,
    deps: DepsDep,
    demo: Demo = False,
    measurement_system: System = None,
) -> SessionSummary:
    require_plan(principal)
    ctx = load_context(deps, principal, session_id, demo=demo, system=measurement_system)
    report = require_report(ctx)
    texts = deps.threads.summary_texts(ctx.session_id) if deps.threads and not demo else {}
    return build_summary(ctx, report, texts)


def _thread_inputs(
    deps: DepsDep, principal: PrincipalDep, session_id: str, system: str | None
) -> tuple[str, dict[str, Any], str]:
    require_plan(principal)
    ctx = load_context(deps, principal, session_id, demo=False, system=system)
    return ctx.session_id, require_report(ctx), ctx.measurement_system


@post(
    "/weightlifting/sessions/{session_id:str}/summary/",
    status_code=200,
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(400, 403, 404, 409, 503),
    summary="Generate summary threads (velocity, power, stability, final_summary)",
)
def create_summary_threads(
    session_id: FromPath[str],
    principal: PrincipalDep,
    deps: DepsDep,
    measurement_system: System = None,
    language: Language = "en",
) -> dict[str, str]:
    sid, report, system = _thread_inputs(deps, principal, session_id, measurement_system)
    return _threads(deps).create_summary_threads(sid, report, system, language)


@post(
    "/weightlifting/sessions/{session_id:str}/recommendation/",
    status_code=200,
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(400, 403, 404, 409, 503),
    summary="Generate one coaching-comment thread per lift-analysis metric",
)
def create_recommendation_threads(
    session_id: FromPath[str],
    principal: PrincipalDep,
    deps: DepsDep,
    measurement_system: System = None,
    language: Language = "en",
) -> dict[str, str]:
    sid, report, system = _thread_inputs(deps, principal, session_id, measurement_system)
    return _threads(deps).create_recommendation_threads(sid, report, system, language)


@get(
    "/weightlifting/threads/{thread_id:str}/",
    sync_to_thread=True,
    security=SECURITY,
    responses=error_responses(400, 404, 503),
    summary="One coaching thread (status and text)",
)
def get_thread(thread_id: FromPath[str], principal: PrincipalDep, deps: DepsDep) -> dict[str, Any]:
    if not thread_id or len(thread_id) > 128:
        raise BadRequestError("thread_id: expected 1..128 characters.")
    thread = _threads(deps).get_thread(thread_id)
    if thread is None:
        raise NotFoundApiError("Thread not found.")
    session_id = str(thread.get("session_id", ""))
    try:
        visible_session(deps, principal, session_id)
    except NotFoundApiError:
        raise NotFoundApiError("Thread not found.") from None
    return thread


analysis_router = Router(
    path="/",
    route_handlers=[
        export_session,
        lift_analysis,
        get_summary,
        create_summary_threads,
        create_recommendation_threads,
        get_thread,
    ],
)

__all__ = ["analysis_router"]
