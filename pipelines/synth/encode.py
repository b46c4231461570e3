"""Stream BGR frames into an H.264 MP4 with PyAV (libx264, yuv420p), with real pts.

Portrait clips are stored landscape and tagged with a display rotation, as phones do.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np

VFR_TIME_BASE = Fraction(1, 90000)


def frame_times(
    n_frames: int, fps: float, variable: bool, jitter_fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, Fraction]:
    """(pts (n,) int64, t_s (n,) float64, time_base). Constant rate: pts = k in 1/fps units.

    Variable rate: each frame moves by up to +/- jitter_fraction of the interval, quantised to
    1/90000 s, so time must come from the pts (as with phone footage).
    """
    if not variable:
        rate = Fraction(fps).limit_denominator(1001)
        pts = np.arange(n_frames, dtype=np.int64)
        return pts, pts / float(rate), 1 / rate
    jitter = np.clip(jitter_fraction, 0.0, 0.45)
    t = (np.arange(n_frames) + rng.uniform(-jitter, jitter, n_frames)) / fps
    t -= t[0]
    pts = np.round(t * VFR_TIME_BASE.denominator).astype(np.int64)
    return pts, pts / float(VFR_TIME_BASE.denominator), VFR_TIME_BASE


class VideoWriter:
    """Context manager: ``write(bgr_displayed, pts)`` one frame at a time."""

    def __init__(
        self,
        path: Path,
        width_px: int,
        height_px: int,
        fps: float,
        time_base: Fraction,
        bitrate_bps: int,
        crf: int | None,
        rotation_cw_deg: int,
    ) -> None:
        self.rotation = rotation_cw_deg % 360
        stored_w, stored_h = (height_px, width_px) if self.rotation in (90, 270) else (width_px, height_px)
        self.container = av.open(str(path), mode="w")
        options = {"preset": "veryfast", "profile": "high"}
        if crf is not None:
            options["crf"] = str(crf)
        self.stream = self.container.add_stream(
            "libx264", rate=Fraction(fps).limit_denominator(1001), options=options
        )
        self.stream.width, self.stream.height = stored_w, stored_h
        self.stream.pix_fmt = "yuv420p"
        if crf is None:
            self.stream.bit_rate = bitrate_bps
        self.stream.codec_context.time_base = time_base
        self.stream.time_base = time_base
        if self.rotation:
            # PyAV takes the counter-clockwise angle; players rotate clockwise by rotation_cw_deg.
            self.stream.set_display_rotation(-self.rotation)
        self.time_base = time_base

    def write(self, bgr: np.ndarray, pts: int) -> None:
        stored = np.ascontiguousarray(np.rot90(bgr, k=self.rotation // 90)) if self.rotation else bgr
        frame = av.VideoFrame.from_ndarray(stored, format="bgr24")
        frame.pts = int(pts)
        frame.time_base = self.time_base
        for packet in self.stream.encode(frame):
            self.container.mux(packet)

    def close(self) -> None:
        for packet in self.stream.encode():
            self.container.mux(packet)
        self.container.close()

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
