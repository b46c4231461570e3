"""The annotated video drawn on the analysis pass's proxies (pipelines/video/proxy.py) must come out like
the one drawn on the source decoded again: same frames, same timestamps, same picture within coding noise."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import av
import numpy as np
import pytest

from pipelines.render import overlay_from, render_annotated_chunk
from pipelines.render.annotated_chunk import render_annotated_chunk_from_proxies
from pipelines.render.overlay import OverlayData
from pipelines.render.video_io import output_size
from pipelines.shell.outputs import source_timing
from pipelines.shell.render import ProxyFrames, render_annotated_video, start_annotated_video
from pipelines.video.decode import decode_segment_frames, plan_segments
from pipelines.video.probe import probe_video
from pipelines.video.proxy import ProxySegment, ProxyWriter, proxy_coded_size
from tests.render.conftest import DiscClip, tracks_for
from tests.render.test_annotated_video import _assert_same_timing

OUT_LONG_SIDE_PX = 320


def _proxies(clip: DiscClip, overlay: OverlayData) -> list[ProxySegment]:
    """What the segment tasks make: one proxy per planned segment, at the annotated video's size."""
    probe = probe_video(clip.path)
    out_w, out_h, _ = output_size(clip.width_px, clip.height_px, overlay.out_long_side_px)
    coded_wh = proxy_coded_size((clip.width_px, clip.height_px), probe.info.rotation_deg, (out_w, out_h))
    assert coded_wh is not None
    proxies = []
    for segment in plan_segments(probe, segment_s=0.9):
        writer = ProxyWriter(segment.start_frame, coded_wh, probe.info.rotation_deg)
        for _, frame in decode_segment_frames(clip.path, probe, segment):
            writer.add(frame)
        proxies.append(writer.finish())
    assert len(proxies) >= 2
    return proxies


def _frames(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        return np.stack([f.to_ndarray(format="rgb24") for f in c.decode(video=0)]).astype(np.float64)


def _psnr_db(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return 10 * np.log10(255.0**2 / max(mse, 1e-12))


def _overlay(clip: DiscClip, units: str = "metric") -> OverlayData:
    return dataclasses.replace(overlay_from(*tracks_for(clip), units), out_long_side_px=OUT_LONG_SIDE_PX)


@pytest.mark.parametrize("clip_name", ["disc_clip", "portrait_clip"])
def test_proxy_render_matches_the_source_render(
    clip_name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    clip: DiscClip = request.getfixturevalue(clip_name)
    overlay = _overlay(clip)
    timing = source_timing(probe_video(clip.path))
    from_source, from_proxy = tmp_path / "source.mp4", tmp_path / "proxy.mp4"
    render_annotated_chunk(clip.path, 0, overlay.n_frames, overlay, from_source)
    written = render_annotated_chunk_from_proxies(
        _proxies(clip, overlay), 0, overlay.n_frames, overlay, timing, from_proxy
    )
    assert written == overlay.n_frames
    info = _assert_same_timing(clip.path, from_proxy)  # frame count, pts, duration, codec, moov first
    source_info = _assert_same_timing(clip.path, from_source)
    assert info["size"] == source_info["size"] and info["rotation"] == 0
    psnr = _psnr_db(_frames(from_source), _frames(from_proxy))
    assert psnr > 35.0, f"proxy render differs from the source render: PSNR {psnr:.1f} dB"


def test_chunked_proxy_render_takes_each_range_from_its_own_proxies(
    disc_clip: DiscClip, tmp_path: Path
) -> None:
    overlay = _overlay(disc_clip)
    frames = ProxyFrames(tuple(_proxies(disc_clip, overlay)), source_timing(probe_video(disc_clip.path)))
    out = tmp_path / "joined.mp4"
    # chunk boundaries that cut through proxies: a chunk decodes a proxy from its start and skips ahead
    written = render_annotated_video(
        disc_clip.path, overlay, out, overlay.n_frames, ranges=[(0, 20), (20, 75)], frames=frames,
    )
    assert written == overlay.n_frames
    _assert_same_timing(disc_clip.path, out)
    second = frames.overlapping(20, 75)
    assert second[0].start_frame < 20 < second[0].end_frame, "the test must cut through a proxy"


def test_proxies_with_a_hole_fall_back_to_the_source(disc_clip: DiscClip, tmp_path: Path) -> None:
    overlay = _overlay(disc_clip)
    proxies = _proxies(disc_clip, overlay)
    holed = ProxyFrames(tuple(proxies[1:]), source_timing(probe_video(disc_clip.path)))
    out = tmp_path / "fallback.mp4"
    assert start_annotated_video(disc_clip.path, overlay, out, overlay.n_frames, frames=holed).result() == 75
    _assert_same_timing(disc_clip.path, out)


def test_variable_frame_rate_keeps_every_timestamp(tmp_path: Path) -> None:
    from tests.support.clips import encode_clip

    path = tmp_path / "vfr.mp4"
    encode_clip(path, width=640, height=360, n_frames=45, pts_jitter=0.3, gop=10)
    probe = probe_video(path)
    assert probe.info.variable_frame_rate
    clip = DiscClip(path, probe.t_s, np.zeros((45, 2)), 640, 360, probe.info.duration_s)
    overlay = _overlay(clip)
    from_source, from_proxy = tmp_path / "source.mp4", tmp_path / "proxy.mp4"
    render_annotated_chunk(path, 0, 45, overlay, from_source)
    render_annotated_chunk_from_proxies(
        _proxies(clip, overlay), 0, 45, overlay, source_timing(probe), from_proxy
    )
    with av.open(str(from_source)) as a, av.open(str(from_proxy)) as b:
        assert [f.pts for f in a.decode(video=0)] == [f.pts for f in b.decode(video=0)]
        assert a.streams.video[0].duration == b.streams.video[0].duration
    np.testing.assert_allclose(  # every frame at its source time (the source path's own test, for VFR)
        _probe_pts_s(from_proxy), probe.t_s, atol=1e-6
    )


def _probe_pts_s(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        assert stream.time_base is not None
        return np.asarray([f.pts for f in c.decode(stream)], dtype=np.float64) * float(stream.time_base)
