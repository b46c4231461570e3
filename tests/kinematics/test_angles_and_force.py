"""Joint angles from known geometry; power and force on a constant-acceleration lift."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.kinematics.angles import angle_to_vertical_deg, interior_angle_deg, selected_codes
from pipelines.kinematics.bar import G_MPS2, bar_motion, bar_power_w
from pipelines.kinematics.com import ground_reaction_force_n
from pipelines.kinematics.frame import MetricFrame
from pipelines.types import BarTrack


def test_interior_angles_of_known_triangles() -> None:
    a = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    v = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 0.0]])
    b = np.array([[2.0, 0.0], [1.0, 1.0], [-1.0, 1.0]])
    np.testing.assert_allclose(interior_angle_deg(a, v, b), [180.0, 90.0, 90.0], atol=1e-9)


def test_segment_angle_to_vertical_is_signed_by_facing() -> None:
    lower = np.array([[0.0, 100.0]])
    upper = np.array([[10.0, 90.0]])  # up and to the image right, 45 deg
    assert angle_to_vertical_deg(lower, upper, forward=1)[0] == pytest.approx(45.0)
    assert angle_to_vertical_deg(lower, upper, forward=-1)[0] == pytest.approx(-45.0)


def test_joint_choice_parsing() -> None:
    assert selected_codes(["knee", "hip"]) == {"kne", "hip"}
    assert selected_codes(["all"]) == {"ank", "kne", "hip", "elb", "sho"}
    with pytest.raises(ValueError, match="expected"):
        selected_codes(["wrist"])


def test_power_and_force_of_constant_acceleration_lift_match_hand_calculation() -> None:
    a_mps2, m_kg, m_per_px = 2.0, 100.0, 0.002
    t = np.arange(0, 1.5, 1 / 60)
    y_m = 0.5 * a_mps2 * t**2
    n = t.size
    bar = BarTrack(t_s=t, x_px=np.full(n, 500.0), y_px=800.0 - y_m / m_per_px, radius_px=np.full(n, 112.5),
                   confidence=np.ones(n), source=np.array(["detected"] * n, dtype=object))
    frame = MetricFrame(m_per_px=m_per_px, scale_confidence=1.0, plate_diameter_m=0.45, yaw_deg=0.0,
                        forward=1, facing_known=True)
    motion = bar_motion(bar, frame)
    inner = slice(15, -15)
    np.testing.assert_allclose(motion.vy_mps[inner], a_mps2 * t[inner], atol=5e-3)
    np.testing.assert_allclose(motion.ay_mps2[inner], a_mps2, atol=0.05)
    power = bar_power_w(motion, m_kg)
    # at t = 1 s: P = 100 kg * (9.80665 + 2) m/s^2 * 2 m/s = 2361.3 W
    i = 60
    assert power[i] == pytest.approx(m_kg * (G_MPS2 + a_mps2) * a_mps2 * t[i], rel=5e-3)
    assert power[i] == pytest.approx(2361.3, rel=5e-3)
    grf = ground_reaction_force_n(80.0, np.zeros(n), m_kg, motion.ay_mps2)
    # lifter standing still, bar accelerating: 80 * 9.80665 + 100 * 11.80665 = 1965.2 N
    assert grf[i] == pytest.approx(1965.2, rel=2e-3)
