"""Render one frame range of the annotated video: decode (PyAV), draw, encode H.264 with source timing."""

from __future__ import annotations

from pathlib import Path

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


def render_annotated_chunk(
    video_path: Path, start_frame: int, end_frame: int, overlay: OverlayData, out_path: Path
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
        raise BadVideoError(f"{video_path}: video stream has no time base")
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
