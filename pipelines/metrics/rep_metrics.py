"""Metrics of one rep from the per-frame series and its events. Definitions: docs/metrics.md."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.metrics.model import BodyProfile, Metric

PATH_LINE_TOLERANCE_M = 0.01  # horizontal moves smaller than this do not count for the path type
NO_SCALE = "no metre scale: the plate was neither calibrated nor tracked"


@dataclass(frozen=True, slots=True)
class RepConfidence:
    """Confidences in [0, 1]: bar timing (coverage), bar metres (x scale, yaw), pose, force."""

    bar_time: float
    bar_metric: float
    pose: float
    force: float


@dataclass(frozen=True, slots=True)
class RepContext:
    t_s: np.ndarray
    series: dict[str, np.ndarray]
    events: dict[str, int]
    phases: list[tuple[str, int, int]]
    end: int  # last frame of the rep
    exercise: str
    confidence: RepConfidence
    barbell_mass_kg: float
    body: BodyProfile
    m_per_px: float
    scale_confidence: float
    plate_diameter_m: float
    markers_validity: float
    knee_pass: int | None  # first frame with the bar centre at knee height, if seen


def _at(ctx: RepContext, column: str, event: str) -> float:
    i = ctx.events.get(event)
    return float(ctx.series[column][i]) if i is not None else float("nan")


def _span(ctx: RepContext, a: str, b: str) -> float:
    if a in ctx.events and b in ctx.events:
        return float(ctx.t_s[ctx.events[b]] - ctx.t_s[ctx.events[a]])
    return float("nan")


def _window_max(ctx: RepContext, column: str, lo: int | None, hi: int | None) -> float:
    if lo is None or hi is None or hi < lo:
        return float("nan")
    window = ctx.series[column][lo : hi + 1]
    return float(np.nanmax(window)) if np.any(np.isfinite(window)) else float("nan")


def _missing(*events: str) -> str:
    return "event not found: " + ", ".join(events)


def seed_metrics(ctx: RepContext) -> dict[str, Metric]:
    c = ctx.confidence
    lo, hi = ctx.events.get("start_of_lifting"), ctx.end
    last = "jerk_recovery_end" if ctx.exercise == "clean_and_jerk" else "recovery_end"
    bar_reason = NO_SCALE if not np.isfinite(ctx.m_per_px) else "bar not tracked during the lift"
    knee = ctx.knee_pass
    if ctx.body.body_mass_kg is None:
        grf = Metric.unavailable("N", "body mass unknown: add it to the user profile")
    else:
        grf = Metric.of(_window_max(ctx, "grf_n", lo, hi), "N", c.force, "body keypoints or bar missing")
    clean_time = (
        Metric.unavailable("s", "defined for the clean only")
        if ctx.exercise == "snatch"
        else Metric.of(_span(ctx, "start_of_lifting", "catch_end"), "s", c.bar_time, _missing("catch_end"))
    )
    top_speed = _window_max(ctx, "bar_speed_mps", lo, hi)
    return {
        "max_bar_speed": Metric.of(top_speed, "m/s", c.bar_metric, bar_reason),
        "max_power": Metric.of(_window_max(ctx, "bar_power_w", lo, hi), "W", c.bar_metric, bar_reason),
        "max_GRF": grf,
        "bar_past_the_knee_speed": Metric.of(
            float(ctx.series["bar_speed_mps"][knee]) if knee is not None else float("nan"),
            "m/s", min(c.bar_metric, c.pose), "bar passing the knee not seen (knees or bar missing)",
        ),
        "bar_past_the_knee_acceleration": Metric.of(
            float(ctx.series["bar_ay_mps2"][knee]) if knee is not None else float("nan"),
            "m/s^2", min(c.bar_metric, c.pose), "bar passing the knee not seen (knees or bar missing)",
        ),
        "total_time": Metric.of(_span(ctx, "start_of_lifting", last), "s", c.bar_time, _missing(last)),
        "catch_time": Metric.of(
            _span(ctx, "peak_bar_height", "catch_end"), "s", c.bar_time, _missing("catch_end")
        ),
        "clean_time": clean_time,
        "barbell_weight": Metric(value=float(ctx.barbell_mass_kg), unit="kg", confidence=1.0),
        "scale": Metric.of(ctx.m_per_px, "m/px", ctx.scale_confidence, NO_SCALE),
        "mean_markers_validity": Metric.of(ctx.markers_validity, "1", 1.0, "no keypoints"),
    }


def bar_path_metrics(ctx: RepContext) -> dict[str, Metric]:
    """Peak height, drop, loop, horizontal shifts, first-pull angle and path type (x toward the front)."""
    c = ctx.confidence.bar_metric
    reason = NO_SCALE if not np.isfinite(ctx.m_per_px) else _missing("peak_bar_height")
    peak_h = _at(ctx, "bar_y_m", "peak_bar_height") + 0.5 * ctx.plate_diameter_m
    out = {"peak_bar_height_m": Metric.of(peak_h, "m", c, reason)}
    if ctx.body.height_m is None:
        out["peak_bar_height_pct_height"] = Metric.unavailable("%", "lifter height unknown")
    else:
        out["peak_bar_height_pct_height"] = Metric.of(100.0 * peak_h / ctx.body.height_m, "%", c, reason)
    drop = _at(ctx, "bar_y_m", "peak_bar_height") - _at(ctx, "bar_y_m", "catch_end")
    out["drop_under_bar_m"] = Metric.of(drop, "m", c, _missing("peak_bar_height", "catch_end"))
    out.update(_horizontal_metrics(ctx))
    return out


def _horizontal_metrics(ctx: RepContext) -> dict[str, Metric]:
    c = ctx.confidence.bar_metric
    lo, peak, catch = (ctx.events.get(k) for k in ("start_of_lifting", "peak_bar_height", "catch_end"))
    fastest = ctx.events.get("second_pull_end")
    unit_reason = _missing("start_of_lifting", "second_pull_end", "peak_bar_height")
    x, y = ctx.series["bar_x_m"], ctx.series["bar_y_m"]
    if lo is None or peak is None or fastest is None or not np.any(np.isfinite(x[lo : fastest + 1])):
        return {
            name: Metric.unavailable(unit, unit_reason)
            for name, unit in (
                ("first_pull_dx_m", "m"), ("second_pull_dx_m", "m"), ("bar_loop_m", "m"),
                ("first_pull_bar_angle_deg", "deg"), ("bar_path_type", ""),
            )
        }
    # x1: the most rearward bar position before peak velocity (Cunanan et al. 2020's "toward" shift).
    back = lo + int(np.nanargmin(x[lo : fastest + 1]))
    first_dx = float(x[back] - x[lo])
    front = back + int(np.nanargmax(x[back : peak + 1]))
    second_dx = float(x[front] - x[back])
    angle = float(np.degrees(np.arctan2(abs(first_dx), y[back] - y[lo])))
    out = {
        "first_pull_dx_m": Metric.of(first_dx, "m", c, unit_reason),
        "second_pull_dx_m": Metric.of(second_dx, "m", c, unit_reason),
        "first_pull_bar_angle_deg": Metric.of(angle, "deg", c, unit_reason),
    }
    if catch is None:
        out["bar_loop_m"] = Metric.unavailable("m", _missing("catch_end"))
    else:
        most_forward = float(np.nanmax(x[back : catch + 1]))
        out["bar_loop_m"] = Metric.of(most_forward - float(x[catch]), "m", c, _missing("catch_end"))
    out["bar_path_type"] = Metric(value=_path_type(x, lo, catch or peak), unit="", confidence=c)
    return out


def _path_type(x: np.ndarray, lo: int, stop: int) -> str:
    """Against a vertical line through the start: 'behind_line', 'crosses_line' or 'away_first'."""
    path = x[lo : stop + 1] - x[lo]
    path = path[np.isfinite(path)]
    ahead = np.flatnonzero(path > PATH_LINE_TOLERANCE_M)
    behind = np.flatnonzero(path < -PATH_LINE_TOLERANCE_M)
    if ahead.size and (not behind.size or ahead[0] < behind[0]):
        return "away_first"
    return "crosses_line" if ahead.size else "behind_line"


def timing_metrics(ctx: RepContext) -> dict[str, Metric]:
    c = ctx.confidence
    out = {
        "time_to_peak_velocity_s": Metric.of(
            _span(ctx, "start_of_lifting", "second_pull_end"), "s", c.bar_time, _missing("second_pull_end")
        )
    }
    knee_phases = {"first_pull", "transition", "second_pull"}
    for name, a, b in ctx.phases:
        conf = min(c.bar_time, c.pose) if name in knee_phases else c.bar_time
        out[f"{name}_duration_s"] = Metric.of(float(ctx.t_s[b] - ctx.t_s[a]), "s", conf, "")
    return out


def jerk_metrics(ctx: RepContext) -> dict[str, Metric]:
    c = ctx.confidence.bar_metric
    names = ("jerk_dip_start", "jerk_drive_start", "jerk_drive_end")
    dip, drive, drive_end = (ctx.events.get(k) for k in names)
    reason = _missing("jerk_dip_start", "jerk_drive_start", "jerk_drive_end")
    vy = ctx.series["bar_vy_mps"]
    depth = _at(ctx, "bar_y_m", "jerk_dip_start") - _at(ctx, "bar_y_m", "jerk_drive_start")
    dip_speed = float(-np.nanmin(vy[dip : drive + 1])) if dip is not None and drive is not None else np.nan
    drive_speed = float(vy[drive_end]) if drive_end is not None else float("nan")
    return {
        "jerk_dip_depth_m": Metric.of(depth, "m", c, reason),
        "jerk_dip_velocity_mps": Metric.of(dip_speed, "m/s", c, reason),
        "jerk_drive_velocity_mps": Metric.of(drive_speed, "m/s", c, reason),
    }


def rep_metrics(ctx: RepContext) -> dict[str, Metric]:
    """All metrics of one rep, seed names first."""
    out = seed_metrics(ctx)
    out.update(bar_path_metrics(ctx))
    out.update(timing_metrics(ctx))
    if ctx.exercise == "clean_and_jerk":
        out.update(jerk_metrics(ctx))
    return out
