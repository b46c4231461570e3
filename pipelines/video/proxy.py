"""Proxy video: the source's frames at the annotated video's size, encoded while the analysis decodes
the source anyway, one small H.264 stream per segment.

Rendering the annotated video used to decode the source a second time (1080p H.264 about 10 CPU-ms a
frame, 4K about 40) only to shrink it to 720 px. Scaling the already-decoded frame and encoding it with
x264 ultrafast at a near-lossless CRF costs ~4 ms; decoding that proxy back costs ~2 ms. The proxies
travel in Ray's object store, so the render tasks need no access to the source file either.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

from pipelines.errors import AnalysisError

# Near-lossless: the annotated video is encoded again at CRF 23; a CRF 16 generation under it is not
# visible at 720 px (bench/render.py compares the two paths' PSNR against the source).
PROXY_CRF = 16
PROXY_PRESET = "ultrafast"


@dataclass(frozen=True, slots=True)
class ProxySegment:
    """Frames [start_frame, start_frame + n_frames) of the clip as an MP4 (H.264 yuv420p) in memory,
    stored orientation, coded size ``coded_wh``."""

    start_frame: int
    n_frames: int
    coded_wh: tuple[int, int]
    rotation_cw_deg: int
    mp4: bytes

    @property
    def end_frame(self) -> int:
        return self.start_frame + self.n_frames


def proxy_coded_size(
    display_wh: tuple[int, int], rotation_cw_deg: int, out_display_wh: tuple[int, int]
) -> tuple[int, int] | None:
    """The proxy's coded (stored-orientation) size for an annotated video of ``out_display_wh``, or None
    when the annotated video keeps the source size (a proxy would then cost more than it saves)."""
    if out_display_wh[0] >= display_wh[0] and out_display_wh[1] >= display_wh[1]:
        return None
    w, h = out_display_wh
    return (h, w) if rotation_cw_deg in (90, 270) else (w, h)


class ProxyWriter:
    """Encodes consecutive decoded frames (stored orientation, any size) into one ProxySegment."""

    def __init__(self, start_frame: int, coded_wh: tuple[int, int], rotation_cw_deg: int) -> None:
        self.start_frame = start_frame
        self.coded_wh = coded_wh
        self.rotation_cw_deg = rotation_cw_deg
        self._buffer = io.BytesIO()
        self._container = av.open(self._buffer, mode="w", format="mp4")
        # pts are frame numbers: the proxy keeps order and count; the source's timing is applied on output
        self._stream = self._container.add_stream("libx264", rate=Fraction(30))
        self._stream.width, self._stream.height = coded_wh
        self._stream.pix_fmt = "yuv420p"
        self._stream.time_base = Fraction(1, 30)
        self._stream.codec_context.thread_count = 1  # one core per Ray task
        self._stream.options = {"preset": PROXY_PRESET, "crf": str(PROXY_CRF)}
        self.n_frames = 0

    def add(self, frame: av.VideoFrame) -> None:
        w, h = self.coded_wh
        small = frame.reformat(width=w, height=h, format="yuv420p", interpolation="AREA")
        small.pts = self.n_frames
        small.time_base = Fraction(1, 30)
        for packet in self._stream.encode(small):
            self._container.mux(packet)
        self.n_frames += 1

    def finish(self) -> ProxySegment:
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()
        return ProxySegment(start_frame=self.start_frame, n_frames=self.n_frames, coded_wh=self.coded_wh,
                            rotation_cw_deg=self.rotation_cw_deg, mp4=self._buffer.getvalue())


def proxies_cover(proxies: Sequence[ProxySegment], n_frames: int) -> bool:
    """Whether the proxies, in order, hold every frame of the clip exactly once."""
    expected = 0
    for proxy in sorted(proxies, key=lambda p: p.start_frame):
        if proxy.start_frame != expected or proxy.n_frames <= 0:
            return False
        expected = proxy.end_frame
    return expected == n_frames


def proxy_frames_rgb(
    proxies: Sequence[ProxySegment], start_frame: int, end_frame: int
) -> Iterator[tuple[int, np.ndarray]]:
    """(frame index, displayed-orientation RGB uint8) for frames [start_frame, end_frame), decoded from
    the proxies that hold them (each decoded from its start; frames before start_frame are skipped)."""
    expected = start_frame
    for proxy in sorted(proxies, key=lambda p: p.start_frame):
        if proxy.end_frame <= expected or proxy.start_frame >= end_frame:
            continue
        if proxy.start_frame > expected:
            raise AnalysisError(f"proxy: frames {expected}..{proxy.start_frame - 1} are missing")
        with av.open(io.BytesIO(proxy.mp4), mode="r") as container:
            stream = container.streams.video[0]
            stream.thread_type = "SLICE"
            stream.codec_context.thread_count = 1
            for k, frame in enumerate(container.decode(stream)):
                idx = proxy.start_frame + k
                if idx < expected:
                    continue
                if idx >= end_frame:
                    break
                rgb: np.ndarray = frame.to_ndarray(format="rgb24")
                if proxy.rotation_cw_deg:
                    rgb = np.ascontiguousarray(np.rot90(rgb, k=-proxy.rotation_cw_deg // 90))
                yield idx, rgb
                expected += 1
        if expected >= end_frame:
            return
    if expected != end_frame:
        raise AnalysisError(f"proxy: frames {expected}..{end_frame - 1} are missing")
