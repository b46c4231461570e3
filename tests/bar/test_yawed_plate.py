"""The yawed-plate fit: projected rim conics, and a plate whose side band shows beside and above it.

Frames are drawn here from a pinhole camera (no renderer): the plate's face and its inner face (the
band's far outline) are projected circles, filled on a 4x canvas and area-averaged down, so the true
face ellipse is known exactly.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipelines.bar import rim_fit
from pipelines.bar.rim_fit import FOCAL_PER_LONG_SIDE, fit_plate_rim, plate_image_conics

W, H = 640, 360
FOCAL = FOCAL_PER_LONG_SIDE * W
PRINCIPAL = np.array([(W - 1) / 2.0, (H - 1) / 2.0])
PLATE_RADIUS_M = 0.225
BAND_M = 0.05  # plate thickness: the inner face lies this far along the bar, away from the camera


def _circle_m(centre_m: np.ndarray, yaw_deg: float, n: int = 720) -> np.ndarray:
    """(n, 3) points of the rim in camera coordinates (x right, y down, z forward), bar axis yawed."""
    yaw = np.deg2rad(yaw_deg)
    e1 = np.array([np.cos(yaw), 0.0, -np.sin(yaw)])
    e2 = np.array([0.0, 1.0, 0.0])
    a = np.linspace(0.0, 2 * np.pi, n, endpoint=False)[:, None]
    return np.asarray(centre_m + PLATE_RADIUS_M * (np.cos(a) * e1 + np.sin(a) * e2))


def _project(pts_m: np.ndarray) -> np.ndarray:
    return np.asarray(FOCAL * pts_m[:, :2] / pts_m[:, 2:] + PRINCIPAL)


def _frame(centre_m: np.ndarray, yaw_deg: float, seed: int = 0) -> np.ndarray:
    """Grey frame (H, W) uint8: light wall, dark side band, black face with a lighter outer ring."""
    yaw = np.deg2rad(yaw_deg)
    inner_m = centre_m + BAND_M * np.array([np.sin(yaw), 0.0, np.cos(yaw)])
    face = _project(_circle_m(centre_m, yaw_deg))
    inner = _project(_circle_m(inner_m, yaw_deg))
    ring = _project(centre_m + 0.93 * (_circle_m(centre_m, yaw_deg) - centre_m))
    s = 4  # supersampling: area-averaged edges, like a camera's
    big = np.full((H * s, W * s), 155, np.uint8)

    def fill(pts_px: np.ndarray, level: int) -> None:
        poly = np.round((pts_px + 0.5) * s * 16 - 0.5 * 16).astype(np.int32)  # pixel centres at integers
        cv2.fillPoly(big, [poly], level, cv2.LINE_8, 4)

    fill(cv2.convexHull(np.vstack([face, inner]).astype(np.float32)).reshape(-1, 2), 16)
    fill(face, 48)
    fill(ring, 30)
    img = cv2.resize(big, (W, H), interpolation=cv2.INTER_AREA).astype(np.float32)
    img += np.asarray(np.random.default_rng(seed).normal(0.0, 2.0, img.shape), np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def _true_face(centre_m: np.ndarray, yaw_deg: float) -> tuple[np.ndarray, float]:
    """Centre (2,) of the face ellipse and its vertical half extent, from the projected rim."""
    face = _project(_circle_m(centre_m, yaw_deg, n=3600))
    (cx, cy), _, _ = cv2.fitEllipse(face.astype(np.float32))
    return np.array([cx, cy]), float(face[:, 1].max() - face[:, 1].min()) / 2.0


@pytest.mark.parametrize(("yaw_deg", "x_m", "y_m"), [(0.0, 0.0, 0.0), (10.0, 0.1, 0.6), (20.0, -0.2, -0.5)])
def test_plate_conic_holds_the_projected_rim(yaw_deg: float, x_m: float, y_m: float) -> None:
    centre_m = np.array([x_m, y_m, 2.6])
    rim = _project(_circle_m(centre_m, yaw_deg))
    uv = _project(centre_m[None, :])[0]
    conic = plate_image_conics(
        uv, PLATE_RADIUS_M / centre_m[2], np.deg2rad(np.array([yaw_deg])), FOCAL, PRINCIPAL
    )[0]
    hom = np.column_stack([rim, np.ones(len(rim))])
    grad = 2 * hom @ conic[:, :2]  # d/d(x, y) of p^T Q p
    dist_px = np.einsum("ni,ij,nj->n", hom, conic, hom) / np.hypot(grad[:, 0], grad[:, 1])
    assert np.abs(dist_px).max() < 1e-6


def test_fronto_parallel_plate_projects_to_a_circle_anywhere() -> None:
    conic = plate_image_conics(np.array([600.0, 40.0]), 0.1, np.zeros(1), FOCAL, PRINCIPAL)[0]
    assert conic[0, 0] == pytest.approx(conic[1, 1], rel=1e-9)
    assert abs(conic[0, 1]) < 1e-12 * abs(conic[0, 0])


@pytest.mark.parametrize(("yaw_deg", "y_m"), [(10.0, 0.62), (20.0, 0.62), (10.0, -0.55), (-15.0, 0.62)])
def test_band_beside_a_yawed_plate_does_not_set_scale_or_centre(yaw_deg: float, y_m: float) -> None:
    """Bar on the floor (y_m > 0: below the horizon) or overhead: the band shows above or below and beside
    the face, towards the vanishing point. The whole rim reads the band's outline there; the fit must
    read the face's vertical half extent within 0.4 % and its centre within 0.25 px."""
    centre_m = np.array([0.05, y_m, 2.6])
    grey = cv2.GaussianBlur(_frame(centre_m, yaw_deg).astype(np.float32), (5, 5), 1.0)  # as observe does
    true_c, true_v = _true_face(centre_m, yaw_deg)
    rough = true_c + np.array([1.0, -1.0])
    plain = fit_plate_rim(grey, rough, true_v, search=(0.88, 1.12))
    fit = fit_plate_rim(grey, rough, true_v, search=(0.88, 1.12), vanish_xy=PRINCIPAL)
    assert plain is not None and fit is not None
    assert abs(fit.semi_axes_hv[1] / true_v - 1) < 0.004
    assert float(np.hypot(*(fit.center_xy - true_c))) < 0.25
    # Without the vanishing point the band's outline stretches the rim (over 1 %) and moves its centre.
    assert plain.semi_axes_hv[1] / true_v - 1 > 0.01
    assert float(np.hypot(*(plain.center_xy - true_c))) > 2 * float(np.hypot(*(fit.center_xy - true_c)))


def test_side_on_plate_is_left_to_the_away_arc_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """At yaw 0 the band shows above the plate only: the yawed fit must leave the result to the away-arc
    fit (the same fit as without it)."""
    centre_m = np.array([0.05, 0.62, 2.6])
    grey = cv2.GaussianBlur(_frame(centre_m, 0.0).astype(np.float32), (5, 5), 1.0)
    true_c, true_v = _true_face(centre_m, 0.0)
    fit = fit_plate_rim(grey, true_c + 1.0, true_v, search=(0.88, 1.12), vanish_xy=PRINCIPAL)
    monkeypatch.setattr(rim_fit, "_yawed_plate_fit", lambda *args: None)
    without = fit_plate_rim(grey, true_c + 1.0, true_v, search=(0.88, 1.12), vanish_xy=PRINCIPAL)
    assert fit is not None and without is not None
    np.testing.assert_array_equal(fit.center_xy, without.center_xy)
    np.testing.assert_array_equal(fit.semi_axes_hv, without.semi_axes_hv)
    assert abs(fit.semi_axes_hv[1] / true_v - 1) < 0.01
