"""POST .../lift-analysis/ and GET .../summary/ bodies, sliced to the primary rep."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.api.schemas import (
    LiftAnalysis,
    MaxValues,
    MinMaxValues,
    PhaseImage,
    PhaseSpan,
    SessionSummary,
    SummaryPower,
    SummaryStability,
    SummaryVelocity,
    Trajectory,
)
from services.api.units import convert, unit_in
from services.api.uploads import EXERCISE_TITLES
from services.api.views.context import (
    SIDE_CODES,
    ViewContext,
    bilateral_mean,
    min_max,
    primary_rep,
    rep_window,
    series,
    session_date,
)

UrlFn = Callable[[str], str | None]

# section -> {response key: (kinematics column, SI unit)}
SECTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "key_metrics": {
        "power_output": ("bar_power_w", "W"),
        "ground_reaction_force": ("grf_n", "N"),
        "barbell_velocity": ("bar_vy_mps", "m/s"),
    },
    "body_positioning": {
        "hip_velocity": ("hip_vy_mps", "m/s"),
        "shin_angle": ("shin_angle_deg", "deg"),
        "hip_height": ("hip_height_m", "m"),
        "torso_angle": ("torso_angle_deg", "deg"),
    },
    "barbell_positioning": {
        "bar_height": ("bar_y_m", "m"),
        "barbell_trajectory": ("bar_x_m", "m"),
        "vertical_shoulder_height": ("shoulder_height_m", "m"),
    },
}


def _rep_series(report: dict[str, Any], column: str, unit: str, system: str) -> list[float | None]:
    values: list[float | None] = series(report, column)[rep_window(report)]
    converted: list[float | None] = convert(values, unit, system)
    return converted


def _section(
    report: dict[str, Any], name: str, system: str, units: dict[str, str]
) -> dict[str, list[float | None]]:
    out = {}
    for key, (column, unit) in SECTIONS[name].items():
        values = _rep_series(report, column, unit, system)
        if values:
            out[key] = values
            units[key] = unit_in(unit, system)
    return out


def _joint_angles(
    report: dict[str, Any], body_joints: list[str], units: dict[str, str]
) -> dict[str, list[float | None]]:
    window = rep_window(report)
    out = {}
    for joint in body_joints:
        code = SIDE_CODES[joint]
        left = series(report, f"l{code}_angle_deg")[window]
        right = series(report, f"r{code}_angle_deg")[window]
        if left or right:
            out[f"{joint}_angle"] = bilateral_mean(left, right)
            units[f"{joint}_angle"] = "deg"
    return out


def _ms(t_s: float | None) -> float | None:
    return None if t_s is None else round(float(t_s) * 1000.0, 1)


def _phase_data(report: dict[str, Any], prefix: str, url: UrlFn) -> dict[str, PhaseImage]:
    rep = primary_rep(report) or {}
    keyframes: dict[str, str] = (report.get("artifacts") or {}).get("keyframes") or {}
    events: dict[str, Any] = rep.get("events") or {}
    out = {}
    for name in list(events) + [k for k in keyframes if k not in events]:
        offsets = [
            float(r["events"][name]["t_s"]) - float(r["start_t_s"])
            for r in report.get("reps") or []
            if name in (r.get("events") or {})
        ]
        image = keyframes.get(name)
        out[name] = PhaseImage(
            image_url=url(prefix + image) if image else None,
            average_time_ms=_ms(sum(offsets) / len(offsets)) if offsets else None,
            time_ms=_ms(events[name]["t_s"]) if name in events else None,
        )
    return out


def _chart_data(report: dict[str, Any]) -> dict[str, PhaseSpan]:
    rep = primary_rep(report) or {}
    return {
        p["name"]: PhaseSpan(start=_ms(p["start_t_s"]) or 0.0, end=_ms(p["end_t_s"]) or 0.0)
        for p in rep.get("phases") or []
    }


def user_information(ctx: ViewContext) -> dict[str, Any]:
    """display_name, age, gender, email, weight (kg|lb), height (cm|in)."""
    info = dict(ctx.user_information)
    weight, height_m = info.pop("weight", None), info.pop("height", None)
    imperial = ctx.measurement_system == "imperial"
    info["weight"] = (
        None if weight is None else round(float(convert(weight, "kg", ctx.measurement_system)), 1)
    )
    info["height"] = (
        None if height_m is None else round(float(height_m) * (39.3700787 if imperial else 100.0), 1)
    )
    return info


def build_lift_analysis(
    ctx: ViewContext, report: dict[str, Any], url: UrlFn, comments: dict[str, str]
) -> LiftAnalysis:
    system = ctx.measurement_system
    units: dict[str, str] = {}
    return LiftAnalysis(
        exercise=ctx.exercise,
        key_metrics=_section(report, "key_metrics", system, units),
        body_positioning=_section(report, "body_positioning", system, units),
        joint_angles=_joint_angles(report, ctx.body_joint_angles, units),
        barbell_positioning=_section(report, "barbell_positioning", system, units),
        phase_data=_phase_data(report, ctx.prefix, url),
        chart_data=_chart_data(report),
        user_information=user_information(ctx),
        session_date=session_date(ctx.created_at_s),
        comments=comments,
        units=units
        | {
            "weight": "lb" if system == "imperial" else "kg",
            "height": "in" if system == "imperial" else "cm",
            "chart_data": "ms",
        },
    )


def _min_max_values(values: list[float | None]) -> MinMaxValues:
    lo, hi = min_max(values)
    return MinMaxValues(min=lo, max=hi, values=values)


def build_summary(ctx: ViewContext, report: dict[str, Any], summary_text: dict[str, str]) -> SessionSummary:
    system = ctx.measurement_system
    rep = primary_rep(report) or {}
    total = (rep.get("metrics") or {}).get("total_time", {}).get("value")
    height = _rep_series(report, "bar_y_m", "m", system)
    return SessionSummary(
        exercise_type=EXERCISE_TITLES.get(ctx.exercise, ctx.exercise),
        velocity=SummaryVelocity(
            bar_velocity=_min_max_values(_rep_series(report, "bar_vy_mps", "m/s", system))
        ),
        power=SummaryPower(
            ground_reaction_force=_min_max_values(_rep_series(report, "grf_n", "N", system)),
            power=_min_max_values(_rep_series(report, "bar_power_w", "W", system)),
        ),
        stability=SummaryStability(
            total_time=float(total) if isinstance(total, int | float) else None,
            bar_height=MaxValues(max=min_max(height)[1], values=height),
            bar_trajectory=Trajectory(xAxis=_rep_series(report, "bar_x_m", "m", system), yAxis=height),
        ),
        user_information=user_information(ctx),
        session_date=session_date(ctx.created_at_s),
        summary_text=summary_text or None,
    )
