from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from pipelines.errors import AnalysisError
from pipelines.render import overlay_from, render_annotated_chunk
from pipelines.render.draw import LEFT_RGB
from pipelines.render.mp4_join import join_mp4_chunks
from pipelines.shell.render import chunk_ranges, render_annotated_video
from services.inference.joints import JOINT_INDEX
from tests.render.conftest import DiscClip, tracks_for
from tests.render.mp4_boxes import top_level_boxes


def _probe(path: Path) -> dict[str, Any]:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        assert s.time_base is not None and s.duration is not None
        pts = [f.pts for f in c.decode(s)]
        out: dict[str, Any] = {
            "codec": s.codec_context.name,
            "pix_fmt": s.codec_context.pix_fmt,
            "n": len(pts),
            "pts_s": np.asarray(pts, dtype=np.float64) * float(s.time_base),
            "duration_s": float(s.duration * s.time_base),
        }
    with av.open(str(path)) as c:
        frame = next(c.decode(video=0))
        out["size"] = (frame.width, frame.height)
        out["rotation"] = frame.rotation
    return out


def _assert_same_timing(src: Path, out: Path) -> dict:
    a, b = _probe(src), _probe(out)
    assert b["codec"] == "h264"
    assert b["pix_fmt"] == "yuv420p"
    assert b["n"] == a["n"], f"frames: expected {a['n']}, got {b['n']}"
    assert b["duration_s"] == pytest.approx(a["duration_s"], abs=1e-6)
    np.testing.assert_allclose(b["pts_s"], a["pts_s"] - a["pts_s"][0], atol=1e-6)
    boxes = top_level_boxes(out)
    assert boxes.index("moov") < boxes.index("mdat"), f"expected moov before mdat, got {boxes}"
    return b


def test_single_chunk_keeps_timing_and_plays_in_browsers(disc_clip: DiscClip, tmp_path: Path) -> None:
    overlay = overlay_from(*tracks_for(disc_clip), "metric")
    out = tmp_path / "analyzed.mp4"
    written = render_annotated_chunk(disc_clip.path, 0, overlay.n_frames, overlay, out)
    assert written == disc_clip.t_s.size
    info = _assert_same_timing(disc_clip.path, out)
    assert info["size"] == (640, 360)  # out_long_side_px 960 does not upscale


def test_skeleton_and_readouts_are_drawn(disc_clip: DiscClip, tmp_path: Path) -> None:
    pose, bar, series, phases, warnings = tracks_for(disc_clip)
    overlay = overlay_from(pose, bar, series, phases, warnings, "metric")
    out = tmp_path / "a.mp4"
    render_annotated_chunk(disc_clip.path, 30, 40, overlay, out)
    with av.open(str(out)) as c:
        rgb = next(c.decode(video=0)).to_ndarray(format="rgb24").astype(int)
    knee, ankle = pose.keypoints_xy_px[30, JOINT_INDEX["lkne"]], pose.keypoints_xy_px[30, JOINT_INDEX["lank"]]
    mid = np.round((knee + ankle) / 2).astype(int)
    assert np.abs(rgb[mid[1], mid[0]] - np.array(LEFT_RGB)).max() < 60, (
        "left shin not drawn in the left colour"
    )
    background = np.array((40, 70, 40))
    assert np.abs(rgb[14:60, 14:120] - background).max() > 150, "readout panel missing"


def test_portrait_phone_video_comes_out_upright(portrait_clip: DiscClip, tmp_path: Path) -> None:
    overlay = overlay_from(*tracks_for(portrait_clip), "imperial")
    out = tmp_path / "portrait.mp4"
    render_annotated_chunk(portrait_clip.path, 0, overlay.n_frames, overlay, out)
    info = _assert_same_timing(portrait_clip.path, out)
    width, height = info["size"]
    assert (width, height) == (360, 640)
    assert info["rotation"] == 0
    with av.open(str(out)) as c:
        rgb = next(c.decode(video=0)).to_ndarray(format="rgb24").astype(int)
    # The light band marks the top of the displayed picture; the readout panel covers the left part.
    assert rgb[20:40, 250:350].mean() > 150, "expected the light band at the top"
    assert rgb[-40:, 250:350].mean() < 120


