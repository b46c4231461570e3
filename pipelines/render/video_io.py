"""PyAV helpers shared by the chunk encoder and the key-frame writer: displayed orientation, output size,
frame lookup by presentation time, an H.264 encoder in an MP4."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from pipelines.errors import BadVideoError
from pipelines.video.source import VideoSource, describe_source, open_source


def output_size(width_px: int, height_px: int, long_side_px: int) -> tuple[int, int, float]:
    """(out_w, out_h, scale) for a displayed frame scaled down so its long side is <= long_side_px
    (0 keeps the size); both sides even, as yuv420p needs."""
    long_side = max(width_px, height_px)
    scale = 1.0 if long_side_px <= 0 or long_side <= long_side_px else long_side_px / long_side
    out_w = max(2, round(width_px * scale / 2) * 2)
    out_h = max(2, round(height_px * scale / 2) * 2)
    return out_w, out_h, out_w / width_px


def rotation_ccw_deg(frame: av.VideoFrame) -> int:
    """Counter-clockwise rotation the display matrix asks for, snapped to 0/90/180/270."""
    return round(float(frame.rotation) / 90.0) * 90 % 360


def displayed_size(frame: av.VideoFrame) -> tuple[int, int]:
    """(width, height) of the frame as displayed (rotation applied)."""
    if rotation_ccw_deg(frame) in (90, 270):
        return frame.height, frame.width
    return frame.width, frame.height


def displayed_rgb(frame: av.VideoFrame, out_w: int, out_h: int) -> np.ndarray:
    """(out_h, out_w, 3) uint8 RGB of the frame in displayed orientation; swscale does the scaling
    while converting (cheaper than converting the full-size frame first). Area averaging: as sharp as
    the default bicubic when shrinking, at about half its cost (bench/render.py)."""
    rot = rotation_ccw_deg(frame)
    coded_w, coded_h = (out_h, out_w) if rot in (90, 270) else (out_w, out_h)
    rgb: np.ndarray = frame.reformat(
        width=coded_w, height=coded_h, format="rgb24", interpolation="AREA"
    ).to_ndarray()
    if rot:
        return np.ascontiguousarray(np.rot90(rgb, k=rot // 90))
    return rgb


def open_video(
    video_path: VideoSource, threads: int, skip_loop_filter: bool = False
) -> tuple[av.container.InputContainer, av.VideoStream]:
    """The first video stream, decoder threads set (1: no threading, one core per Ray task; 0: auto).

    skip_loop_filter skips H.264/HEVC deblocking: about 15 % less decode CPU, and the blocking it would
    smooth is below one output pixel once the frame is scaled down for the annotated video (not used for
    key-frame stills, which keep full quality)."""
    try:
        container = open_source(video_path)
    except (av.FFmpegError, OSError) as exc:
        raise BadVideoError(f"cannot open {describe_source(video_path)}: {exc}") from exc
    if not container.streams.video:
        container.close()
        raise BadVideoError(f"{describe_source(video_path)}: no video stream")
    stream = container.streams.video[0]
    if threads == 1:
        stream.thread_type = "SLICE"
        stream.codec_context.thread_count = 1
    else:
        stream.thread_type = "AUTO"
        stream.codec_context.thread_count = threads
    if skip_loop_filter:
        stream.codec_context.options = {"skip_loop_filter": "all"}
    return container, stream


def first_frame_pts(video_path: VideoSource) -> int:
    """pts of the first decoded frame: time 0 of every t_s in the project."""
    container, stream = open_video(video_path, threads=1)
    try:
        for frame in container.decode(stream):
            if frame.pts is not None:
                return int(frame.pts)
    finally:
        container.close()
    raise BadVideoError(f"{describe_source(video_path)}: no decodable frame")


def frames_from(
    container: av.container.InputContainer, stream: av.VideoStream, start_t_s: float, first_pts: int
) -> Iterator[tuple[float, av.VideoFrame]]:
    """(t_s, frame) from the key frame at or before start_t_s onwards; t_s counts from first_pts."""
    tb = stream.time_base
    if tb is None:
        raise BadVideoError("video stream has no time base")
    if start_t_s > 0:
        container.seek(first_pts + int(start_t_s / tb), stream=stream, backward=True, any_frame=False)
    for frame in container.decode(stream):
        if frame.pts is None:
            continue
        yield float((frame.pts - first_pts) * tb), frame


class H264Writer:
    """libx264 yuv420p in an MP4, frames given with their own pts (source time base, from 0)."""

    def __init__(
        self,
        *,
        out_path: Path,
        width: int,
        height: int,
        time_base: Fraction,
        rate: Fraction | None,
        preset: str,
        crf: int,
        threads: int,
        faststart: bool,
        tune: str = "",
    ) -> None:
        # The movie timescale defaults to 1/1000 s, which rounds the start edit of a chunk that does not
        # begin at 0; the source time base keeps every chunk's timestamps exact.
        options = {"movie_timescale": str(time_base.denominator)}
        if faststart:
            options["movflags"] = "+faststart"
        self.container = av.open(str(out_path), mode="w", format="mp4", options=options)
        self.stream = self.container.add_stream("libx264", rate=rate or Fraction(30))
        self.stream.width = width
        self.stream.height = height
        self.stream.pix_fmt = "yuv420p"
        self.stream.time_base = time_base
        self.stream.codec_context.time_base = time_base
        self.stream.codec_context.thread_count = threads
        options_x264: dict[str, object] = {"preset": preset, "crf": str(crf), "profile": "high"}
        if tune:
            options_x264["tune"] = tune
        self.stream.options = options_x264
        self.time_base = time_base
        self.frames_written = 0

    def write(self, rgb: np.ndarray, pts: int, duration: int | None) -> None:
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        frame.pts = pts
        frame.time_base = self.time_base
        if duration:
            frame.duration = duration
        for packet in self.stream.encode(frame):
            self.container.mux(packet)
        self.frames_written += 1

    def close(self) -> None:
        for packet in self.stream.encode(None):
            self.container.mux(packet)
        self.container.close()
