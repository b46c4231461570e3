"""Entry point of the kinematics stage: one clip's pose and bar tracks in, a LiftAnalysis out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipelines.errors import AnalysisError
from pipelines.kinematics.angles import ANGLE_COLUMNS, selected_codes
from pipelines.kinematics.bar import BarMotion, bar_motion, bar_power_w, bar_valid
from pipelines.kinematics.body import BodySeries, body_series
from pipelines.kinematics.com import ground_reaction_force_n
from pipelines.kinematics.frame import MetricFrame, build_frame
from pipelines.metrics.confidence import rep_confidence
from pipelines.metrics.model import BodyProfile, Event, LiftAnalysis, LiftWarning, Phase, Rep
from pipelines.metrics.rep_metrics import RepContext, rep_metrics
from pipelines.metrics.tables import kinematics_table, phases_table, report_sections
from pipelines.metrics.warnings import clip_warnings
from pipelines.phases.events import (
    EXERCISES,
    LiftSignals,
    bar_past_knee,
    lift_events,
    phase_bounds,
    required_events,
)
from pipelines.phases.reps import LiftWindow, find_lifts, floor_level_m
from pipelines.types import BarTrack, Calibration, PoseTrack

__all__ = [
    "BodyProfile",
    "LiftAnalysis",
    "LiftWarning",
    "analyze_lift",
    "kinematics_table",
    "phases_table",
    "report_sections",
]


def analyze_lift(
    pose: PoseTrack,
    bar: BarTrack,
    calib: Calibration | None,
    exercise: str,
    barbell_mass_kg: float,
    body: BodyProfile,
    joint_angles: Sequence[str],
) -> LiftAnalysis:
    """Kinematics, reps, events, phases and metrics of one clip (pose and bar share the frames)."""
    if exercise not in EXERCISES:
        raise AnalysisError(f"kinematics: exercise must be one of {EXERCISES}, got {exercise!r}")
    if pose.n_frames != bar.t_s.shape[0]:
        raise AnalysisError(f"kinematics: pose has {pose.n_frames} frames, bar track {bar.t_s.shape[0]}")
    if not np.isfinite(barbell_mass_kg) or barbell_mass_kg <= 0:
        raise AnalysisError(f"kinematics: barbell mass must be positive, got {barbell_mass_kg}")
    t_s = bar.t_s.astype(float)
    frame = build_frame(pose, bar, calib)
    motion = bar_motion(bar, frame)
    raw_h_m = _raw_height_m(bar, frame)
    lifts = find_lifts(
        t_s, motion.y_m, raw_h_m, motion.vy_mps, motion.speed_mps, lifter_height_m=body.height_m
    )
    rest_m = floor_level_m(motion.y_m)
    x0_m = _origin_x(motion, lifts)
    floor_m = rest_m - 0.5 * frame.plate_diameter_m  # the plates stand on the floor at rest
    motion = motion.with_origin(x0_m, rest_m)
    female = (body.sex or "").lower() == "female"
    bodys = body_series(pose, frame, floor_m, female)
    series = _series(t_s, motion, bodys, barbell_mass_kg, selected_codes(list(joint_angles)))
    signals = LiftSignals(
        t_s=t_s,
        h_m=motion.y_m,
        vy_mps=motion.vy_mps,
        knee_angle_deg=bodys.knee_angle_deg,
        knee_h_m=bodys.knee_height_m - 0.5 * frame.plate_diameter_m,
        raw_h_m=raw_h_m - rest_m,
    )
    reps = [
        _rep(
            index=i, lift=lift, signals=signals, series=series, pose=pose, bar=bar, frame=frame,
            exercise=exercise, barbell_mass_kg=barbell_mass_kg, body=body, bodys=bodys,
        )
        for i, lift in enumerate(lifts)
    ]
    complete = [r.index for r in reps if r.complete]
    primary = complete[0] if complete else (reps[0].index if reps else None)
    _label_frames(series, reps)
    warnings = clip_warnings(
        pose=pose, bar=bar, calib=calib, frame=frame, body=body, reps=reps, exercise=exercise
    )
    return LiftAnalysis(
        exercise=exercise,
        series=series,
        reps=reps,
        primary_rep=primary,
        warnings=warnings,
        bar_cutoff_hz=motion.cutoff_hz,
        body_cutoff_hz=bodys.cutoff_hz,
    )


def _raw_height_m(bar: BarTrack, frame: MetricFrame) -> np.ndarray:
    """(n,) unfiltered bar height (absolute frame, y up), NaN where lost or without scale."""
    valid = bar_valid(bar) & frame.has_scale
    return np.where(valid, -bar.y_px * frame.m_per_px, np.nan)


def _origin_x(motion: BarMotion, lifts: list[LiftWindow]) -> float:
    """The bar's x at the first lift-off (else its first known x): the origin of bar_x_m."""
    known = np.flatnonzero(np.isfinite(motion.x_m))
    if not known.size:
        return float("nan")
    if lifts:
        after = known[known >= lifts[0].liftoff]
        return float(motion.x_m[after[0] if after.size else known[-1]])
    return float(motion.x_m[known[0]])


