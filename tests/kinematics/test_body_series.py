"""Body series from a stick figure with known geometry, and confidence/warning inputs."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.metrics.analyze import BodyProfile, analyze_lift
from pipelines.metrics.confidence import yaw_factor
from pipelines.types import Calibration
from tests.phases.lift_builder import build_clip


def test_heights_and_angles_of_the_stick_figure_at_rest() -> None:
    pose, bar, calib, _ = build_clip()
    a = analyze_lift(pose, bar, calib, "snatch", 100.0, BodyProfile(80.0, 1.75), ["all"])
    s = a.series
    i = 30  # t = 0.5 s: set position, knee 80 deg, shin 20 deg forward, trunk 30 deg forward
    thigh_deg = 20.0 - (180.0 - 80.0)
    hip_m = 0.08 + 0.45 * np.cos(np.radians(20.0)) + 0.45 * np.cos(np.radians(thigh_deg))
    assert s["hip_height_m"][i] == pytest.approx(hip_m, abs=0.003)
    shoulder_m = hip_m + 0.55 * np.cos(np.radians(30.0))
    assert s["shoulder_height_m"][i] == pytest.approx(shoulder_m, abs=0.003)
    assert s["torso_angle_deg"][i] == pytest.approx(30.0, abs=0.2)
    assert s["shin_angle_deg"][i] == pytest.approx(20.0, abs=0.2)
    assert s["lkne_angle_deg"][i] == pytest.approx(80.0, abs=0.2)
    assert s["rhip_angle_deg"][i] == pytest.approx(180.0 - (30.0 - thigh_deg), abs=0.2)
    assert s["hip_vy_mps"][i] == pytest.approx(0.0, abs=1e-3)
    assert 0.3 < s["com_y_m"][i] < shoulder_m


def test_side_on_camera_costs_nothing_and_yaw_lowers_confidence_with_a_warning() -> None:
    assert yaw_factor(5.0) == 1.0
    assert yaw_factor(35.0) == pytest.approx(0.65)
    assert yaw_factor(90.0) == pytest.approx(0.3)
    pose, bar, calib, _ = build_clip()
    skewed = Calibration(
        calib.m_per_px, calib.plate_diameter_m, calib.plate_radius_px, yaw_deg=35.0, confidence=0.95
    )
    body = BodyProfile(80.0, 1.75)
    straight = analyze_lift(pose, bar, calib, "snatch", 100.0, body, ["all"]).reps[0].metrics
    turned = analyze_lift(pose, bar, skewed, "snatch", 100.0, body, ["all"])
    assert "camera_not_side_on" in [w.code for w in turned.warnings]
    ratio = turned.reps[0].metrics["max_bar_speed"].confidence / straight["max_bar_speed"].confidence
    assert ratio == pytest.approx(0.65, abs=0.01)
    assert turned.reps[0].metrics["total_time"].confidence == straight["total_time"].confidence
