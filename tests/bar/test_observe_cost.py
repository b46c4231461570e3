"""The cheaper pieces of the bar observation: same values as the numpy originals, corners carried on."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from pipelines.bar import observe
from pipelines.bar.observe import (
    BG_REDETECT_EVERY_N_FRAMES,
    _camera_displacement,
    in_background_band,
    median_xy,
    observe_bar_segment,
)
from pipelines.bar.rim_fit import RimFit, _ransac_triplets, fit_circle, median_1d
from tests.bar.bar_synth_frames import SynthClip


@pytest.mark.parametrize("n", [1, 2, 7, 72])
def test_median_1d_and_median_xy_equal_np_median(n: int) -> None:
    rng = np.random.default_rng(n)
    for dtype in (np.float32, np.float64):
        v: np.ndarray = rng.normal(0, 3, n).astype(dtype)
        assert median_1d(v) == float(np.median(v))
        d: np.ndarray = rng.normal(0, 3, (n, 2)).astype(dtype)
        np.testing.assert_array_equal(median_xy(d), np.median(d, axis=0))


def test_median_1d_of_nothing_is_nan() -> None:
    assert np.isnan(median_1d(np.zeros(0)))


def test_fit_circle_far_from_the_origin_and_on_an_arc() -> None:
    th = np.linspace(0.3, 2.0, 25)  # a quarter rim, 1000 px from the origin: centring keeps it exact
    pts = np.column_stack([812.25 + 61.5 * np.cos(th), 633.75 + 61.5 * np.sin(th)])
    centre, radius = fit_circle(pts)
    np.testing.assert_allclose(centre, [812.25, 633.75], atol=1e-7)
    assert radius == pytest.approx(61.5, abs=1e-7)


def test_fit_circle_on_collinear_points_does_not_raise() -> None:
    pts = np.column_stack([np.arange(10.0), 2.0 * np.arange(10.0)])
    centre, radius = fit_circle(pts)
    assert centre.shape == (2,)
    assert np.isfinite(radius)


def test_ransac_triplets_are_distinct_repeatable_and_read_only() -> None:
    a = _ransac_triplets(40, 48)
    assert a.shape == (48, 3)
    assert np.all((a[:, 0] != a[:, 1]) & (a[:, 1] != a[:, 2]) & (a[:, 0] != a[:, 2]))
    assert a.max() < 40
    # The same draw as before it was cached: seeded by the number of points.
    rng = np.random.default_rng(40)
    np.testing.assert_array_equal(a, np.argpartition(rng.random((48, 40)), 3, axis=1)[:, :3])
    assert not a.flags.writeable


def _fit(x: float, y: float, r: float) -> RimFit:
    return RimFit(np.array([x, y]), r, np.array([r, r]), 1.0, 1.0)


def test_background_band_matches_the_corner_mask() -> None:
    # Detector image 480 x 270, processing pixels twice that.
    pts = np.array(
        [
            [10.0, 10.0],  # top-left corner of the band
            [480.0, 270.0],  # the centre: the lifter
            [900.0, 500.0],  # bottom-right, in the band
            [100.0, 480.0],  # in the band but on the plate below
            [-4.0, 20.0],  # outside the frame
        ],
        np.float32,
    )
    ok = in_background_band(pts, (270, 480), 2.0, [_fit(120.0, 470.0, 40.0)])
    assert ok.tolist() == [True, False, True, False, False]


def test_camera_displacement_needs_most_points_to_agree() -> None:
    rng = np.random.default_rng(0)
    still = rng.normal(0, 0.05, (20, 2)) + np.array([1.5, -0.5])
    cam, agree = _camera_displacement(still)
    np.testing.assert_allclose(cam, [1.5, -0.5], atol=0.05)
    assert agree.all()
    # A moving lifter across most of the points: no camera motion, nothing to carry as background.
    mixed = np.vstack([still[:8], rng.normal(0, 3.0, (12, 2))])
    cam, agree = _camera_displacement(mixed)
    assert np.all(np.isnan(cam)) and not agree.any()
    cam, agree = _camera_displacement(still[:7])  # too few points
    assert np.all(np.isnan(cam))


def test_background_corners_are_carried_and_found_again_periodically(
    lift_clip: Callable[..., SynthClip], monkeypatch: pytest.MonkeyPatch
) -> None:
    clip = lift_clip(shake_px=1.5, duration_s=1.0)
    calls = []
    find = observe._background_points

    def counting(*args: object, **kwargs: object) -> np.ndarray:
        calls.append(1)
        return find(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(observe, "_background_points", counting)
    obs = observe_bar_segment(clip.frames_bgr, 1.0, overlap_first=False)
    n = len(clip.frames_bgr)
    # Found on the first pair and then at most once per BG_REDETECT_EVERY_N_FRAMES (more only when
    # too few corners survive); not on every frame as before.
    assert len(calls) <= n // 2
    assert len(calls) >= (n - 1) // BG_REDETECT_EVERY_N_FRAMES
    cam = np.array([o.camera_disp_xy_px for o in obs[1:]])
    known = np.all(np.isfinite(cam), axis=1)
    assert known.mean() > 0.9
    truth = np.diff(clip.centre_xy_px - clip.world_xy_px, axis=0)  # the shake's motion between frames
    err = np.hypot(*(cam[known] - truth[known]).T)
    assert float(np.median(err)) < 0.15, f"camera displacement off by {np.median(err):.2f} px"
