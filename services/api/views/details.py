"""GET /weightlifting/sessions/{session_id}/ and .../export/ bodies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from services.api.reports import ReportCache
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


@dataclass(frozen=True, slots=True)
class _DetailsSeries:
    """The report-derived part of a details body (read-only once built: it is shared between requests)."""

    metrics: dict[str, float]
    units: dict[str, str]
    report_metrics: dict[str, list[float | None]]
    angles: dict[str, list[float | None]]
    all_timestamps: list[float | None]
    warnings: list[dict[str, str]]

    def encoded(self) -> _EncodedSeries:
        return _EncodedSeries(
            report_metrics=msgspec.Raw(msgspec.json.encode(self.report_metrics)),
            angles=msgspec.Raw(msgspec.json.encode(self.angles)),
            all_timestamps=msgspec.Raw(msgspec.json.encode(self.all_timestamps)),
        )


@dataclass(frozen=True, slots=True)
class _EncodedSeries:
    """The per-frame series as pre-encoded JSON: encoding ~20 series x N frames of floats was the largest
    CPU cost of a details request; msgspec copies a Raw value into the body verbatim."""

    report_metrics: msgspec.Raw
    angles: msgspec.Raw
    all_timestamps: msgspec.Raw


def _details_series(report: dict[str, Any] | None, system: str, codes: list[str]) -> _DetailsSeries:
    metrics, units = metrics_in(report, system)
    report_metrics: dict[str, list[float | None]] = {}
    if report is not None:
        for key, (column, unit) in REPORT_SERIES.items():
            values = series(report, column)
            if values:
                report_metrics[key] = convert(values, unit, system)
                units[key] = unit_in(unit, system)
    return _DetailsSeries(
        metrics=metrics,
        units=units,
        report_metrics=report_metrics,
        angles=angles_of(report, codes),
        all_timestamps=series(report, "t_s") if report is not None else [],
        warnings=[
            {"code": str(w.get("code", "")), "message": str(w.get("message", ""))}
            for w in (report or {}).get("warnings", [])
        ],
    )


def _memo_entry(
    report: dict[str, Any] | None, system: str, codes: list[str]
) -> tuple[_DetailsSeries, _EncodedSeries]:
    part = _details_series(report, system, codes)
    return part, part.encoded()


def build_details(ctx: ViewContext, url: UrlFn, reports: ReportCache | None = None) -> SessionDetails:
    """`reports`: memoise the report-derived part per (session, report version, units, joints)."""
    report = ctx.report
    system = ctx.measurement_system
    codes = joint_codes(ctx.body_joint_angles)
    report_metrics: Any
    angles: Any
    all_timestamps: Any
    if report is not None and reports is not None:
        memo_key = (ctx.prefix, ("details", ctx.version, system, tuple(codes)))
        part, encoded = reports.derived(memo_key, lambda: _memo_entry(report, system, codes))
        # Same JSON on the wire as the plain lists; the annotations (and the OpenAPI schema) still
        # describe it.
        report_metrics, angles, all_timestamps = (
            encoded.report_metrics,
            encoded.angles,
            encoded.all_timestamps,
        )
    else:
        part = _details_series(report, system, codes)
        report_metrics, angles, all_timestamps = part.report_metrics, part.angles, part.all_timestamps
    analyzed = (report or {}).get("artifacts", {}).get("analyzed_video")
    return SessionDetails(
        analyzed_video_url=url(ctx.prefix + analyzed) if report is not None and analyzed else None,
        video_url=url(ctx.video_key) if ctx.video_key else None,
        created_at=CreatedAt(**created_at(ctx.created_at_s)),
        exercise=ctx.exercise,
        user_name=ctx.user_name,
        activity=ACTIVITY,
        title=ctx.title,
        metrics=part.metrics,
        angles=angles,
        report_metrics=report_metrics,
        all_timestamps=all_timestamps,
        session_id=ctx.session_id,
        status=ctx.status,
        progress=ctx.progress,
        stage=ctx.stage,
        error=ctx.error,
        measurement_system=system,
        units=part.units,
        warnings=part.warnings,
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
