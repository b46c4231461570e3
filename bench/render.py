"""Render benchmark: encode frames/s of the annotated video for a generated 1080p30 clip, and the share of
the pipeline's wall time that rendering takes (target <= 25 % on 2 cores).

    .venv/bin/python bench/render.py [--seconds 10] [--pipeline-s 5.6] [--ray]

The pipeline time without rendering defaults to the 2-core floor for a 10 s 1080p30 clip in
/work/shared/notes/performance.md (decode + BlazePose with realistic overheads: 5.6 s), scaled to
--seconds; pass a measured --pipeline-s when bench/pipeline.py has one.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from pipelines.render.annotated_chunk import render_annotated_chunk
from pipelines.render.overlay import OverlayData
from services.inference.joints import N_JOINTS

PIPELINE_FLOOR_S_PER_CLIP_S = 0.56  # 5.6 s for a 10 s clip (performance.md)


def write_clip(
    path: Path, seconds: float, width: int = 1920, height: int = 1080, fps: int = 30
) -> np.ndarray:
    """A textured 1080p H.264 clip (gradient, noise, moving disc) like a phone's; returns t_s per frame."""
    rng = np.random.default_rng(0)
    n = round(seconds * fps)
    yy, xx = np.mgrid[0:height, 0:width]
    base = np.stack([xx * 255 // width, yy * 255 // height, (xx + yy) * 255 // (width + height)], -1).astype(
        np.uint8
    )
    noise = [rng.integers(0, 24, size=(height, width, 3), dtype=np.uint8) for _ in range(4)]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, 15360)
        stream.codec_context.time_base = Fraction(1, 15360)
        stream.options = {"preset": "ultrafast", "crf": "20"}
        for i in range(n):
            img = base + noise[i % 4]
            cv2.circle(
                img, (width // 2, round(height * (0.8 - 0.5 * np.sin(np.pi * i / n)))), 110, (200, 30, 30), -1
            )
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i * 512
            frame.time_base = Fraction(1, 15360)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return np.arange(n) / fps


def overlay_for(t_s: np.ndarray, width: int = 1920, height: int = 1080) -> OverlayData:
    n = t_s.size
    kp = np.zeros((n, N_JOINTS, 2), np.float32)
    kp[..., 0] = np.linspace(0.35, 0.45, N_JOINTS) * width
    kp[..., 1] = np.linspace(0.15, 0.95, N_JOINTS) * height
    y = height * (0.8 - 0.5 * np.sin(np.pi * t_s / t_s[-1]))
    bar = np.stack([np.full(n, width / 2), y], 1)
    speed = np.abs(np.gradient(y, t_s)) * 0.002
    return OverlayData(
        t_s=t_s,
        keypoints_xy_px=kp,
        visibility=np.full((n, N_JOINTS), 0.9, np.float32),
        lifter_found=np.ones(n, bool),
        bar_xy_px=bar,
        bar_lost=np.zeros(n, bool),
        bar_speed_mps=speed,
        bar_height_m=(y[0] - y) * 0.002,
        phase=np.full(n, "second_pull", dtype=object),
        warnings=("camera 20 deg from side-on",),
    )


def decode_only_s(path: Path) -> tuple[float, float]:
    """(wall s, CPU s of this process) to decode the clip."""
    start, cpu = time.perf_counter(), time.process_time()
    with av.open(str(path)) as c:
        c.streams.video[0].thread_type = "AUTO"
        for _ in c.decode(video=0):
            pass
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pipeline-s", type=float, default=0.0, help="pipeline wall time without rendering")
    parser.add_argument("--ray", action="store_true", help="also time the Ray chunked path (2 CPUs)")
    args = parser.parse_args()
    pipeline_s = args.pipeline_s or PIPELINE_FLOOR_S_PER_CLIP_S * args.seconds
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.mp4"
        t_s = write_clip(clip, args.seconds)
        n = t_s.size
        dec_wall, dec_cpu = decode_only_s(clip)
        print(
            f"clip: {n} frames 1920x1080 @30 fps; decode only: {n / dec_wall:.0f} fps, "
            f"{1000 * dec_cpu / n:.1f} CPU-ms/frame"
        )
        print(f"pipeline without rendering: {pipeline_s:.1f} s")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (CPU-ms/frame is steadier)")
        # 960 veryfast was the default before docs/performance.md; 720 veryfast is the default now.
        variants = [(960, "veryfast"), (720, "veryfast"), (720, "ultrafast"), (1280, "veryfast")]
        for long_side, preset in variants:
            overlay = dataclasses.replace(overlay_for(t_s), out_long_side_px=long_side, encode_preset=preset)
            out = Path(tmp) / f"out_{long_side}_{preset}.mp4"
            start, cpu = time.perf_counter(), time.process_time()
            render_annotated_chunk(clip, 0, n, overlay, out)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            share = wall / (pipeline_s + wall)
            # Rendering is CPU-bound; on an idle 2-core machine two Ray chunks take about CPU-s / 2.
            ideal_s = cpu / 2
            print(
                f"render {long_side:>4}px {preset:<9}: {n / wall:6.1f} frames/s, {wall:5.2f} s wall, "
                f"{1000 * cpu / n:5.1f} CPU-ms/frame, {out.stat().st_size / 1e6:5.1f} MB; share measured "
                f"{100 * share:4.1f} %, on 2 idle cores {100 * ideal_s / (pipeline_s + ideal_s):4.1f} %"
            )
        if args.ray:
            import ray

            from pipelines.shell.render import plan_chunks, render_annotated_video

            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
            try:
                overlay = overlay_for(t_s)
                start = time.perf_counter()
                overlay = dataclasses.replace(overlay, out_long_side_px=720)
                render_annotated_video(
                    clip, overlay, Path(tmp) / "ray.mp4", n, ranges=plan_chunks(n, 300, 2), task_num_cpus=0.5
                )
                wall = time.perf_counter() - start
                print(
                    f"render on Ray (2 chunks, 1 thread each): {n / wall:6.1f} frames/s, {wall:5.2f} s, "
                    f"share {100 * wall / (pipeline_s + wall):4.1f} %"
                )
            finally:
                ray.shutdown()


if __name__ == "__main__":
    main()
