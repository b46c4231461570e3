"""Hand-built report.json documents for the coach tests (format of the shared report contract).

clean_snatch_report() is a textbook snatch by a 1.75 m, 81 kg lifter: every value sits inside the
ranges the rules use, so no rule fires. Tests then break one thing at a time.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

FPS = 60.0
# event -> t_s (snatch)
EVENTS: dict[str, float] = {
    "start_of_lifting": 0.50, "first_pull_end": 1.00, "transition_end": 1.12, "second_pull_end": 1.27,
    "peak_bar_height": 1.52, "catch_end": 1.80, "recovery_end": 2.80,
}
PHASES = [("setup", 0.0, 0.50), ("first_pull", 0.50, 1.00), ("transition", 1.00, 1.12),
          ("second_pull", 1.12, 1.27), ("turnover", 1.27, 1.52), ("catch", 1.52, 1.80),
          ("recovery", 1.80, 2.80)]


def metric(value: float | str | None, unit: str, confidence: float = 0.9, reason: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"value": value, "unit": unit, "confidence": confidence}
    if value is None:
        out["reason"] = reason or "not measured"
    return out


def _series() -> dict[str, list[float | None]]:
    t = np.arange(0.0, 3.0, 1.0 / FPS)
    s = np.clip((t - 0.5) / 0.5, 0.0, 1.0)  # progress through the first pull
    bar_y = np.where(t <= 1.0, 0.30 * s, 0.30 + 0.90 * np.clip((t - 1.0) / 0.52, 0, 1))
    # hips rise 0.33 m while the bar rises 0.30 m in the first pull: ratio 1.1
    hip = 0.55 + 0.33 * s + 0.25 * np.clip((t - 1.0) / 0.27, 0, 1)
    elbow = np.full_like(t, 176.0)
    elbow[t > 1.30] = 90.0  # arms bend only in the turnover
    hip_angle = np.where(t < 1.12, 80 + 60 * s, 176.0)
    knee = np.where(t < 1.12, 70 + 80 * s, 172.0)
    cols: dict[str, np.ndarray] = {
        "t_s": t, "bar_x_m": np.zeros_like(t), "bar_y_m": bar_y, "hip_height_m": hip,
        "hip_vy_mps": np.gradient(hip, t), "shoulder_height_m": hip + 0.55,
        "torso_angle_deg": 40 + 10 * s, "shin_angle_deg": 70 + 20 * s,
        "lelb_angle_deg": elbow, "relb_angle_deg": elbow + 1.0,
        "lhip_angle_deg": hip_angle, "rhip_angle_deg": hip_angle,
        "lkne_angle_deg": knee, "rkne_angle_deg": knee + 3.0,
    }
    return {k: [round(float(v), 4) for v in arr] for k, arr in cols.items()}


def clean_snatch_report() -> dict[str, Any]:
    metrics = {
        "max_bar_speed": metric(1.85, "m/s"), "max_power": metric(2450.0, "W"),
        "max_GRF": metric(2150.0, "N", 0.7), "bar_past_the_knee_speed": metric(1.05, "m/s"),
        "bar_past_the_knee_acceleration": metric(4.2, "m/s^2"), "total_time": metric(2.3, "s"),
        "catch_time": metric(0.28, "s"), "barbell_weight": metric(90.0, "kg", 1.0),
        "scale": metric(0.0021, "m/px"), "mean_markers_validity": metric(0.93, "1"),
        "peak_bar_height_m": metric(1.30, "m"), "peak_bar_height_pct_height": metric(74.3, "%"),
        "drop_under_bar_m": metric(0.12, "m"), "bar_loop_m": metric(0.06, "m"),
        "first_pull_dx_m": metric(-0.06, "m"), "second_pull_dx_m": metric(0.05, "m"),
        "first_pull_bar_angle_deg": metric(9.0, "deg"), "time_to_peak_velocity_s": metric(0.77, "s"),
        "turnover_duration_s": metric(0.25, "s"), "bar_path_type": metric("behind_line", ""),
    }
    return {
        "liftlab_version": "0.1.0", "status": "done", "session_id": "s-test", "exercise": "snatch",
        "barbell_mass_kg": 90.0,
        "video": {"width_px": 1920, "height_px": 1080, "fps": FPS, "duration_s": 3.0, "n_frames": 180,
                  "rotation_deg": 0, "codec": "h264", "variable_frame_rate": False},
        "pose_model": "blazepose_full_cpu",
        "calibration": {"m_per_px": 0.0021, "plate_diameter_m": 0.45, "plate_radius_px": 107.0,
                        "yaw_deg": 6.0, "confidence": 0.9},
        "user": {"display_name": "Test Lifter", "body_mass_kg": 81.0, "height_m": 1.75, "age": 27,
                 "gender": "female"},
        "reps": [{
            "index": 0, "start_t_s": 0.5, "end_t_s": 2.8, "complete": True,
            "events": {name: {"t_s": t, "frame": round(t * FPS)} for name, t in EVENTS.items()},
            "phases": [{"name": n, "start_t_s": a, "end_t_s": b} for n, a, b in PHASES],
            "metrics": metrics,
        }],
        "primary_rep": 0, "warnings": [], "series": _series(), "artifacts": {}, "timings_s": {},
    }


def with_metric(report: dict[str, Any], name: str, value: float | str | None, unit: str,
                confidence: float = 0.9) -> dict[str, Any]:
    out = copy.deepcopy(report)
    out["reps"][0]["metrics"][name] = metric(value, unit, confidence)
    return out


def with_series(report: dict[str, Any], name: str, values: list[float | None]) -> dict[str, Any]:
    out = copy.deepcopy(report)
    out["series"][name] = values
    return out
