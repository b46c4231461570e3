"""GET /weightlifting/sessions/{session_id}/ and .../export/ bodies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.api.schemas import CreatedAt, SessionDetails, SessionExport
from services.api.units import convert, unit_in
from services.api.views.context import (
    ACTIVITY,
    ViewContext,
    created_at,
    joint_codes,
    numeric_metrics,
    series,
)
from services.inference.joints import JOINTS

UrlFn = Callable[[str], str | None]

# report_metrics key -> (kinematics column, SI unit)
REPORT_SERIES: dict[str, tuple[str, str]] = {
    "bar_speed": ("bar_speed_mps", "m/s"),
    "bar_vertical_velocity": ("bar_vy_mps", "m/s"),
    "bar_power": ("bar_power_w", "W"),
    "ground_reaction_force": ("grf_n", "N"),
    "bar_height": ("bar_y_m", "m"),
    "bar_horizontal_displacement": ("bar_x_m", "m"),
}
ANGLE_JOINTS = ("lank", "rank", "lkne", "rkne", "lhip", "rhip", "lelb", "relb", "lsho", "rsho")


def metrics_in(report: dict[str, Any] | None, system: str) -> tuple[dict[str, float], dict[str, str]]:
    values: dict[str, float] = {}
    units: dict[str, str] = {}
    for name, (value, unit) in numeric_metrics(report or {}).items():
        values[name] = float(convert(value, unit, system))
        units[name] = unit_in(unit, system)
    return values, units


def angles_of(
    report: dict[str, Any] | None, codes: list[str] | tuple[str, ...]
) -> dict[str, list[float | None]]:
    if report is None:
        return {}
    out = {f"{code}_angle": series(report, f"{code}_angle_deg") for code in codes}
    return {k: v for k, v in out.items() if v}


def build_details(ctx: ViewContext, url: UrlFn) -> SessionDetails:
    report = ctx.report
    system = ctx.measurement_system
    metrics, units = metrics_in(report, system)
    report_metrics: dict[str, list[float | None]] = {}
    if report is not None:
        for key, (column, unit) in REPORT_SERIES.items():
            values = series(report, column)
            if values:
                report_metrics[key] = convert(values, unit, system)
                units[key] = unit_in(unit, system)
    analyzed = (report or {}).get("artifacts", {}).get("analyzed_video")
    return SessionDetails(
        analyzed_video_url=url(ctx.prefix + analyzed) if report is not None and analyzed else None,
        video_url=url(ctx.video_key) if ctx.video_key else None,
        created_at=CreatedAt(**created_at(ctx.created_at_s)),
        exercise=ctx.exercise,
        user_name=ctx.user_name,
        activity=ACTIVITY,
        title=ctx.title,
        metrics=metrics,
        angles=angles_of(report, joint_codes(ctx.body_joint_angles)),
        report_metrics=report_metrics,
        all_timestamps=series(report, "t_s") if report is not None else [],
        session_id=ctx.session_id,
        status=ctx.status,
        progress=ctx.progress,
        stage=ctx.stage,
        error=ctx.error,
        measurement_system=system,
        units=units,
        warnings=[
            {"code": str(w.get("code", "")), "message": str(w.get("message", ""))}
            for w in (report or {}).get("warnings", [])
        ],
    )


def build_export(
    ctx: ViewContext, report: dict[str, Any], frames: dict[str, list[Any]] | None
) -> SessionExport:
    """Keypoint keys `<code>x/y/v` from frames.parquet (`<code>_x_px`, `<code>_y_px`, `<code>_v`)."""
    keypoints: dict[str, list[float | None]] = {}
    for code in JOINTS:
        for axis, column in (("x", f"{code}_x_px"), ("y", f"{code}_y_px"), ("v", f"{code}_v")):
            if frames is not None and column in frames:
                keypoints[code + axis] = [None if v is None else float(v) for v in frames[column]]
    metrics, _units = metrics_in(report, ctx.measurement_system)
    return SessionExport(
        keypoints=keypoints,
        # Only the joints the session asked for (body_joint_angles), as on the details endpoint.
        angles=angles_of(report, joint_codes(ctx.body_joint_angles)),
        all_timestamps=series(report, "t_s"),
        metrics=metrics,
        activity=ACTIVITY,
    )
