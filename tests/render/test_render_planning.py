"""Chunk planning and the background render used by the pipeline (pipelines/shell/render.py)."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from pipelines.render import overlay_from, write_keyframes
from pipelines.render.draw import N_SPEED_COLOURS, TEXT_RGB, draw_bar_trail, speed_rgb
from pipelines.shell.render import plan_chunks, render_annotated_video, start_annotated_video
from pipelines.types import BarTrack, PoseTrack
from services.inference.joints import N_JOINTS
from tests.render.conftest import DiscClip, tracks_for
from tests.render.test_annotated_video import _assert_same_timing


def test_plan_chunks_splits_evenly_with_one_chunk_per_worker() -> None:
    assert plan_chunks(300, 300, 2) == [(0, 150), (150, 300)]  # short clip: one chunk per worker
    assert plan_chunks(344, 300, 2) == [(0, 172), (172, 344)]  # equal halves, not 300 + 44
    assert plan_chunks(900, 300, 2) == [(0, 300), (300, 600), (600, 900)]
    assert plan_chunks(901, 300, 2) == [(0, 225), (225, 450), (450, 676), (676, 901)]
    assert plan_chunks(100, 300, 2) == [(0, 100)]  # two 50-frame chunks cost more than they save
    assert plan_chunks(10, 300, 1) == [(0, 10)]
    with pytest.raises(ValueError, match="max_chunk_frames"):
        plan_chunks(10, 0, 2)


def test_plan_chunks_moves_boundaries_to_near_key_frames() -> None:
    assert plan_chunks(343, 300, 2, keyframes=[0, 150, 249]) == [(0, 150), (150, 343)]
    assert plan_chunks(343, 300, 2, keyframes=[0, 249]) == [(0, 172), (172, 343)]  # too far: stays even
    assert plan_chunks(776, 300, 2, keyframes=range(0, 776, 60)) == [(0, 240), (240, 540), (540, 776)]


@pytest.mark.parametrize("n", [1, 59, 60, 119, 120, 299, 301, 1000, 9001])
def test_plan_chunks_cover_every_frame_once(n: int) -> None:
    ranges = plan_chunks(n, 300, 2)
    assert ranges[0][0] == 0 and ranges[-1][1] == n
    assert all(a < b for a, b in ranges)
    assert all(b == c for (_, b), (c, _) in itertools.pairwise(ranges))
    assert max(b - a for a, b in ranges) <= 300
    assert len(ranges) == 1 or min(b - a for a, b in ranges) >= 60


def test_ranges_that_miss_frames_are_refused(disc_clip: DiscClip, tmp_path: Path) -> None:
    overlay = overlay_from(*tracks_for(disc_clip), "metric")
    with pytest.raises(ValueError, match="do not cover"):
        render_annotated_video(
            disc_clip.path, overlay, tmp_path / "x.mp4", overlay.n_frames, ranges=[(0, 10), (10, 20)]
        )


def test_background_render_writes_the_whole_clip(disc_clip: DiscClip, tmp_path: Path) -> None:
    overlay = dataclasses.replace(overlay_from(*tracks_for(disc_clip), "metric"), out_long_side_px=320)
    out = tmp_path / "analyzed.mp4"
    future = start_annotated_video(disc_clip.path, overlay, out, overlay.n_frames, chunk_frames=20)
    assert future.result(timeout=120) == overlay.n_frames
    info = _assert_same_timing(disc_clip.path, out)
    assert max(info["size"]) == 320


def test_background_render_reports_failures(disc_clip: DiscClip, tmp_path: Path) -> None:
    overlay = overlay_from(*tracks_for(disc_clip), "metric")
    future = start_annotated_video(tmp_path / "missing.mp4", overlay, tmp_path / "o.mp4", overlay.n_frames)
    with pytest.raises(Exception, match=r"missing\.mp4"):
        future.result(timeout=60)


def test_trail_drawing_matches_per_segment_lines() -> None:
    # The vectorised trail must draw exactly what one (2, 2) array per segment drew before.
    n = 50
    t_s = np.arange(n) / 30.0
    overlay = dataclasses.replace(overlay_from(*_straight_tracks(n, t_s), "metric"), trail_window_s=10.0)
    frame = np.zeros((200, 200, 3), np.uint8)
    draw_bar_trail(frame, overlay, n - 1, 1.0)

    expected = np.zeros_like(frame)
    xy = overlay.bar_xy_px
    pts = np.round(xy).astype(np.int32)
    bucket = np.clip(
        overlay.bar_speed_mps[1:] / overlay.speed_scale_mps * (N_SPEED_COLOURS - 1), 0, N_SPEED_COLOURS - 1
    ).astype(np.int64)
    palette = speed_rgb(np.linspace(0.0, 1.0, N_SPEED_COLOURS))
    t = max(1, round(200 / 240)) + 1
    for k in np.unique(bucket):
        lines = [np.stack([pts[s], pts[s + 1]]) for s in np.flatnonzero(bucket == k)]
        cv2.polylines(expected, lines, False, tuple(int(c) for c in palette[k]), t, cv2.LINE_AA)
    r = 3 * (t - 1) + 2
    cv2.circle(expected, (100, round(xy[-1, 1])), r, TEXT_RGB, t - 1, cv2.LINE_AA)
    assert len(np.unique(bucket)) > 3, "the test needs several colour buckets"
    np.testing.assert_array_equal(frame, expected)


def _straight_tracks(
    n: int, t_s: np.ndarray
) -> tuple[PoseTrack, BarTrack, dict[str, np.ndarray], list[dict], list[dict]]:
    pose = PoseTrack(
        t_s=t_s,
        keypoints_xy_px=np.full((n, N_JOINTS, 2), np.nan, np.float32),
        visibility=np.zeros((n, N_JOINTS), np.float32),
        lifter_found=np.zeros(n, bool),
        filled=np.zeros(n, bool),
    )
    y = np.linspace(180, 20, n)
    bar = BarTrack(
        t_s=t_s, x_px=np.full(n, 100.0), y_px=y, radius_px=np.full(n, 10.0),
        confidence=np.ones(n), source=np.full(n, "detected", dtype=object),
    )
    series = {"bar_speed_mps": np.linspace(0.0, 1.0, n)}
    return pose, bar, series, [], []


def test_keyframes_decoded_on_in_one_pass_match_single_seeks(disc_clip: DiscClip, tmp_path: Path) -> None:
    # Near events are reached by decoding on from the previous one; the pictures must be the same as
    # when each event is found by its own seek (g=30 in the fixture: frames 2..40 span two GOPs).
    overlay = overlay_from(*tracks_for(disc_clip), "metric")
    events = {f"e{f}": {"t_s": float(disc_clip.t_s[f]), "frame": f} for f in (2, 3, 29, 31, 40)}
    together = write_keyframes(disc_clip.path, events, overlay, tmp_path / "together")
    assert sorted(together) == sorted(events)
    for name, event in events.items():
        alone = write_keyframes(disc_clip.path, {name: event}, overlay, tmp_path / f"alone_{name}")[name]
        a, b = cv2.imread(str(together[name])), cv2.imread(str(alone))
        np.testing.assert_array_equal(a, b)


def test_keyframes_seek_when_a_key_frame_lies_between_events(
    disc_clip: DiscClip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the clip's key frames (g=30: 0, 30, 60) a seek replaces decoding on whenever a key frame lies
    # between the last decoded frame and the next event: fewer frames decoded, the same pictures.
    from pipelines.render import keyframes
    from pipelines.video.probe import probe_video

    decoded = [0]
    real_frames_from = keyframes.frames_from

    def counting_frames_from(*args: Any) -> Iterator[tuple[float, Any]]:
        for item in real_frames_from(*args):
            decoded[0] += 1
            yield item

    monkeypatch.setattr(keyframes, "frames_from", counting_frames_from)
    overlay = overlay_from(*tracks_for(disc_clip), "metric")
    events = {f"e{f}": {"t_s": float(disc_clip.t_s[f]), "frame": f} for f in (2, 3, 29, 31, 40, 70)}
    key_frames = [int(k) for k in probe_video(disc_clip.path).keyframe_index]
    assert key_frames == [0, 30, 60]
    by_distance = write_keyframes(disc_clip.path, events, overlay, tmp_path / "distance")
    decoded_by_distance, decoded[0] = decoded[0], 0
    by_key_frames = write_keyframes(
        disc_clip.path, events, overlay, tmp_path / "keys", keyframe_index=key_frames
    )
    assert decoded[0] < decoded_by_distance  # 70 is reached from key frame 60, not decoded on from 40
    for name in events:
        a, b = cv2.imread(str(by_distance[name])), cv2.imread(str(by_key_frames[name]))
        np.testing.assert_array_equal(a, b)
