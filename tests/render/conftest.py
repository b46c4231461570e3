"""Fixtures for the render tests: a short real H.264 clip of a moving disc (encoded here with PyAV, with
B-frames like phone video) and matching pose/bar/series built by hand with known geometry."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from pipelines.types import BarTrack, PoseTrack
from services.inference.joints import JOINT_INDEX, N_JOINTS

TIME_BASE = Fraction(1, 15360)


@dataclass(frozen=True)
class DiscClip:
    """A clip of a disc rising and falling; centre_xy_px in displayed-frame pixels, per frame."""

    path: Path
    t_s: np.ndarray  # (n,)
    centre_xy_px: np.ndarray  # (n, 2)
    width_px: int  # displayed
    height_px: int  # displayed
    duration_s: float


def write_disc_clip(
    path: Path,
    *,
    n_frames: int = 75,
    fps: int = 30,
    width_px: int = 640,
    height_px: int = 360,
    rotation_ccw_deg: int = 0,
) -> DiscClip:
    """Encode a clip whose *displayed* frames are width_px x height_px; with a rotation the coded frames
    are stored turned the other way plus a display matrix (as phones store portrait video)."""
    t_s = np.arange(n_frames) / fps
    phase = np.sin(np.pi * t_s / t_s[-1])
    centre = np.stack([width_px * (0.45 + 0.1 * phase), height_px * (0.8 - 0.5 * phase)], axis=1)
    radius = max(6, min(width_px, height_px) // 10)
    k = rotation_ccw_deg // 90
    coded_w, coded_h = (height_px, width_px) if k % 2 else (width_px, height_px)
    tick = int(1 / (fps * TIME_BASE))
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = coded_w, coded_h, "yuv420p"
        stream.time_base = TIME_BASE
        stream.codec_context.time_base = TIME_BASE
        stream.options = {"preset": "ultrafast", "bf": "2", "g": "30"}
        if k:
            stream.set_display_rotation(rotation_ccw_deg)
        for i in range(n_frames):
            img = np.full((height_px, width_px, 3), (40, 70, 40), dtype=np.uint8)
            img[: height_px // 8] = (200, 200, 200)  # a light band marks "up" in displayed frames
            cx, cy = (round(v) for v in centre[i])
            cv2.circle(img, (cx, cy), radius, (220, 30, 30), -1)
            coded = np.ascontiguousarray(np.rot90(img, k=-k))
            frame = av.VideoFrame.from_ndarray(coded, format="rgb24")
            frame.pts = i * tick
            frame.time_base = TIME_BASE
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return DiscClip(path, t_s, centre, width_px, height_px, n_frames / fps)


def tracks_for(clip: DiscClip) -> tuple[PoseTrack, BarTrack, dict[str, np.ndarray], list[dict], list[dict]]:
    """A stick lifter standing left of the disc, the disc as the bar, kinematics in metres
    (0.45 m plate = 2 radii), two phases and a calibration warning."""
    n = clip.t_s.shape[0]
    h = clip.height_px
    kp = np.full((n, N_JOINTS, 2), np.nan, dtype=np.float32)
    base_x = clip.width_px * 0.3
    body = {
        "nose": 0.15,
        "lsho": 0.25,
        "rsho": 0.25,
        "lelb": 0.38,
        "relb": 0.38,
        "lwri": 0.5,
        "rwri": 0.5,
        "lhip": 0.55,
        "rhip": 0.55,
        "lkne": 0.72,
        "rkne": 0.72,
        "lank": 0.9,
        "rank": 0.9,
        "lhee": 0.93,
        "rhee": 0.93,
        "ltoe": 0.93,
        "rtoe": 0.93,
    }
    for name, frac in body.items():
        dx = -8 if name.startswith("l") else 8
        kp[:, JOINT_INDEX[name], 0] = base_x + dx + (12 if name.endswith("toe") else 0)
        kp[:, JOINT_INDEX[name], 1] = h * frac
    vis = np.full((n, N_JOINTS), 0.9, dtype=np.float32)
    found = np.ones(n, dtype=bool)
    found[-3:] = False
    vis[-3:] = 0
    kp[-3:] = np.nan
    pose = PoseTrack(
        t_s=clip.t_s, keypoints_xy_px=kp, visibility=vis, lifter_found=found, filled=np.zeros(n, dtype=bool)
    )
    source = np.full(n, "detected", dtype=object)
    source[10:13] = "lost"
    x = clip.centre_xy_px[:, 0].copy()
    y = clip.centre_xy_px[:, 1].copy()
    x[10:13] = np.nan
    y[10:13] = np.nan
    bar = BarTrack(
        t_s=clip.t_s, x_px=x, y_px=y, radius_px=np.full(n, 36.0), confidence=np.full(n, 0.9), source=source
    )
    m_per_px = 0.45 / (2 * max(6, min(clip.width_px, clip.height_px) // 10))
    bar_y_m = (clip.centre_xy_px[0, 1] - clip.centre_xy_px[:, 1]) * m_per_px
    vy = np.gradient(bar_y_m, clip.t_s)
    series = {"t_s": clip.t_s, "bar_y_m": bar_y_m, "bar_vy_mps": vy, "bar_speed_mps": np.abs(vy)}
    mid = float(clip.t_s[n // 2])
    phases = [
        {"name": "first_pull", "start_t_s": 0.1, "end_t_s": mid},
        {"name": "second_pull", "start_t_s": mid, "end_t_s": float(clip.t_s[-5])},
    ]
    warnings = [
        {"code": "calibration_uncertain", "message": "plate seen at 25 deg yaw: scale less certain"},
        {"code": "few_reps", "message": "only one rep found"},
    ]
    return pose, bar, series, phases, warnings


@pytest.fixture(scope="session")
def disc_clip(tmp_path_factory: pytest.TempPathFactory) -> DiscClip:
    return write_disc_clip(tmp_path_factory.mktemp("clip") / "disc.mp4")


@pytest.fixture(scope="session")
def portrait_clip(tmp_path_factory: pytest.TempPathFactory) -> DiscClip:
    """Displayed 360x640 (portrait), stored as 640x360 coded frames with a 90 deg display matrix
    (clockwise for display, like a phone held upright)."""
    return write_disc_clip(
        tmp_path_factory.mktemp("clip") / "portrait.mp4",
        n_frames=45,
        width_px=360,
        height_px=640,
        rotation_ccw_deg=270,
    )
