"""Segment planning and decoding. Pure functions over a file path; the Ray shell runs them in parallel.

Segments start at key frames so that each decoder starts clean and no frame is decoded twice; frames
are scaled down inside swscale while converting (far cheaper than converting full size then resizing)
and rotated to the displayed orientation.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import av
import numpy as np

from pipelines.video.probe import ProbeResult
from pipelines.video.source import VideoSource, open_source


@dataclass(frozen=True, slots=True)
class Segment:
    """Frames [start, end) in presentation order; decoding seeks to the key frame at or before start."""

    index: int
    start_frame: int
    end_frame: int

    @property
    def n_frames(self) -> int:
        return self.end_frame - self.start_frame


def plan_segments(probe: ProbeResult, segment_s: float) -> list[Segment]:
    """Group key-frame intervals into segments of about ``segment_s``.

    A key-frame interval longer than 2 x segment_s is split by time anyway: the later piece then decodes
    from the earlier key frame (wasted work, but parallelism on single-GOP clips).
    """
    t_s = probe.t_s
    n = len(t_s)
    keys = [int(k) for k in probe.keyframe_index] + [n]
    bounds = [0]
    for k in keys[1:]:
        while t_s[min(k, n) - 1] - t_s[bounds[-1]] > 2 * segment_s:
            cut = int(np.searchsorted(t_s, t_s[bounds[-1]] + segment_s))
            bounds.append(cut)
        if k < n and t_s[k] - t_s[bounds[-1]] >= segment_s:
            bounds.append(k)
    bounds.append(n)
    bounds = sorted(set(bounds))
    return [Segment(i, a, b) for i, (a, b) in enumerate(itertools.pairwise(bounds)) if b > a]


def analysis_size(width_px: int, height_px: int, long_side_px: int) -> tuple[int, int, float]:
    """Scaled (width, height) of the displayed frame and the factor back to original pixels."""
    long_side = max(width_px, height_px)
    if long_side <= long_side_px:
        return width_px, height_px, 1.0
    scale = long_side_px / long_side
    w = max(2, round(width_px * scale / 2) * 2)
    h = max(2, round(height_px * scale / 2) * 2)
    return w, h, width_px / w


def decode_segment(
    path: VideoSource,
    probe: ProbeResult,
    segment: Segment,
    out_wh: tuple[int, int],
    *,
    include_previous: bool = False,
    threads: int = 1,
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (frame_index, rgb) for the segment's frames: displayed orientation, size ``out_wh``,
    C-contiguous uint8. With include_previous, the frame before the segment is yielded first."""
    for idx, frame in decode_segment_frames(path, probe, segment, include_previous=include_previous,
                                            threads=threads):
        yield idx, analysis_rgb(frame, out_wh, probe.info.rotation_deg)


def analysis_rgb(frame: av.VideoFrame, out_wh: tuple[int, int], rotation_cw_deg: int) -> np.ndarray:
    """The decoded frame as C-contiguous uint8 RGB of displayed size ``out_wh`` (rotation applied)."""
    # The decoder works in the stored orientation: scale to the rotated size, then rotate.
    dec_w, dec_h = (out_wh[1], out_wh[0]) if rotation_cw_deg in (90, 270) else out_wh
    rgb: np.ndarray = frame.to_ndarray(format="rgb24", width=dec_w, height=dec_h)
    if rotation_cw_deg:
        rgb = np.ascontiguousarray(np.rot90(rgb, k=-rotation_cw_deg // 90))
    return rgb


def decode_segment_frames(
    path: VideoSource,
    probe: ProbeResult,
    segment: Segment,
    *,
    include_previous: bool = False,
    threads: int = 1,
) -> Iterator[tuple[int, av.VideoFrame]]:
    """Yield (frame_index, decoded frame in the stored orientation) for the segment's frames; with
    include_previous, the frame before the segment first."""
    first = segment.start_frame - 1 if include_previous and segment.start_frame > 0 else segment.start_frame
    wanted_pts = probe.pts[first:segment.end_frame]
    index_of = {int(p): first + i for i, p in enumerate(wanted_pts)}
    last_pts = int(wanted_pts[-1])
    with open_source(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO" if threads > 1 else "SLICE"
        stream.codec_context.thread_count = threads
        if first > 0:
            container.seek(int(wanted_pts[0]), stream=stream, backward=True, any_frame=False)
        for frame in container.decode(stream):
            if frame.pts is None:
                continue
            pts = int(frame.pts)
            if pts > last_pts:
                break
            idx = index_of.get(pts)
            if idx is None:
                continue
            yield idx, frame
            if pts == last_pts:
                break
