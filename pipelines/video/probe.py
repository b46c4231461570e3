"""Probe a video: validate it and read the facts the analysis needs (real timestamps, rotation).

Demuxing every packet (no decoding) gives exact presentation timestamps, key-frame positions for
segment planning and catches truncated files; decoding the first frame proves the stream decodes and
gives the display rotation. Everything raises BadVideoError / VideoTooLargeError with a reason a
person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from pipelines.errors import BadVideoError, VideoTooLargeError
from pipelines.types import VideoInfo

# A frame-to-frame interval spread beyond this fraction of the median marks variable frame rate.
_VFR_SPREAD = 0.05


@dataclass(frozen=True, slots=True)
class ProbeResult:
    info: VideoInfo
    t_s: np.ndarray  # (n_frames,) presentation time of each frame from the first, seconds, increasing
    pts: np.ndarray  # (n_frames,) int64 raw pts in the stream time base, presentation order
    keyframe_index: np.ndarray  # (k,) indices into t_s of key frames (decoding can start there)
    time_base: float
    # exact stream timing, for writing frames back with the source's timestamps (annotated video)
    time_base_q: Fraction
    average_rate: Fraction | None
    duration_pts: np.ndarray  # (n_frames,) int64 packet durations in time_base_q (0: unknown)


def probe_video(path: Path, max_duration_s: float = float("inf")) -> ProbeResult:
    size = path.stat().st_size if path.exists() else -1
    if size < 0:
        raise BadVideoError(f"file not found: {path.name}")
    if size == 0:
        raise BadVideoError("the file is empty (0 bytes)")
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise BadVideoError(f"not a readable video file ({_reason(exc)})") from exc
    with container:
        if not container.streams.video:
            raise BadVideoError("the file has no video stream")
        stream = container.streams.video[0]
        if stream.time_base is None:
            raise BadVideoError("the video stream has no time base")
        time_base = float(stream.time_base)
        pts_list: list[int] = []
        key_pts: list[int] = []
        duration_of: dict[int, int] = {}
        try:
            for packet in container.demux(stream):
                if packet.pts is None or packet.size == 0:
                    continue
                pts_list.append(int(packet.pts))
                duration_of[int(packet.pts)] = int(packet.duration or 0)
                if packet.is_keyframe:
                    key_pts.append(int(packet.pts))
        except av.error.FFmpegError as exc:
            raise BadVideoError(f"the video is damaged or truncated ({_reason(exc)})") from exc
        if len(pts_list) < 2:
            raise BadVideoError(f"the video has {len(pts_list)} frame(s); at least 2 are needed")
        rotation_ccw = _first_frame_rotation(path)
        codec = stream.codec_context.name
        time_base_q = Fraction(stream.time_base)
        average_rate = Fraction(stream.average_rate) if stream.average_rate else None
        width, height = int(stream.codec_context.width), int(stream.codec_context.height)

    pts = np.unique(np.asarray(pts_list, dtype=np.int64))  # presentation order (B-frames demux out of order)
    t_s = (pts - pts[0]) * time_base
    intervals = np.diff(t_s)
    if np.any(intervals <= 0):
        raise BadVideoError("the video has non-increasing timestamps")
    median_dt = float(np.median(intervals))
    duration_s = float(t_s[-1] + median_dt)
    if duration_s > max_duration_s:
        raise VideoTooLargeError(
            f"the video lasts {duration_s:.1f} s; the limit is {max_duration_s:.0f} s"
        )
    vfr = bool(np.max(np.abs(intervals - median_dt)) > _VFR_SPREAD * median_dt)
    keyframe_index = np.searchsorted(pts, np.unique(np.asarray(key_pts, dtype=np.int64)))
    if keyframe_index.size == 0 or keyframe_index[0] != 0:
        keyframe_index = np.concatenate([[0], keyframe_index]).astype(np.int64)
    rotation_cw = (-rotation_ccw) % 360
    if rotation_cw in (90, 270):
        width, height = height, width
    info = VideoInfo(
        width_px=width, height_px=height, fps=round(float((len(t_s) - 1) / t_s[-1]), 6),
        duration_s=duration_s,
        n_frames=len(t_s), rotation_deg=int(rotation_cw), codec=codec, variable_frame_rate=vfr,
        size_bytes=size,
    )
    duration_pts = np.asarray([duration_of.get(int(p), 0) for p in pts], dtype=np.int64)
    return ProbeResult(info=info, t_s=t_s, pts=pts, keyframe_index=keyframe_index, time_base=time_base,
                       time_base_q=time_base_q, average_rate=average_rate, duration_pts=duration_pts)


def _first_frame_rotation(path: Path) -> int:
    """Counter-clockwise display rotation in degrees (PyAV's convention), from the first decoded frame."""
    try:
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                return round(frame.rotation / 90.0) * 90 % 360
    except av.error.FFmpegError as exc:
        raise BadVideoError(f"the video stream cannot be decoded ({_reason(exc)})") from exc
    raise BadVideoError("no frame of the video could be decoded")


def _reason(exc: Exception) -> str:
    text = str(exc).split(":", 1)[-1].strip() or type(exc).__name__
    return text[:200]
