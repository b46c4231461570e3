"""Measurements the coach reasons about, read from report.json (SI units).

Two kinds: the primary rep's metrics as the pipeline reported them, and a few quantities the coach
derives from the per-frame series between the rep's events (hip vs bar rise in the first pull, arm bend
before the finish, hip extension, knee asymmetry ...). A measurement that cannot be taken honestly is
kept with value None and a reason, never guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

G_MPS2 = 9.81
# Below this confidence a measurement is treated as unreliable: no rule uses it, no text cites it.
MIN_CONFIDENCE = 0.5
# Measurements whose sign or meaning needs the lifter's facing direction (x points to the lifter's front).
HORIZONTAL: tuple[str, ...] = ("first_pull_dx_m", "second_pull_dx_m", "bar_loop_m", "bar_path_type")
# A derived measurement needs at least this many valid frames in its window.
MIN_FRAMES = 3


@dataclass(frozen=True, slots=True)
class Measurement:
    """One value of the primary rep. value is SI (float), a label (str), or None with a reason."""

    name: str
    value: float | str | None
    unit: str
    confidence: float
    phase: str | None = None
    reason: str = ""

    @property
    def reliable(self) -> bool:
        return self.value is not None and self.confidence >= MIN_CONFIDENCE

    def number(self) -> float | None:
        """The value as a float when it is a reliable number, else None."""
        if not self.reliable or isinstance(self.value, str) or self.value is None:
            return None
        return float(self.value)


@dataclass(frozen=True, slots=True)
class LiftContext:
    exercise: str
    height_m: float | None
    body_mass_kg: float | None
    barbell_mass_kg: float | None
    camera_yaw_deg: float | None
    warning_codes: tuple[str, ...]


# Which phase each reported metric belongs to (for the findings document).
METRIC_PHASES: dict[str, str] = {
    "max_bar_speed": "second_pull", "max_power": "second_pull", "max_GRF": "second_pull",
    "bar_past_the_knee_speed": "first_pull", "bar_past_the_knee_acceleration": "first_pull",
    "first_pull_dx_m": "first_pull", "first_pull_bar_angle_deg": "first_pull",
    "second_pull_dx_m": "second_pull", "time_to_peak_velocity_s": "second_pull",
    "peak_bar_height_m": "turnover", "peak_bar_height_pct_height": "turnover",
    "drop_under_bar_m": "catch", "catch_time": "catch", "bar_loop_m": "turnover",
}


def lift_context(report: dict[str, Any]) -> LiftContext:
    user = report.get("user") or {}
    calibration = report.get("calibration") or {}
    return LiftContext(
        exercise=str(report.get("exercise", "snatch")),
        height_m=_positive(user.get("height_m")),
        body_mass_kg=_positive(user.get("body_mass_kg")),
        barbell_mass_kg=_positive(report.get("barbell_mass_kg")),
        camera_yaw_deg=_finite(calibration.get("yaw_deg")),
        warning_codes=tuple(str(w.get("code", "")) for w in report.get("warnings") or []),
    )


def primary_rep(report: dict[str, Any]) -> dict[str, Any] | None:
    """The rep report.json names as primary (matched on its index), else the first complete one."""
    reps: list[dict[str, Any]] = list(report.get("reps") or [])
    wanted = report.get("primary_rep")
    for rep in reps:
        if wanted is not None and rep.get("index") == wanted:
            return rep
    complete = [r for r in reps if r.get("complete")]
    return complete[0] if complete else (reps[0] if reps else None)


def measure(report: dict[str, Any]) -> dict[str, Measurement]:
    """All measurements of the primary rep, keyed by name; empty when the report has no rep."""
    rep = primary_rep(report)
    if rep is None:
        return {}
    out: dict[str, Measurement] = {}
    for name, m in (rep.get("metrics") or {}).items():
        value = m.get("value")
        if isinstance(value, float | int) and not isinstance(value, bool):
            value = float(value) if math.isfinite(value) else None
        out[name] = Measurement(
            name=name, value=value, unit=str(m.get("unit", "")),
            confidence=float(m.get("confidence", 0.0)) if value is not None else 0.0,
            phase=METRIC_PHASES.get(name, _phase_from_name(name)),
            reason=str(m.get("reason", "")) if value is None else "",
        )
    ctx = lift_context(report)
    if "facing_unknown" in ctx.warning_codes:  # forward and back may be swapped: say nothing about them
        for name in HORIZONTAL:
            if name in out:
                out[name] = Measurement(name, None, out[name].unit, 0.0, out[name].phase,
                                        "lifter's facing direction unknown")
    series = _Series(report.get("series") or {}, rep.get("events") or {})
    for derived in _derived(series, ctx, out):
        out[derived.name] = derived
    return out


def _derived(s: _Series, ctx: LiftContext, metrics: dict[str, Measurement]) -> list[Measurement]:
    hip_rise = s.change("hip_height_m", "start_of_lifting", "first_pull_end", "hip_rise_first_pull_m")
    bar_rise = s.change("bar_y_m", "start_of_lifting", "first_pull_end", "bar_rise_first_pull_m")
    out = [hip_rise, bar_rise, _ratio(hip_rise, bar_rise, "hip_to_bar_rise_ratio", "first_pull")]
    out.append(s.at("torso_angle_deg", "start_of_lifting", "torso_angle_start_deg", "setup"))
    out.append(s.at("torso_angle_deg", "first_pull_end", "torso_angle_first_pull_end_deg", "first_pull"))
    out.append(s.at("shin_angle_deg", "start_of_lifting", "shin_angle_start_deg", "setup"))
    out.append(s.at("shin_angle_deg", "first_pull_end", "shin_angle_first_pull_end_deg", "first_pull"))
    out.append(s.reduce(("lelb_angle_deg", "relb_angle_deg"), "start_of_lifting", "transition_end",
                        out="min_elbow_angle_pull_deg", how="min", phase="transition"))
    out.append(s.reduce(("lhip_angle_deg", "rhip_angle_deg"), "transition_end", "peak_bar_height",
                        out="hip_angle_extension_deg", how="max", phase="second_pull"))
    out.append(s.reduce(("lkne_angle_deg", "rkne_angle_deg"), "transition_end", "peak_bar_height",
                        out="knee_angle_extension_deg", how="max", phase="second_pull"))
    out.append(s.knee_asymmetry("start_of_lifting", "second_pull_end"))
    out.append(s.reduce(("hip_vy_mps",), "start_of_lifting", "second_pull_end",
                        out="peak_hip_vy_mps", how="max", phase="second_pull"))
    out.append(s.change("shoulder_height_m", "start_of_lifting", "second_pull_end",
                        "shoulder_rise_pull_m", "second_pull"))
    out.append(_per(metrics.get("max_power"), ctx.body_mass_kg, 1.0, "max_power_per_kg", "W/kg"))
    out.append(_per(metrics.get("max_GRF"), ctx.body_mass_kg, G_MPS2, "max_GRF_body_weights",
                    "x body weight"))
    return out


class _Series:
    """report.json's per-frame columns between two named events of the rep."""

    def __init__(self, columns: dict[str, list[float | None]], events: dict[str, dict[str, Any]]):
        self.columns = columns
        self.events = events
        self.t_s = self.column("t_s")

    def column(self, name: str) -> np.ndarray | None:
        raw = self.columns.get(name)
        if raw is None:
            return None
        return np.array([np.nan if v is None else float(v) for v in raw], dtype=np.float64)

    def index(self, event: str) -> int | None:
        if self.t_s is None or event not in self.events or not np.isfinite(self.t_s).any():
            return None
        return int(np.nanargmin(np.abs(self.t_s - float(self.events[event]["t_s"]))))

    def window(self, names: tuple[str, ...], start: str, end: str) -> tuple[np.ndarray | None, str]:
        """(n_frames, len(names)) values from event start to event end inclusive, or None and why."""
        i0, i1 = self.index(start), self.index(end)
        missing = [e for e, i in ((start, i0), (end, i1)) if i is None]
        if missing:
            return None, f"event {missing[0]} not detected"
        cols = [self.column(n) for n in names]
        if all(c is None for c in cols):
            return None, f"series {names[0]} not in the report"
        assert i0 is not None and i1 is not None
        n = len(self.t_s) if self.t_s is not None else 0
        stacked = np.stack([c if c is not None else np.full(n, np.nan) for c in cols], axis=1)
        return stacked[i0 : i1 + 1], ""

    def at(self, name: str, event: str, out: str, phase: str) -> Measurement:
        values, why = self.window((name,), event, event)
        if values is None or not np.isfinite(values).any():
            return _unavailable(out, _unit(out), phase, why or f"{name} not measured at {event}")
        return Measurement(out, float(values[0, 0]), _unit(out), 1.0, phase)

    def change(self, name: str, start: str, end: str, out: str, phase: str = "first_pull") -> Measurement:
        a, b = self.at(name, start, out, phase), self.at(name, end, out, phase)
        if a.value is None or b.value is None:
            return a if a.value is None else b
        return Measurement(out, float(b.value) - float(a.value), "m", 1.0, phase)  # type: ignore[arg-type]

    def reduce(self, names: tuple[str, ...], start: str, end: str, *, out: str, how: str,
               phase: str) -> Measurement:
        """min or max over the window of the per-frame mean of the available sides."""
        values, why = self.window(names, start, end)
        if values is None:
            return _unavailable(out, _unit(out), phase, why)
        valid_rows = np.isfinite(values).any(axis=1)
        if int(valid_rows.sum()) < MIN_FRAMES:
            why = f"{names[0]} measured in fewer than {MIN_FRAMES} frames"
            return _unavailable(out, _unit(out), phase, why)
        per_frame = np.nanmean(values[valid_rows], axis=1)
        value = float(per_frame.min() if how == "min" else per_frame.max())
        return Measurement(out, value, _unit(out), float(valid_rows.mean()), phase)

    def knee_asymmetry(self, start: str, end: str) -> Measurement:
        out = "knee_asymmetry_deg"
        values, why = self.window(("lkne_angle_deg", "rkne_angle_deg"), start, end)
        if values is None:
            return _unavailable(out, "deg", "first_pull", why)
        both = np.isfinite(values).all(axis=1)
        if int(both.sum()) < MIN_FRAMES:
            return _unavailable(out, "deg", "first_pull", "both knees visible in fewer than 3 frames")
        diff = np.abs(values[both, 0] - values[both, 1])
        return Measurement(out, float(np.median(diff)), "deg", float(both.mean()), "first_pull")


