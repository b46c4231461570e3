"""Render one frame range of the annotated video: frames from the source (decoded again with PyAV) or from
the analysis pass's proxies, drawn on, encoded H.264 with the source's timing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from pipelines.errors import AnalysisError, BadVideoError
from pipelines.render.draw import draw_frame
from pipelines.render.overlay import OverlayData
from pipelines.render.video_io import (
    H264Writer,
    displayed_rgb,
    displayed_size,
    first_frame_pts,
    frames_from,
    open_video,
    output_size,
)
from pipelines.video.proxy import ProxySegment, proxy_frames_rgb
from pipelines.video.source import VideoSource, describe_source


def render_annotated_chunk(
    video_path: VideoSource, start_frame: int, end_frame: int, overlay: OverlayData, out_path: Path
) -> int:
    """Write frames [start_frame, end_frame) of the video, annotated, to out_path (MP4, H.264 yuv420p,
    +faststart). Frames keep their presentation timestamps (relative to the clip's first frame) in the
    source time base, so chunks join back into the original timing. Returns frames written."""
    if not 0 <= start_frame < end_frame <= overlay.n_frames:
        raise ValueError(
            f"frame range: expected 0 <= start < end <= {overlay.n_frames}, got [{start_frame}, {end_frame})"
        )
    first_pts = first_frame_pts(video_path)
    container, stream = open_video(video_path, threads=overlay.encode_threads, skip_loop_filter=True)
    time_base = stream.time_base
    if time_base is None:
        raise BadVideoError(f"{describe_source(video_path)}: video stream has no time base")
    writer: H264Writer | None = None
    expected = start_frame
    try:
        for t_s, frame in frames_from(container, stream, float(overlay.t_s[start_frame]), first_pts):
            i = overlay.frame_at(t_s)
            if i is None:
                raise AnalysisError(f"render: decoded frame at t={t_s:.4f} s has no overlay row")
            if i < start_frame or frame.pts is None:
                continue  # decoded from the key frame before the range
            if i >= end_frame:
                break
            if i != expected:
                raise AnalysisError(f"render: expected frame {expected}, decoded frame {i} (t={t_s:.4f} s)")
            if writer is None:
                disp_w, disp_h = displayed_size(frame)
                out_w, out_h, scale = output_size(disp_w, disp_h, overlay.out_long_side_px)
                writer = H264Writer(
                    out_path=out_path,
                    width=out_w,
                    height=out_h,
                    time_base=time_base,
                    rate=stream.average_rate,
                    preset=overlay.encode_preset,
                    crf=overlay.encode_crf,
                    threads=overlay.encode_threads,
                    faststart=True,
                    tune=overlay.encode_tune,
                )
            rgb = displayed_rgb(frame, out_w, out_h)
            draw_frame(rgb, overlay, i, scale)
            writer.write(rgb, frame.pts - first_pts, frame.duration or None)
            expected += 1
    finally:
        if writer is not None:
            writer.close()
        container.close()
    if expected != end_frame:
        raise BadVideoError(f"render: video ended after frame {expected - 1}, overlay has {end_frame} frames")
    return expected - start_frame


@dataclass(frozen=True, slots=True)
class SourceTiming:
    """The source stream's timing, so frames rendered from proxies keep the original timestamps.

    pts: (n_frames,) int64 presentation timestamps from the clip's first frame, in ``time_base``.
    duration_pts: (n_frames,) int64 frame durations in ``time_base`` (0: unknown).
    """

    time_base: Fraction
    average_rate: Fraction | None
    pts: np.ndarray
    duration_pts: np.ndarray
    display_wh: tuple[int, int]


def render_annotated_chunk_from_proxies(
    proxies: Sequence[ProxySegment],
    start_frame: int,
    end_frame: int,
    overlay: OverlayData,
    timing: SourceTiming,
    out_path: Path,
) -> int:
    """render_annotated_chunk, with the frames taken from proxy segments (pipelines/video/proxy.py) already
    at the output size instead of decoding the source again. Same output: H.264 yuv420p MP4, +faststart,
    the source's timestamps and durations. Returns frames written."""
    if not 0 <= start_frame < end_frame <= overlay.n_frames:
        raise ValueError(
            f"frame range: expected 0 <= start < end <= {overlay.n_frames}, got [{start_frame}, {end_frame})"
        )
    out_w, out_h, scale = output_size(*timing.display_wh, overlay.out_long_side_px)
    writer = H264Writer(
        out_path=out_path, width=out_w, height=out_h, time_base=timing.time_base, rate=timing.average_rate,
        preset=overlay.encode_preset, crf=overlay.encode_crf, threads=overlay.encode_threads,
        faststart=True, tune=overlay.encode_tune,
    )
    written = 0
    try:
        for i, decoded in proxy_frames_rgb(proxies, start_frame, end_frame):
            if decoded.shape[:2] != (out_h, out_w):
                raise AnalysisError(f"render: proxy frame {i} is {decoded.shape[1]}x{decoded.shape[0]}, "
                                    f"expected {out_w}x{out_h}")
            rgb = np.ascontiguousarray(decoded)  # drawn on in place
            draw_frame(rgb, overlay, i, scale)
            duration = int(timing.duration_pts[i])
            writer.write(rgb, int(timing.pts[i]), duration or None)
            written += 1
    finally:
        writer.close()
    if written != end_frame - start_frame:
        raise AnalysisError(f"render: {written} proxy frames for [{start_frame}, {end_frame})")
    return written