def test_chunks_join_without_reencoding_to_the_original_timing(disc_clip: DiscClip, tmp_path: Path) -> None:
    overlay = overlay_from(*tracks_for(disc_clip), "metric")
    out = tmp_path / "joined.mp4"
    written = render_annotated_video(disc_clip.path, overlay, out, overlay.n_frames, chunk_frames=30)
    assert written == overlay.n_frames
    _assert_same_timing(disc_clip.path, out)
    assert not list(tmp_path.glob(".chunks-*")), "chunk files left behind"


def test_join_refuses_chunks_encoded_differently(disc_clip: DiscClip, tmp_path: Path) -> None:
    overlay = overlay_from(*tracks_for(disc_clip), "metric")
    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    render_annotated_chunk(disc_clip.path, 0, 20, overlay, a)
    import dataclasses

    render_annotated_chunk(disc_clip.path, 20, 40, dataclasses.replace(overlay, out_long_side_px=320), b)
    with pytest.raises(AnalysisError, match="different parameters"):
        join_mp4_chunks([a, b], tmp_path / "j.mp4")


def test_chunk_ranges_cover_every_frame_once() -> None:
    assert chunk_ranges(70, 30) == [(0, 30), (30, 70)]  # a short tail joins the previous chunk
    assert chunk_ranges(75, 30) == [(0, 30), (30, 60), (60, 75)]
    assert chunk_ranges(100, 30) == [(0, 30), (30, 60), (60, 100)]
    assert chunk_ranges(10, 30) == [(0, 10)]
    with pytest.raises(ValueError, match="chunk_frames"):
        chunk_ranges(10, 0)


def test_range_outside_the_overlay_is_refused(disc_clip: DiscClip, tmp_path: Path) -> None:
    overlay = overlay_from(*tracks_for(disc_clip), "metric")
    with pytest.raises(ValueError, match="frame range"):
        render_annotated_chunk(disc_clip.path, 10, overlay.n_frames + 1, overlay, tmp_path / "x.mp4")


@pytest.mark.slow
def test_chunks_encode_in_parallel_on_ray(disc_clip: DiscClip, tmp_path: Path, ray_pose: object) -> None:
    # ray_pose: the session's local Ray (tests/conftest.py); chunks run as real Ray tasks on it.
    overlay = overlay_from(*tracks_for(disc_clip), "metric")
    out = tmp_path / "ray.mp4"
    written = render_annotated_video(disc_clip.path, overlay, out, overlay.n_frames, chunk_frames=25)
    assert written == overlay.n_frames
    _assert_same_timing(disc_clip.path, out)


@pytest.mark.slow
def test_chunk_tasks_can_read_the_clip_from_the_object_store(
    disc_clip: DiscClip, tmp_path: Path, ray_pose: object
) -> None:
    """As in a cluster: the tasks get the clip's bytes (not a path they could not see) and hand their
    chunks back as bytes; the joined video is the same as from the path."""
    import ray

    from pipelines.video.source import read_source_bytes

    overlay = overlay_from(*tracks_for(disc_clip), "metric")
    from_path, from_store = tmp_path / "path.mp4", tmp_path / "store.mp4"
    render_annotated_video(disc_clip.path, overlay, from_path, overlay.n_frames, chunk_frames=25)
    source_ref = ray.put(read_source_bytes(disc_clip.path))
    written = render_annotated_video(
        Path("/nonexistent/clip.mp4"), overlay, from_store, overlay.n_frames, chunk_frames=25,
        task_source=source_ref,
    )
    assert written == overlay.n_frames
    _assert_same_timing(disc_clip.path, from_store)
    assert from_store.read_bytes() == from_path.read_bytes()
