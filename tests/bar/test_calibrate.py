"""Scale from the plate diameter, yaw from the ellipse, and the Kalman smoother against analytic truths."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.bar.calibrate import calibrate_from_plate, m_per_px_from_radius, yaw_deg_from_semi_axes
from pipelines.bar.kalman import smooth_axis


@pytest.mark.parametrize("radius_px", [20.0, 57.5, 140.0])
def test_a_450_mm_plate_of_radius_r_gives_0_225_over_r(radius_px: float) -> None:
    assert m_per_px_from_radius(0.450, radius_px) == pytest.approx(0.225 / radius_px, rel=1e-12)


def test_radius_must_be_positive() -> None:
    with pytest.raises(ValueError, match="plate_radius_px"):
        m_per_px_from_radius(0.45, 0.0)


@pytest.mark.parametrize("yaw_deg", [0.0, 10.0, 20.0, 45.0])
def test_yaw_from_semi_axes(yaw_deg: float) -> None:
    semi_v = 80.0
    assert yaw_deg_from_semi_axes(semi_v * np.cos(np.deg2rad(yaw_deg)), semi_v) == pytest.approx(
        yaw_deg, abs=1e-6
    )


def test_calibration_uses_still_frames_and_warns_when_yawed() -> None:
    n = 60
    semi = np.tile([80.0 * np.cos(np.deg2rad(20.0)), 80.0], (n, 1))
    speed = np.zeros(n)
    semi[30:, 1] = 95.0  # blurred frames look taller; they must not set the scale
    speed[30:] = 2000.0
    cal, warnings = calibrate_from_plate(semi, speed, np.full(n, 500.0), 0.45, 30.0)
    assert cal.plate_radius_px == pytest.approx(80.0)
    assert cal.m_per_px == pytest.approx(0.225 / 80.0)
    assert cal.yaw_deg == pytest.approx(20.0, abs=1e-6)
    assert [w["code"] for w in warnings] == ["camera_not_side_on"]
    # Still frames with the bar overhead (arms over the rim) must not set the scale either.
    overhead = np.full(n, 500.0)
    overhead[:10] = 100.0
    semi[:10, 1] = 84.0
    cal_floor, _ = calibrate_from_plate(semi, speed, overhead, 0.45, 30.0)
    assert cal_floor.plate_radius_px == pytest.approx(80.0)
    side_on, no_warnings = calibrate_from_plate(
        np.tile([80.0, 80.0], (n, 1)), np.zeros(n), np.full(n, 500.0), 0.45, 30.0
    )
    assert no_warnings == []
    assert cal.confidence < side_on.confidence


def test_calibration_without_any_plate_has_zero_confidence() -> None:
    cal, warnings = calibrate_from_plate(
        np.full((5, 2), np.nan), np.full(5, np.nan), np.full(5, np.nan), 0.45, 30.0
    )
    assert cal.confidence == 0.0
    assert warnings[0]["code"] == "bar_calibration_unavailable"


def test_smoother_recovers_velocity_of_a_parabola_and_bridges_a_gap() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(120) / 60.0
    pos = 50.0 * t**2  # px; velocity 100 t, acceleration 100
    meas = pos + rng.normal(0, 0.3, t.size)
    meas[50:60] = np.nan
    out = smooth_axis(t, meas, np.full(t.size, 0.3), np.full(t.size, np.nan), np.full(t.size, 1.0), 1e4)
    inner = slice(10, 110)
    np.testing.assert_allclose(out.vel[inner], 100.0 * t[inner], atol=3.0)
    np.testing.assert_allclose(out.pos[50:60], pos[50:60], atol=0.5)
    assert np.all(out.pos_std[50:60] > out.pos_std[40])


def test_weak_inner_ring_frames_do_not_set_the_scale() -> None:
    """A black plate on a black floor: only its painted inner ring (0.93 r, weak edge) shows while it
    rests; once lifted against the wall the true rim (strong edge) does."""
    n = 60
    resting = np.arange(n) < 30
    r = np.where(resting, 0.93 * 46.6, 46.6)
    semi = np.column_stack([r, r])
    score = np.where(resting, 0.45, 0.9)
    speed = np.where(resting, 0.0, 300.0)
    y = np.where(resting, 460.0, 300.0)
    cal, _ = calibrate_from_plate(semi, speed, y, 0.45, 30.0, score)
    assert cal.plate_radius_px == pytest.approx(46.6, rel=1e-6)
    without_scores, _ = calibrate_from_plate(semi, speed, y, 0.45, 30.0)
    assert without_scores.plate_radius_px == pytest.approx(0.93 * 46.6, rel=1e-6)
