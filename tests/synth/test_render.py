from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from pipelines.synth import GroundTruth, LiftSpec, load_ground_truth, render_lift
from pipelines.synth.spec import PLATE_COLOURS_BGR
from services.inference.joints import N_JOINTS


def _pts_s(frame: av.VideoFrame) -> float:
    assert frame.pts is not None and frame.time_base is not None, "frame without a timestamp"
    return float(frame.pts * frame.time_base)


def _decode(path: Path, want: set[int]) -> dict[int, np.ndarray]:
    out = {}
    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i in want:
                out[i] = f.to_ndarray(format="bgr24")
    return out


def test_video_facts_match_the_truth(red_clip: tuple[Path, GroundTruth]) -> None:
    path, truth = red_clip
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264"
        assert s.average_rate == Fraction(30)
        frames = list(c.decode(video=0))
    assert len(frames) == truth.n_frames
    assert frames[0].format.name == "yuv420p"
    t = np.array([_pts_s(f) for f in frames])
    assert np.allclose(t - t[0], truth.t_s, atol=1e-6)
    assert truth.t_s[-1] == pytest.approx((truth.n_frames - 1) / 30.0)
    assert (frames[0].width, frames[0].height) == (960, 540)
    assert truth.joints_xy_px.shape == (truth.n_frames, N_JOINTS, 2)


def test_truth_round_trips_through_files(red_clip: tuple[Path, GroundTruth]) -> None:
    path, truth = red_clip
    loaded = load_ground_truth(path)
    assert loaded.spec == truth.spec
    assert np.array_equal(loaded.bar_xy_px, truth.bar_xy_px)
    assert loaded.reps[0]["events"]["second_pull_end"]["t_s"] == pytest.approx(
        truth.reps[0]["events"]["second_pull_end"]["t_s"]
    )
    assert load_ground_truth(path.with_name("red.truth.json")).n_frames == truth.n_frames


def test_decoded_plate_centroid_matches_truth(red_clip: tuple[Path, GroundTruth]) -> None:
    """On the encoded video (bar at rest, no blur or noise) the red face's centroid is within 0.5 px."""
    path, truth = red_clip
    frame = _decode(path, {0})[0].astype(np.int32)
    b, g, r = frame[..., 0], frame[..., 1], frame[..., 2]
    face = PLATE_COLOURS_BGR["red"]
    # The face is (40, 40, 200); the plate's side, rim and the far plate are darker reds.
    mask = ((r > face[2] - 18) & (r - np.maximum(g, b) > 110)).astype(np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    cx0, cy0 = truth.bar_xy_px[0]
    near = [c for c in contours if cv2.pointPolygonTest(c, (float(cx0), float(cy0)), False) >= 0]
    assert near, "no red face around the true centre"
    filled = np.zeros_like(mask)
    cv2.drawContours(filled, near, -1, 1, thickness=-1)
    m = cv2.moments(filled, binaryImage=True)
    cx, cy = m["m10"] / m["m00"], m["m01"] / m["m00"]
    assert np.hypot(cx - cx0, cy - cy0) < 0.5, (cx, cy, cx0, cy0)
    # Its size matches the truth too (face minus rim is 0.93 R).
    assert np.sqrt(m["m00"] / np.pi) == pytest.approx(0.93 * truth.plate_radius_px[0], rel=0.03)


def test_portrait_is_stored_landscape_with_rotation(tmp_path: Path) -> None:
    spec = LiftSpec(width_px=272, height_px=480, portrait=True, setup_s=0.2, hold_s=0.2, fps=15.0)
    truth = render_lift(spec, tmp_path / "portrait.mp4")
    with av.open(str(tmp_path / "portrait.mp4")) as c:
        first = next(iter(c.decode(video=0)))
    assert (first.width, first.height) == (480, 272)
    assert (-first.rotation) % 360 == 90 == truth.rotation_deg
    # Truth is in displayed (portrait) coordinates.
    assert truth.bar_xy_px[:, 0].min() >= 0 and truth.bar_xy_px[:, 0].max() < 272
    assert truth.bar_xy_px[:, 1].max() < 480


def test_variable_frame_rate_uses_jittered_pts(tmp_path: Path) -> None:
    spec = LiftSpec(width_px=320, height_px=180, variable_frame_rate=True, setup_s=0.2, hold_s=0.2, seed=5)
    truth = render_lift(spec, tmp_path / "vfr.mp4")
    with av.open(str(tmp_path / "vfr.mp4")) as c:
        t = np.array([_pts_s(f) for f in c.decode(video=0)])
    assert np.allclose(t - t[0], truth.t_s, atol=2e-5)
    dt = np.diff(truth.t_s)
    assert dt.min() > 0 and dt.std() > 0.003


@pytest.mark.parametrize(
    "knobs",
    [
        {"camera_yaw_deg": 18.0},
        {"camera_shake_px": 3.0, "noise_sigma": 4.0},
        {"blur_subframes": 3},
        {"second_barbell": True, "bystander": True, "dark_floor": True, "occlude_plate": True},
        {"exercise": "clean_and_jerk", "drop_bar": False},
    ],
)
def test_conditions_render(tmp_path: Path, knobs: dict[str, object]) -> None:
    spec = LiftSpec(width_px=320, height_px=180, fps=15.0, setup_s=0.2, hold_s=0.2, **knobs)  # type: ignore[arg-type]
    truth = render_lift(spec, tmp_path / "c.mp4")
    assert np.all(np.isfinite(truth.bar_xy_px)) and np.all(np.isfinite(truth.joints_xy_px))
    if spec.camera_yaw_deg:
        e = truth.plate_ellipse
        ratio = e[:, 3] / e[:, 2]
        # Under perspective the rim's axis ratio depends on the line of sight to the plate, not only
        # on the camera yaw: it lies near cos(yaw) but shrinks further off the optical axis.
        assert np.all((ratio > np.cos(np.radians(30.0))) & (ratio < np.cos(np.radians(12.0)))), ratio
    if spec.camera_shake_px:
        assert 1.0 < np.sqrt(np.mean(truth.shake_px**2)) * np.sqrt(2) < 6.0
