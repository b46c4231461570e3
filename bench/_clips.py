"""Generated benchmark clips (nothing is committed; clips are cached under build/bench/)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

CACHE = Path(__file__).resolve().parents[1] / "build" / "bench"


def noisy_clip(width: int, height: int, seconds: float, fps: int = 30, gop: int = 30) -> Path:
    """A phone-like H.264 clip: moving gradients + texture + noise, ~1 s GOP, yuv420p."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"noisy_{width}x{height}_{seconds:g}s_{fps}fps.mp4"
    if path.exists():
        return path
    rng = np.random.default_rng(0)
    n = int(seconds * fps)
    small_h, small_w = height // 4, width // 4
    texture = rng.integers(0, 255, (small_h, small_w, 3), dtype=np.uint8)
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as out:
        stream = out.add_stream("libx264", rate=Fraction(fps))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        # About a phone's bitrate for the size (1080p30 ~ 16 Mbit/s).
        stream.bit_rate = int(16e6 * (width * height) / (1920 * 1080))
        stream.options = {"g": str(gop), "preset": "veryfast"}
        for i in range(n):
            shifted = np.roll(texture, (i * 2, i * 3), axis=(0, 1))
            frame_small = shifted.copy()
            frame_small[:, :, 2] = (np.arange(small_w)[None, :] + i * 4) % 255
            img = np.repeat(np.repeat(frame_small, 4, axis=0), 4, axis=1)[:height, :width]
            noise = rng.integers(0, 12, img.shape, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img + noise), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    tmp.rename(path)
    return path


def phone_gop_copy(src: Path, gop: int = 30) -> Path:
    """src re-encoded the way a phone writes video: a key frame every ``gop`` frames (about 1 s; the
    synthetic renderer leaves x264's default of 250, which makes every seek decode from the clip's
    start) at a phone's bitrate for the size. Cached next to src; timestamps are kept."""
    path = src.with_name(f"{src.stem}_gop{gop}.mp4")
    if path.exists():
        return path
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(src)) as inp, av.open(str(tmp), "w") as out:
        in_stream = inp.streams.video[0]
        in_stream.thread_type = "AUTO"
        width, height = in_stream.codec_context.width, in_stream.codec_context.height
        stream = out.add_stream("libx264", rate=in_stream.average_rate or Fraction(30))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if in_stream.time_base is not None:
            stream.time_base = in_stream.time_base
        stream.bit_rate = int(16e6 * (width * height) / (1920 * 1080))
        stream.options = {"g": str(gop), "preset": "veryfast"}
        for frame in inp.decode(in_stream):
            frame.pict_type = av.video.frame.PictureType.NONE
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    tmp.rename(path)
    return path
