"""The renderer's plates agree with their ground truth, and simulate_truth equals render_lift's truth."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from pipelines.bar.rim_fit import fit_plate_rim
from pipelines.synth import LiftSpec, render_lift, simulate_truth
from pipelines.synth.draw_barbell import fill_conic_exact, fill_convex_exact


def _ring(centre: np.ndarray, a: float, b: float, n: int = 96) -> np.ndarray:
    th = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return centre + np.column_stack([a * np.cos(th), b * np.sin(th)])


@pytest.mark.parametrize(("a", "b"), [(93.27, 93.27), (40.3, 37.9)])
def test_drawn_disc_has_the_true_area_and_rim(a: float, b: float) -> None:
    img = np.full((260, 260, 3), 60, np.uint8)
    centre = np.array([128.3, 121.7])
    fill_conic_exact(img, _ring(centre, a, b), (200, 200, 200))
    area = float((img[..., 0].astype(np.float64) - 60).sum() / 140)
    assert area == pytest.approx(np.pi * a * b, rel=2e-4)  # fillPoly(LINE_AA) gave ~+1.3 %
    gray = cv2.GaussianBlur(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32), (0, 0), 1.0)
    fit = fit_plate_rim(gray, centre + 1.0, 0.5 * (a + b), search=(0.85, 1.15))
    assert fit is not None
    np.testing.assert_allclose(fit.semi_axes_hv, [a, b], atol=0.05)
    np.testing.assert_allclose(fit.center_xy, centre, atol=0.05)


def test_drawn_convex_hull_has_no_fringe() -> None:
    img = np.full((120, 120, 3), 0, np.uint8)
    square = np.array([[20.0, 20.0], [80.0, 20.0], [80.0, 70.0], [20.0, 70.0]])
    fill_convex_exact(img, square, (250, 250, 250))
    area = float(img[..., 0].astype(np.float64).sum() / 250)
    assert area == pytest.approx(60 * 50, abs=1.0)


@pytest.mark.slow
def test_simulate_truth_equals_the_rendered_truth(tmp_path: Path) -> None:
    spec = LiftSpec(
        width_px=320, height_px=180, fps=15.0, setup_s=0.2, hold_s=0.2, camera_shake_px=2.0,
        variable_frame_rate=True, seed=3,
    )
    rendered = render_lift(spec, tmp_path / "c.mp4")
    simulated = simulate_truth(spec)
    assert simulated.video_path == ""
    for name in ("t_s", "bar_xy_px", "plate_ellipse", "m_per_px", "joints_xy_px", "bar_xy_m", "shake_px"):
        np.testing.assert_array_equal(getattr(simulated, name), getattr(rendered, name), err_msg=name)
    assert simulated.reps == rendered.reps