def _unit(name: str) -> str:
    if name.endswith("_deg"):
        return "deg"
    if name.endswith("_mps"):
        return "m/s"
    return "m" if name.endswith("_m") else "1"


def _unavailable(name: str, unit: str, phase: str | None, reason: str) -> Measurement:
    return Measurement(name, None, unit, 0.0, phase, reason)


def _ratio(num: Measurement, den: Measurement, name: str, phase: str) -> Measurement:
    a, b = num.number(), den.number()
    if a is None or b is None:
        return _unavailable(name, "1", phase, num.reason or den.reason)
    if b < 0.05:  # the bar barely rose: a ratio would be noise
        return _unavailable(name, "1", phase, "bar rose less than 5 cm in the first pull")
    return Measurement(name, a / b, "1", min(num.confidence, den.confidence), phase)


def _per(metric: Measurement | None, body_mass_kg: float | None, scale: float, name: str,
         unit: str) -> Measurement:
    value = metric.number() if metric is not None else None
    if metric is None or value is None:
        return _unavailable(name, unit, "second_pull", "metric not available")
    if body_mass_kg is None:
        return _unavailable(name, unit, metric.phase, "body mass not in the user profile")
    return Measurement(name, value / (body_mass_kg * scale), unit, metric.confidence, metric.phase)


def _phase_from_name(name: str) -> str | None:
    for phase in ("first_pull", "second_pull", "transition", "turnover", "catch", "recovery", "setup",
                  "jerk_dip", "jerk_drive", "jerk_split", "jerk_recovery"):
        if name.startswith(phase):
            return phase
    return None


def _positive(value: Any) -> float | None:
    v = _finite(value)
    return v if v is not None and v > 0 else None


def _finite(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None
