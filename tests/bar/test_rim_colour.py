"""Coloured plates from the renderer: the side band beside the rim, and a yellow rim without grey contrast.

The camera sits above the bar on the floor, so the near plate's side band and the far plate peek out
above the rim (towards the image centre). A yellow plate's painted ring (outer 7 % of the radius) is the
only strong grey edge against the tan floor. Frames are rendered at 1080p and scaled to the 960 px
processing size as the pipeline does.
"""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from pipelines.bar.rim_fit import RimFit, fit_axis_ellipse, fit_plate_rim
from pipelines.synth import LiftSpec, render_lift

IMAGE_CENTRE = np.array([479.5, 269.5])


def _first_frame(tmp_path: Path, colour: str) -> tuple[np.ndarray, np.ndarray, float]:
    """(bgr 960 x 540, true centre, true radius) of a 1080p render's first frame (bar on the floor)."""
    spec = LiftSpec(
        width_px=1920, height_px=1080, fps=1.0, plate_colour=colour, setup_s=0.3, hold_s=0.2, seed=12
    )
    gt = render_lift(spec, tmp_path / f"{colour}.mp4")
    with av.open(gt.video_path) as container:
        img = next(iter(container.decode(video=0))).to_ndarray(format="bgr24", width=960, height=540)
    return img, (gt.bar_xy_px[0] + 0.5) / 2 - 0.5, float(gt.plate_ellipse[0][2]) / 2


def _fit(img: np.ndarray, centre: np.ndarray, r: float, vanish: bool, colour: bool) -> RimFit:
    grey = cv2.GaussianBlur(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32), (5, 5), 1.0)
    fit = fit_plate_rim(
        grey,
        centre + 1.0,
        r,
        search=(0.88, 1.12),
        vanish_xy=IMAGE_CENTRE if vanish else None,
        bgr=img if colour else None,
    )
    assert fit is not None
    return fit


def test_axis_ellipse_is_exact_on_half_an_ellipse() -> None:
    th = np.linspace(0.0, np.pi, 37)
    pts = np.column_stack([10.0 + 40.0 * np.cos(th), -5.0 + 43.0 * np.sin(th)])
    got = fit_axis_ellipse(pts)
    assert got is not None
    np.testing.assert_allclose(got[0], [10.0, -5.0], atol=1e-6)
    np.testing.assert_allclose(got[1], [40.0, 43.0], atol=1e-6)


def test_side_band_above_a_red_plate_does_not_stretch_it(tmp_path: Path) -> None:
    img, centre, r = _first_frame(tmp_path, "red")
    plain = _fit(img, centre, r, vanish=False, colour=True)
    fit = _fit(img, centre, r, vanish=True, colour=True)
    # Whole rim: the band stretches the vertical axis ~2 % (the scale error) and lifts the centre.
    assert plain.semi_axes_hv[1] / r - 1 > 0.015
    # The arc facing away from the image centre: under 1 % (a floor board line runs along the bottom).
    assert abs(fit.semi_axes_hv[1] / r - 1) < 0.01
    assert abs(fit.semi_axes_hv[0] / r - 1) < 0.006
    assert float(np.hypot(*(fit.center_xy - centre))) < 0.4


def test_yellow_rim_is_found_in_colour_not_on_the_painted_ring(tmp_path: Path) -> None:
    img, centre, r = _first_frame(tmp_path, "yellow")
    grey_only = _fit(img, centre, r, vanish=True, colour=False)
    assert grey_only.semi_axes_hv[1] / r < 0.95  # the painted ring at 0.93 r
    fit = _fit(img, centre, r, vanish=True, colour=True)
    np.testing.assert_allclose(fit.semi_axes_hv / r, [1.0, 1.0], atol=0.006)


@pytest.mark.parametrize("colour", ["black"])
def test_neutral_plate_fit_does_not_change_with_colour(tmp_path: Path, colour: str) -> None:
    """Blue minus grey is ~0 on a black plate: the colour frame must not change its fit."""
    img, centre, r = _first_frame(tmp_path, colour)
    a = _fit(img, centre, r, vanish=True, colour=False)
    b = _fit(img, centre, r, vanish=True, colour=True)
    np.testing.assert_allclose(a.semi_axes_hv, b.semi_axes_hv, atol=1e-9)
    np.testing.assert_allclose(a.semi_axes_hv / r, [1.0, 1.0], atol=0.004)


def test_yawed_plate_side_band_does_not_set_the_scale(tmp_path: Path) -> None:
    """Camera turned 20 deg: the band lies beside the plate, towards a vanishing point off the image
    centre. The face's vertical half extent (yaw about the vertical keeps it) comes from the arc facing
    away from the band side, within 0.5 %."""
    spec = LiftSpec(
        width_px=1920, height_px=1080, fps=1.0, camera_yaw_deg=20.0, setup_s=0.3, hold_s=0.2, seed=19
    )
    gt = render_lift(spec, tmp_path / "yaw20.mp4")
    with av.open(gt.video_path) as container:
        img = next(iter(container.decode(video=0))).to_ndarray(format="bgr24", width=960, height=540)
    a, b, ang = (float(v) for v in gt.plate_ellipse[0][2:])
    th = np.deg2rad(ang)
    # The truth stores major/minor without saying which lies along the angle; yaw shrinks the
    # horizontal extent, so the vertical one is the larger of the two assignments' vertical extents.
    true_v = max(np.hypot(a * np.sin(th), b * np.cos(th)), np.hypot(b * np.sin(th), a * np.cos(th))) / 2
    centre = (gt.bar_xy_px[0] + 0.5) / 2 - 0.5
    plain = _fit(img, centre, true_v, vanish=False, colour=True)
    fit = _fit(img, centre, true_v, vanish=True, colour=True)
    assert abs(fit.semi_axes_hv[1] / true_v - 1) < 0.005
    assert abs(fit.semi_axes_hv[1] / true_v - 1) < abs(plain.semi_axes_hv[1] / true_v - 1)
    assert fit.semi_axes_hv[0] < 0.96 * fit.semi_axes_hv[1]  # still reads as yawed
