"""Encode small real H.264 test clips with PyAV (the tests make their own video; none is committed)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def frame_pattern(i: int, width: int, height: int) -> np.ndarray:
    """A frame whose content encodes its index: a moving square on a gradient (RGB uint8)."""
    y, x = np.mgrid[0:height, 0:width]
    img = np.stack([(x * 255 // max(width - 1, 1)), (y * 255 // max(height - 1, 1)),
                    np.full_like(x, 80)], axis=-1).astype(np.uint8)
    size = max(8, min(width, height) // 6)
    x0 = (i * 7) % max(width - size, 1)
    img[height // 3: height // 3 + size, x0: x0 + size] = (255, 255, 255)
    return img


def encode_clip(
    path: Path,
    *,
    width: int = 320,
    height: int = 240,
    n_frames: int = 30,
    fps: float = 30.0,
    rotation_cw: int = 0,
    gop: int = 15,
    pts_jitter: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """Write an H.264 MP4; returns the frame presentation times in seconds.

    pts_jitter > 0 makes a variable-frame-rate clip (intervals vary by up to that fraction).
    rotation_cw stores a display-rotation tag (as phones do for portrait video).
    """
    rng = np.random.default_rng(seed)
    time_base = Fraction(1, 90_000)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = time_base
        stream.codec_context.time_base = time_base
        stream.options = {"g": str(gop), "preset": "ultrafast", "bf": "0"}
        if rotation_cw:
            stream.set_display_rotation(-rotation_cw)  # PyAV takes counter-clockwise degrees
        dt = 1.0 / fps
        t = 0.0
        times = []
        for i in range(n_frames):
            frame = av.VideoFrame.from_ndarray(frame_pattern(i, width, height), format="rgb24")
            frame.pts = round(t / float(time_base))
            frame.time_base = time_base
            times.append(frame.pts * float(time_base))
            for packet in stream.encode(frame):
                out.mux(packet)
            t += dt * (1.0 + (rng.uniform(-pts_jitter, pts_jitter) if pts_jitter else 0.0))
        for packet in stream.encode():
            out.mux(packet)
    return np.asarray(times) - times[0]
