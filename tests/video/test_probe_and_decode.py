from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipelines.errors import BadVideoError, VideoTooLargeError
from pipelines.video.decode import analysis_size, decode_segment, plan_segments
from pipelines.video.probe import probe_video
from tests.support.clips import encode_clip, frame_pattern


def test_probe_reads_fps_as_float_and_real_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "a.mp4"
    times = encode_clip(path, n_frames=60, fps=29.97)
    probe = probe_video(path)
    assert probe.info.n_frames == 60
    assert probe.info.fps == pytest.approx(29.97, abs=0.01)
    assert probe.info.codec == "h264"
    assert not probe.info.variable_frame_rate
    np.testing.assert_allclose(probe.t_s, times, atol=1e-4)


def test_probe_detects_variable_frame_rate_and_keeps_true_times(tmp_path: Path) -> None:
    path = tmp_path / "vfr.mp4"
    times = encode_clip(path, n_frames=40, pts_jitter=0.3)
    probe = probe_video(path)
    assert probe.info.variable_frame_rate
    np.testing.assert_allclose(probe.t_s, times, atol=1e-4)


def test_portrait_rotation_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "portrait.mp4"
    encode_clip(path, width=320, height=240, n_frames=10, rotation_cw=90)
    probe = probe_video(path)
    assert probe.info.rotation_deg == 90
    assert (probe.info.width_px, probe.info.height_px) == (240, 320)
    seg = plan_segments(probe, 10.0)[0]
    idx, rgb = next(decode_segment(path, probe, seg, (240, 320)))
    assert idx == 0 and rgb.shape == (320, 240, 3) and rgb.flags.c_contiguous
    # The stored frame rotated clockwise by 90 degrees: its top-left pixel came from the bottom-left.
    stored = frame_pattern(0, 320, 240)
    expected = np.rot90(stored, k=-1)
    assert np.abs(rgb.astype(int) - expected.astype(int)).mean() < 12


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty"),
    (b"\x00\x01garbage" * 1000, "not a readable video"),
])
def test_bad_files_are_rejected_with_a_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.mp4"
    path.write_bytes(content)
    with pytest.raises(BadVideoError, match=reason):
        probe_video(path)


def test_truncated_and_audio_only_files_are_rejected(tmp_path: Path) -> None:
    good = tmp_path / "good.mp4"
    encode_clip(good, n_frames=60)
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(BadVideoError):
        probe_video(truncated)

    import av

    audio = tmp_path / "audio.m4a"
    with av.open(str(audio), "w") as out:
        stream = out.add_stream("aac", rate=16000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    with pytest.raises(BadVideoError, match="no video stream"):
        probe_video(audio)


def test_duration_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.mp4"
    encode_clip(path, n_frames=60, fps=30)
    with pytest.raises(VideoTooLargeError, match="limit"):
        probe_video(path, max_duration_s=1.0)


def test_segments_cover_every_frame_once_and_decode_exactly(tmp_path: Path) -> None:
    path = tmp_path / "seg.mp4"
    encode_clip(path, n_frames=95, gop=10)
    probe = probe_video(path)
    segments = plan_segments(probe, segment_s=0.5)
    assert len(segments) > 3
    covered = [i for s in segments for i in range(s.start_frame, s.end_frame)]
    assert covered == list(range(95))
    seen: list[int] = []
    for seg in segments:
        frames = list(decode_segment(path, probe, seg, (160, 120), include_previous=True))
        indices = [i for i, _ in frames]
        expected_first = seg.start_frame - 1 if seg.start_frame > 0 else 0
        assert indices == list(range(expected_first, seg.end_frame))
        seen += [i for i in indices if i >= seg.start_frame]
        assert frames[-1][1].shape == (120, 160, 3)
    assert seen == list(range(95))


def test_single_gop_clip_is_still_split(tmp_path: Path) -> None:
    path = tmp_path / "onegop.mp4"
    encode_clip(path, n_frames=90, gop=1000)
    probe = probe_video(path)
    segments = plan_segments(probe, segment_s=1.0)
    assert len(segments) >= 2
    last = segments[-1]
    indices = [i for i, _ in decode_segment(path, probe, last, (160, 120))]
    assert indices == list(range(last.start_frame, last.end_frame))


def test_analysis_size_keeps_aspect_and_even_sizes() -> None:
    assert analysis_size(1920, 1080, 960) == (960, 540, 2.0)
    w, h, scale = analysis_size(3840, 2160, 960)
    assert (w, h) == (960, 540) and scale == 4.0
    assert analysis_size(640, 360, 960) == (640, 360, 1.0)
