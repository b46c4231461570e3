"""The plate rim fitter on drawn discs and ellipses with known centre, radius and yaw."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipelines.bar.calibrate import yaw_deg_from_semi_axes
from pipelines.bar.observe import hough_candidates
from pipelines.bar.rim_fit import fit_circle, fit_plate_rim
from tests.bar.bar_synth_frames import draw_plate


def _grey(img: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32), (0, 0), 1.0)


def _scene(
    centre: tuple[float, float], radius: float, semi_h: float | None = None, seed: int = 1
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = np.full((300, 400, 3), 150, np.uint8)
    draw_plate(img, centre, radius, semi_h)
    noisy = img.astype(np.float32) + rng.normal(0, 5, img.shape).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def test_fit_circle_is_exact_on_points_of_a_circle() -> None:
    th = np.linspace(0, 2 * np.pi, 30, endpoint=False)
    pts = np.column_stack([12.5 + 40 * np.cos(th), -3.25 + 40 * np.sin(th)])
    centre, radius = fit_circle(pts)
    np.testing.assert_allclose(centre, [12.5, -3.25], atol=1e-9)
    assert radius == pytest.approx(40.0, abs=1e-9)


@pytest.mark.parametrize(("cx", "cy", "r"), [(200.3, 150.7, 60.0), (180.55, 140.2, 35.0)])
def test_rim_fit_recovers_centre_and_radius_of_a_noisy_disc(cx: float, cy: float, r: float) -> None:
    fit = fit_plate_rim(_grey(_scene((cx, cy), r)), np.array([cx + 3.0, cy - 2.0]), r * 1.06)
    assert fit is not None
    err = float(np.hypot(fit.center_xy[0] - cx, fit.center_xy[1] - cy))
    assert err < 0.25, f"centre off by {err:.3f} px"
    # Anti-aliased drawing covers about half a pixel more than the nominal radius.
    assert fit.radius == pytest.approx(r + 0.5, abs=0.4)
    assert fit.score > 0.8


def test_rim_fit_survives_an_arm_across_the_plate() -> None:
    img = _scene((200.0, 150.0), 60.0)
    cv2.rectangle(img, (150, 60), (185, 260), (200, 170, 150), -1)  # a forearm over the left of the plate
    fit = fit_plate_rim(_grey(img), np.array([203.0, 152.0]), 62.0)
    assert fit is not None
    assert float(np.hypot(fit.center_xy[0] - 200.0, fit.center_xy[1] - 150.0)) < 0.6
    assert fit.inlier_share < 0.95


def test_rim_fit_finds_nothing_on_a_blank_image() -> None:
    rng = np.random.default_rng(0)
    grey = cv2.GaussianBlur(rng.normal(128, 3, (300, 400)).astype(np.float32), (0, 0), 1.0)
    fit = fit_plate_rim(grey, np.array([200.0, 150.0]), 50.0)
    assert fit is None or fit.score < 0.3


@pytest.mark.parametrize("yaw_deg", [0.0, 10.0, 15.0, 20.0, 25.0])
def test_yawed_plate_ellipse_gives_the_camera_angle(yaw_deg: float) -> None:
    r = 70.0
    semi_h = r * np.cos(np.deg2rad(yaw_deg))
    fit = fit_plate_rim(_grey(_scene((200.0, 150.0), r, semi_h)), np.array([201.0, 151.0]), r)
    assert fit is not None
    got = yaw_deg_from_semi_axes(float(fit.semi_axes_hv[0]), float(fit.semi_axes_hv[1]))
    # Near 0 deg arccos is steep: a 0.3 % axis error already reads as ~4.5 deg.
    assert got == pytest.approx(yaw_deg, abs=5.0 if yaw_deg == 0 else 2.0)
    assert fit.semi_axes_hv[1] == pytest.approx(r + 0.5, abs=0.5)


def test_circle_detector_finds_the_plate_roughly() -> None:
    """The detector only seeds the rim fit, whose search window is +-25 % of the radius."""
    img = _scene((210.0, 160.0), 50.0)
    small = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    circles = hough_candidates(small)
    assert circles.shape[0] >= 1
    d = np.hypot(circles[:, 0] - 210.0, circles[:, 1] - 160.0)
    assert d.min() < 5.0, f"nearest circle {d.min():.1f} px from the plate"
