"""Observation and tracking end to end on small synthetic clips (no video encoding)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from pipelines.bar import BarObservation, bar_table, observe_bar_segment, track_bar
from pipelines.types import PoseTrack
from services.inference.joints import JOINT_INDEX, N_JOINTS
from tests.bar.bar_synth_frames import SynthClip


def _pose_holding(xy: np.ndarray) -> PoseTrack:
    n = xy.shape[0]
    kp = np.full((n, N_JOINTS, 2), np.nan, np.float32)
    vis = np.zeros((n, N_JOINTS), np.float32)
    for name, dx in (("lwri", -4.0), ("rwri", 4.0)):
        kp[:, JOINT_INDEX[name]] = xy + np.array([dx, -10.0])
        vis[:, JOINT_INDEX[name]] = 0.9
    return PoseTrack(np.arange(n) / 30.0, kp, vis, np.ones(n, bool), np.zeros(n, bool))


def _rms_px(track_xy: np.ndarray, truth_xy: np.ndarray) -> float:
    return float(np.sqrt(np.nanmean(np.sum((track_xy - truth_xy) ** 2, axis=1))))


def test_segments_with_overlap_give_the_same_observations(lift_clip: Callable[..., SynthClip]) -> None:
    clip = lift_clip(duration_s=0.6)
    whole = observe_bar_segment(clip.frames_bgr, 2.0, overlap_first=False)
    a = observe_bar_segment(clip.frames_bgr[:10], 2.0, overlap_first=False)
    b = observe_bar_segment(clip.frames_bgr[9:], 2.0, overlap_first=True)
    assert len(a) + len(b) == len(whole) == len(clip.frames_bgr)
    for got, want in zip(a + b, whole, strict=True):
        # The overlap frame seeds the flow either way; only the narrow refit may start a hair apart.
        np.testing.assert_allclose(got.centers_xy_px[:1], want.centers_xy_px[:1], atol=0.02)
    # scale_to_original maps processing pixels to original ones.
    np.testing.assert_allclose(whole[0].centers_xy_px[0], 2.0 * clip.centre_xy_px[0], atol=1.0)


def test_tracks_a_lifted_plate_to_a_fraction_of_a_pixel(lift_clip: Callable[..., SynthClip]) -> None:
    clip = lift_clip()
    obs = observe_bar_segment(clip.frames_bgr, 1.0, overlap_first=False)
    track, calib, _ = track_bar(clip.t_s, obs, None, (640, 360), 0.45)
    xy = np.column_stack([track.x_px, track.y_px])
    assert np.all(track.source != "lost")
    rms = _rms_px(xy, clip.centre_xy_px)
    assert rms < 0.6, f"RMS {rms:.2f} px"
    # Drawn plates cover ~0.5 px more than their radius: scale within 2 %.
    assert calib.m_per_px == pytest.approx(clip.m_per_px, rel=0.03)
    table = bar_table(track, calib)
    assert table.column_names == ["t_s", "x_px", "y_px", "radius_px", "x_m", "y_m", "confidence", "source"]
    y_m = table.column("y_m").to_numpy()
    assert y_m[0] == 0.0
    assert np.nanmax(y_m) == pytest.approx(1.1, abs=0.04)  # y is up, in metres


def test_picks_the_lifted_bar_over_a_second_barbell(lift_clip: Callable[..., SynthClip]) -> None:
    clip = lift_clip(second_plate=True, duration_s=1.6)
    obs = observe_bar_segment(clip.frames_bgr, 1.0, overlap_first=False)
    assert max(o.n_candidates for o in obs) >= 2
    for pose in (None, _pose_holding(clip.centre_xy_px)):
        track, _, warnings = track_bar(clip.t_s, obs, pose, (640, 360), 0.45)
        assert _rms_px(np.column_stack([track.x_px, track.y_px]), clip.centre_xy_px) < 0.6
        assert ("bar_without_pose" in [w["code"] for w in warnings]) == (pose is None)


def test_camera_shake_is_removed_from_metres(lift_clip: Callable[..., SynthClip]) -> None:
    clip = lift_clip(shake_px=1.5, duration_s=1.6)
    obs = observe_bar_segment(clip.frames_bgr, 1.0, overlap_first=False)
    track, calib, _ = track_bar(clip.t_s, obs, None, (640, 360), 0.45)
    y_m = bar_table(track, calib).column("y_m").to_numpy()
    y_px = -y_m / calib.m_per_px  # back to pixels, so the scale's own error does not count here
    truth = clip.world_xy_px[:, 1] - clip.world_xy_px[0, 1]
    resid = (y_px - truth) - np.mean(y_px - truth)  # the first frame's shake is a constant offset
    err_px = float(np.sqrt(np.mean(resid**2)))
    shake_px = float(np.sqrt(np.mean((clip.centre_xy_px[:, 1] - clip.world_xy_px[:, 1]) ** 2)))
    assert err_px < 0.4 * shake_px, f"{err_px:.2f} px left of a {shake_px:.2f} px shake"


def test_short_gaps_are_interpolated_and_long_ones_lost(lift_clip: Callable[..., SynthClip]) -> None:
    clip = lift_clip(duration_s=2.0)
    obs = observe_bar_segment(clip.frames_bgr, 1.0, overlap_first=False)
    gapped = list(obs)
    for i in (20, 21, 22):  # 0.1 s
        gapped[i] = BarObservation.empty()
    for i in range(40, 55):  # 0.5 s
        gapped[i] = BarObservation.empty()
    track, _, warnings = track_bar(clip.t_s, gapped, None, (640, 360), 0.45)
    assert list(track.source[20:23]) == ["interpolated"] * 3
    assert np.all(track.source[40:55] == "lost")
    assert np.all(np.isnan(track.x_px[40:55]))
    assert np.all(track.confidence[40:55] == 0.0)
    assert "bar_lost_frames" in [w["code"] for w in warnings]
    assert _rms_px(np.column_stack([track.x_px, track.y_px])[20:23], clip.centre_xy_px[20:23]) < 2.0


def test_no_plate_anywhere_gives_all_lost_and_no_scale() -> None:
    t = np.arange(10) / 30.0
    track, calib, warnings = track_bar(t, [BarObservation.empty() for _ in t], None, (640, 360), 0.45)
    assert np.all(track.source == "lost")
    assert calib.confidence == 0.0
    assert "bar_calibration_unavailable" in [w["code"] for w in warnings]
