"""The rule-based coach's rules: each a threshold on measurements, with its source.

A rule returns None when its inputs are unreliable or missing (it is then silent), else an outcome
saying whether it fired. Thresholds on bar displacement are shares of the lifter's height (the
literature states them that way); without a height, REFERENCE_HEIGHT_M stands in (documented).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Literal

from pipelines.coach.measurements import LiftContext, Measurement

REFERENCE_HEIGHT_M: Final = 1.70

# Peak bar speed below which a lift is slow for the exercise (lower bound of the typical well-executed
# competition range; biomechanics.md: snatch 1.7-2.0 m/s, clean 1.3-1.7 m/s, marked unverified there).
MIN_PEAK_SPEED_MPS: Final[dict[str, float]] = {"snatch": 1.7, "clean": 1.3, "clean_and_jerk": 1.3}
HIP_TO_BAR_RISE_MAX: Final = 1.3  # hips may rise 30 % more than the bar before the back angle opens up
MIN_ELBOW_ANGLE_DEG: Final = 155.0  # straight arm ~175-180 deg; markerless elbow error ~10 deg
SECOND_PULL_DX_MAX_PCT: Final = 8.0  # Cunanan 2020: away from the lifter in the second pull 2-8 % height
BAR_LOOP_MAX_PCT: Final = 7.0  # Cunanan 2020: loop 2-7 % height
DROP_UNDER_MAX_PCT: Final = 15.0  # Cunanan 2020: drop from peak to catch 4-15 % height
MIN_HIP_EXTENSION_DEG: Final = 160.0  # full extension ~175-180 deg; markerless RMSD 13.6 deg (Thiele 2024)
MAX_TURNOVER_S: Final = 0.35  # snatch turnover 0.2-0.35 s (biomechanics.md, unverified)
MAX_KNEE_ASYMMETRY_DEG: Final = 15.0  # side-on knee error -2.3 +/- 6.4 deg (Cosoli 2026)
MAX_CAMERA_YAW_DEG: Final = 15.0  # the pipeline's side-on limit (camera_not_side_on warning)
CAMERA_WARNING_CODES: Final = ("camera_not_side_on", "camera_off_axis", "camera_yaw")

Severity = Literal["fault", "caveat"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """fired: the threshold was crossed. values: SI (value, unit) shown in texts; metrics: inputs."""

    fired: bool
    metrics: tuple[str, ...]
    values: dict[str, tuple[float, str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    keys: tuple[str, ...]  # the threads (summary blocks, recommendation metrics) it speaks in
    source: str
    check: Callable[[dict[str, Measurement], LiftContext], Outcome | None]


def _num(ms: dict[str, Measurement], name: str) -> float | None:
    m = ms.get(name)
    return m.number() if m is not None else None


def _height(ctx: LiftContext) -> float:
    return ctx.height_m if ctx.height_m is not None else REFERENCE_HEIGHT_M


def _above_pct_of_height(ms: dict[str, Measurement], ctx: LiftContext, name: str,
                         pct: float) -> Outcome | None:
    value = _num(ms, name)
    if value is None:
        return None
    limit_m = pct / 100.0 * _height(ctx)
    return Outcome(value > limit_m, (name,), {"value": (value, "m"), "limit": (limit_m, "m"),
                                              "pct": (pct, "%")})


def low_peak_velocity(ms: dict[str, Measurement], ctx: LiftContext) -> Outcome | None:
    speed = _num(ms, "max_bar_speed")
    limit = MIN_PEAK_SPEED_MPS.get(ctx.exercise)
    if speed is None or limit is None:
        return None
    return Outcome(speed < limit, ("max_bar_speed",), {"value": (speed, "m/s"), "limit": (limit, "m/s")})


def hips_rise_first(ms: dict[str, Measurement], ctx: LiftContext) -> Outcome | None:
    ratio = _num(ms, "hip_to_bar_rise_ratio")
    hip, bar = _num(ms, "hip_rise_first_pull_m"), _num(ms, "bar_rise_first_pull_m")
    if ratio is None or hip is None or bar is None:
        return None
    return Outcome(ratio > HIP_TO_BAR_RISE_MAX, ("hip_to_bar_rise_ratio",),
                   {"hip": (hip, "m"), "bar": (bar, "m"), "ratio": (ratio, "1"),
                    "limit": (HIP_TO_BAR_RISE_MAX, "1")})


def early_arm_bend(ms: dict[str, Measurement], ctx: LiftContext) -> Outcome | None:
    angle = _num(ms, "min_elbow_angle_pull_deg")
    if angle is None:
        return None
    return Outcome(angle < MIN_ELBOW_ANGLE_DEG, ("min_elbow_angle_pull_deg",),
                   {"value": (angle, "deg"), "limit": (MIN_ELBOW_ANGLE_DEG, "deg")})


def bar_forward_second_pull(ms: dict[str, Measurement], ctx: LiftContext) -> Outcome | None:
    return _above_pct_of_height(ms, ctx, "second_pull_dx_m", SECOND_PULL_DX_MAX_PCT)


def big_loop(ms: dict[str, Measurement], ctx: LiftContext) -> Outcome | None:
    return _above_pct_of_height(ms, ctx, "bar_loop_m", BAR_LOOP_MAX_PCT)


def bar_crash(ms: dict[str, Measurement], ctx: LiftContext) -> Outcome | None:
    return _above_pct_of_height(ms, ctx, "drop_under_bar_m", DROP_UNDER_MAX_PCT)


def incomplete_extension(ms: dict[str, Measurement], ctx: LiftContext) -> Outcome | None:
    angle = _num(ms, "hip_angle_extension_deg")
    if angle is None:
        return None
    return Outcome(angle < MIN_HIP_EXTENSION_DEG, ("hip_angle_extension_deg",),
                   {"value": (angle, "deg"), "limit": (MIN_HIP_EXTENSION_DEG, "deg")})


def slow_turnover(ms: dict[str, Measurement], ctx: LiftContext) -> Outcome | None:
    duration = _num(ms, "turnover_duration_s")
    if duration is None:
        return None
    return Outcome(duration > MAX_TURNOVER_S, ("turnover_duration_s",),
                   {"value": (duration, "s"), "limit": (MAX_TURNOVER_S, "s")})


def knee_asymmetry(ms: dict[str, Measurement], ctx: LiftContext) -> Outcome | None:
    diff = _num(ms, "knee_asymmetry_deg")
    if diff is None:
        return None
    return Outcome(diff > MAX_KNEE_ASYMMETRY_DEG, ("knee_asymmetry_deg",),
                   {"value": (diff, "deg"), "limit": (MAX_KNEE_ASYMMETRY_DEG, "deg")})


def camera_off_axis(ms: dict[str, Measurement], ctx: LiftContext) -> Outcome | None:
    warned = any(code in CAMERA_WARNING_CODES for code in ctx.warning_codes)
    if ctx.camera_yaw_deg is None:
        return Outcome(True, (), {}) if warned else None
    yaw = abs(ctx.camera_yaw_deg)
    return Outcome(warned or yaw > MAX_CAMERA_YAW_DEG, (),
                   {"value": (yaw, "deg"), "limit": (MAX_CAMERA_YAW_DEG, "deg")})


_CUNANAN = "Cunanan et al. 2020, Sports 8(9):118 (snatch bar path ranges)"
# Off-axis filming skews horizontal bar movement and joint angles; vertical speeds and heights much less.
_CAMERA_KEYS: Final = (
    "stability", "final_summary", "barbell_trajectory", "shin_angle", "torso_angle", "hip_angle",
    "knee_angle",
)

# Order = priority when a text has room for only one or two cues.
RULES: Final[tuple[Rule, ...]] = (
    Rule("hips_rise_first", "fault", ("hip_height", "hip_velocity", "torso_angle", "final_summary"),
         "coaching consensus: back angle held through the first pull (Everett, Olympic Weightlifting, "
         "3rd ed.); threshold set by liftlab", hips_rise_first),
    Rule("bar_forward_second_pull", "fault", ("barbell_trajectory", "stability", "hip_angle",
                                              "final_summary"), _CUNANAN, bar_forward_second_pull),
    Rule("early_arm_bend", "fault", ("power_output", "barbell_trajectory", "vertical_shoulder_height",
                                     "final_summary"),
         "coaching consensus: arms long until full extension (USA Weightlifting coaching course); "
         "margin for markerless elbow error", early_arm_bend),
    Rule("incomplete_extension", "fault", ("hip_angle", "power_output", "power", "final_summary"),
         "coaching consensus: finish at full hip and knee extension; margin from Thiele 2024 "
         "(markerless RMSD 13.6 deg)", incomplete_extension),
    Rule("bar_crash", "fault", ("bar_height", "stability", "final_summary"), _CUNANAN, bar_crash),
    Rule("slow_turnover", "fault", ("bar_height", "velocity", "final_summary"),
         "snatch phase durations, turnover 0.2-0.35 s (literature summary in liftlab notes, unverified)",
         slow_turnover),
    Rule("big_loop", "fault", ("barbell_trajectory", "stability"), _CUNANAN, big_loop),
    Rule("low_peak_velocity", "fault", ("barbell_velocity", "velocity", "final_summary"),
         "typical peak bar speed, snatch 1.7-2.0 m/s, clean 1.3-1.7 m/s (literature summary, unverified)",
         low_peak_velocity),
    Rule("knee_asymmetry", "fault", ("knee_angle", "final_summary"),
         "markerless knee-angle error side-on -2.3 +/- 6.4 deg (Cosoli 2026); threshold set by liftlab",
         knee_asymmetry),
    Rule("camera_off_axis", "caveat", _CAMERA_KEYS,
         "plate ellipse yaw from calibration; off-axis pose error (Cosoli 2026)", camera_off_axis),
)
RULES_BY_ID: Final[dict[str, Rule]] = {r.id: r for r in RULES}


@dataclass(frozen=True, slots=True)
class Flag:
    rule: Rule
    outcome: Outcome


def evaluate(ms: dict[str, Measurement], ctx: LiftContext) -> list[Flag]:
    """The rules that fired, in priority order."""
    flags = []
    for rule in RULES:
        outcome = rule.check(ms, ctx)
        if outcome is not None and outcome.fired:
            flags.append(Flag(rule, outcome))
    return flags
