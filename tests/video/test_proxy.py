from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipelines.errors import AnalysisError
from pipelines.video.decode import Segment, decode_segment_frames
from pipelines.video.probe import probe_video
from pipelines.video.proxy import ProxyWriter, proxies_cover, proxy_coded_size, proxy_frames_rgb
from tests.support.clips import encode_clip, frame_pattern


def test_proxy_size_follows_the_annotated_video_and_the_rotation() -> None:
    assert proxy_coded_size((1920, 1080), 0, (720, 404)) == (720, 404)
    assert proxy_coded_size((1080, 1920), 90, (404, 720)) == (720, 404)  # stored turned: coded is landscape
    assert proxy_coded_size((640, 360), 0, (640, 360)) is None  # no downscale: render decodes the source


def test_proxies_round_trip_every_frame_in_order(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    encode_clip(path, width=320, height=240, n_frames=40, gop=10)
    probe = probe_video(path)
    segments = [Segment(0, 0, 17), Segment(1, 17, 40)]
    proxies = []
    for seg in segments:
        writer = ProxyWriter(seg.start_frame, (160, 120), 0)
        for _, frame in decode_segment_frames(path, probe, seg):
            writer.add(frame)
        proxies.append(writer.finish())
    assert [(p.start_frame, p.n_frames) for p in proxies] == [(0, 17), (17, 23)]
    assert proxies_cover(proxies, 40)
    assert not proxies_cover(proxies[1:], 40) and not proxies_cover(proxies, 41)
    got = list(proxy_frames_rgb(proxies, 10, 30))  # crosses the boundary between the two
    assert [i for i, _ in got] == list(range(10, 30))
    for i, rgb in got:
        assert rgb.shape == (120, 160, 3)
        expected = frame_pattern(i, 320, 240)[::2, ::2].astype(float)
        # the moving square is where frame i drew it: the proxy holds frame i, not a neighbour
        assert np.abs(rgb.astype(float) - expected).mean() < 12.0, f"frame {i}"
    with pytest.raises(AnalysisError, match="missing"):
        list(proxy_frames_rgb(proxies[1:], 10, 30))


def test_proxy_of_a_portrait_clip_comes_back_upright(tmp_path: Path) -> None:
    path = tmp_path / "portrait.mp4"
    encode_clip(path, width=320, height=240, n_frames=6, rotation_cw=90)
    probe = probe_video(path)
    assert (probe.info.width_px, probe.info.height_px) == (240, 320)
    coded = proxy_coded_size((240, 320), 90, (120, 160))
    assert coded == (160, 120)
    writer = ProxyWriter(0, coded, 90)
    for _, frame in decode_segment_frames(path, probe, Segment(0, 0, 6)):
        writer.add(frame)
    (_, rgb), *_ = proxy_frames_rgb([writer.finish()], 0, 6)
    assert rgb.shape == (160, 120, 3)
    upright = np.rot90(frame_pattern(0, 320, 240), k=-1)[::2, ::2].astype(float)
    assert np.abs(rgb.astype(float) - upright).mean() < 12.0