def _series(
    t_s: np.ndarray, m: BarMotion, b: BodySeries, barbell_mass_kg: float, codes: set[str]
) -> dict[str, np.ndarray]:
    n = t_s.shape[0]
    out: dict[str, np.ndarray] = {
        "t_s": t_s,
        "frame": np.arange(n, dtype=np.int32),
        "rep_index": np.full(n, -1, dtype=np.int32),
        "phase": np.full(n, "", dtype=object),
        "bar_x_m": m.x_m,
        "bar_y_m": m.y_m,
        "bar_vx_mps": m.vx_mps,
        "bar_vy_mps": m.vy_mps,
        "bar_speed_mps": m.speed_mps,
        "bar_ax_mps2": m.ax_mps2,
        "bar_ay_mps2": m.ay_mps2,
        "bar_power_w": bar_power_w(m, barbell_mass_kg),
        "grf_n": np.full(n, np.nan),  # filled per rep, where the lifter alone holds the bar
        "com_y_m": b.com_y_m,
        "hip_height_m": b.hip_height_m,
        "hip_vy_mps": b.hip_vy_mps,
        "shoulder_height_m": b.shoulder_height_m,
        "torso_angle_deg": b.torso_angle_deg,
        "shin_angle_deg": b.shin_angle_deg,
    }
    for column in ANGLE_COLUMNS:
        chosen = column[1:4] in codes
        out[column] = b.angles_deg[column] if chosen else np.full(n, np.nan)
    return out


def _rep(
    *,
    index: int,
    lift: LiftWindow,
    signals: LiftSignals,
    series: dict[str, np.ndarray],
    pose: PoseTrack,
    bar: BarTrack,
    frame: MetricFrame,
    exercise: str,
    barbell_mass_kg: float,
    body: BodyProfile,
    bodys: BodySeries,
) -> Rep:
    t_s = signals.t_s
    found = lift_events(signals, lift, exercise)
    complete = all(name in found for name in required_events(exercise))
    end = max(found.values()) if complete else lift.end
    if body.body_mass_kg is not None:
        span = slice(lift.liftoff, end + 1)
        series["grf_n"][span] = ground_reaction_force_n(
            body.body_mass_kg, bodys.com_ay_mps2[span], barbell_mass_kg, series["bar_ay_mps2"][span]
        )
    bounds = phase_bounds(found, lift.setup_start)
    fastest = found.get("second_pull_end", lift.end)
    ctx = RepContext(
        t_s=t_s,
        series=series,
        events=found,
        phases=bounds,
        end=end,
        exercise=exercise,
        confidence=rep_confidence(pose, bar, frame, lift.liftoff, end),
        barbell_mass_kg=barbell_mass_kg,
        body=body,
        m_per_px=frame.m_per_px,
        scale_confidence=frame.scale_confidence,
        plate_diameter_m=frame.plate_diameter_m,
        markers_validity=float(np.mean(pose.visibility[lift.setup_start : end + 1])),
        knee_pass=bar_past_knee(signals, lift.liftoff, fastest),
    )
    ordered = sorted(found.items(), key=lambda kv: kv[1])
    return Rep(
        index=index,
        start_t_s=float(t_s[lift.setup_start]),
        end_t_s=float(t_s[end]),
        complete=complete,
        events={name: Event(t_s=float(t_s[i]), frame=int(i)) for name, i in ordered},
        phases=[Phase(name, float(t_s[a]), float(t_s[b])) for name, a, b in bounds],
        metrics=rep_metrics(ctx),
        start_frame=lift.setup_start,
        end_frame=end,
    )


def _label_frames(series: dict[str, np.ndarray], reps: list[Rep]) -> None:
    """Fill rep_index and phase per frame (a frame on a boundary belongs to the later phase)."""
    t_s = series["t_s"]
    for rep in reps:
        series["rep_index"][rep.start_frame : rep.end_frame + 1] = rep.index
        for phase in rep.phases:
            inside = (t_s >= phase.start_t_s) & (t_s <= phase.end_t_s)
            series["phase"][inside] = phase.name



