"""A report.json-shaped dict (the shared format) built from the disc clip's hand-made kinematics."""

from __future__ import annotations

import math

import numpy as np

from tests.render.conftest import DiscClip


def sample_report(clip: DiscClip, series: dict[str, np.ndarray], phases: list[dict]) -> dict:
    t = clip.t_s
    n = t.size
    angle = 120 + 40 * np.sin(np.pi * t / t[-1])
    full = {
        **series,
        "bar_x_m": (clip.centre_xy_px[:, 0] - clip.centre_xy_px[0, 0]) * 0.006,
        "bar_power_w": 100 * 9.81 * series["bar_vy_mps"],
        "lkne_angle_deg": angle,
        "lhip_angle_deg": angle - 30,
        "frame": np.arange(n, dtype=float),
    }
    series_json = {k: [None if not math.isfinite(v) else float(v) for v in vals] for k, vals in full.items()}
    events = {
        "start_of_lifting": {"t_s": float(t[3]), "frame": 3},
        "peak_bar_height": {"t_s": float(t[37]), "frame": 37},
    }
    return {
        "liftlab_version": "0.1.0",
        "status": "done",
        "session_id": "s1",
        "exercise": "snatch",
        "barbell_mass_kg": 100.0,
        "video": {
            "width_px": 640,
            "height_px": 360,
            "fps": 30.0,
            "duration_s": clip.duration_s,
            "n_frames": n,
            "rotation_deg": 0,
            "codec": "h264",
            "variable_frame_rate": False,
        },
        "pose_model": "blazepose_full_cpu",
        "calibration": {
            "m_per_px": 0.00625,
            "plate_diameter_m": 0.45,
            "plate_radius_px": 36.0,
            "yaw_deg": 25.0,
            "confidence": 0.6,
        },
        "user": {"display_name": None, "body_mass_kg": 80.0, "height_m": None, "age": None, "gender": None},
        "reps": [
            {
                "index": 0,
                "start_t_s": 0.1,
                "end_t_s": float(t[-5]),
                "complete": True,
                "events": events,
                "phases": phases,
                "metrics": {
                    "max_bar_speed": {
                        "value": float(np.max(series["bar_speed_mps"])),
                        "unit": "m/s",
                        "confidence": 0.8,
                    },
                    "max_power": {"value": 1234.5, "unit": "W", "confidence": 0.7},
                    "peak_bar_height_m": {"value": 1.1, "unit": "m", "confidence": 0.8},
                    "max_GRF": {"value": None, "unit": "N", "confidence": 0.0, "reason": "body mass unknown"},
                    "bar_path_type": {"value": "type 2 (S-curve)", "unit": "", "confidence": 0.5},
                    "barbell_weight": {"value": 100.0, "unit": "kg", "confidence": 1.0},
                },
            }
        ],
        "primary_rep": 0,
        "warnings": [
            {"code": "calibration_uncertain", "message": "plate seen at 25 deg yaw: <scale> less certain"}
        ],
        "series": series_json,
        "coaching": {"summary": "Bar stays close in the first pull.", "second_pull": "Finish the extension."},
        "artifacts": {"keyframes": {}},
        "timings_s": {"render": 1.0},
    }
