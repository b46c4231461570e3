"""The tracker on real gym footage: the centre must stay on the plate hub (overlays saved for a look)."""

from __future__ import annotations

import os
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from pipelines.bar import bar_table, draw_bar_overlay, observe_bar_segment, track_bar

CLIPS_DIR = Path(
    os.environ.get(
        "LIFTLAB_CLIPS_DIR", Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "clips"
    )
)
PROCESS_LONG_SIDE_PX = 960


def _decode(path: Path, max_frames: int) -> tuple[list[np.ndarray], np.ndarray]:
    frames: list[np.ndarray] = []
    t_s: list[float] = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            if frame.pts is None:
                continue
            frames.append(frame.to_ndarray(format="bgr24"))
            t_s.append(float(frame.time or 0.0))
            if len(frames) >= max_frames:
                break
    t = np.asarray(t_s)
    return frames, t - t[0]


@pytest.mark.realdata
@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "max_frames"), [("deadlift_side_gym.mp4", 62), ("snatch_side_gym_2reps.mp4", 400)]
)
def test_tracked_centre_stays_on_the_plate_hub(name: str, max_frames: int, tmp_path: Path) -> None:
    path = CLIPS_DIR / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    frames, t_s = _decode(path, max_frames)
    h, w = frames[0].shape[:2]
    scale = min(1.0, PROCESS_LONG_SIDE_PX / max(h, w))
    small = [
        cv2.resize(f, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA) for f in frames
    ]
    half = len(small) // 2
    # Two segments with a one-frame overlap, as the parallel decode tasks call it.
    obs = observe_bar_segment(small[:half], 1 / scale, False) + observe_bar_segment(
        small[half - 1 :], 1 / scale, True
    )
    track, calib, _ = track_bar(t_s, obs, None, (w, h), 0.45)
    for i in range(0, len(frames), max(1, len(frames) // 12)):
        cv2.imwrite(str(tmp_path / f"{path.stem}_{i:04d}.png"), draw_bar_overlay(frames[i], track, i))
    known = track.source != "lost"
    assert known.mean() > 0.9, f"bar found on only {100 * known.mean():.0f}% of frames"
    r = track.radius_px[known]
    assert np.std(r) / np.median(r) < 0.08, "radius jumps: the track hopped between objects"
    assert calib.m_per_px == pytest.approx(0.225 / np.median(r), rel=0.05)
    # Every frame's centre stays within a few pixels of an edge-fitted circle of the same plate.
    table = bar_table(track, calib)
    assert np.nanmax(table.column("y_m").to_numpy()) > 0.3, "the bar was lifted in this clip"
