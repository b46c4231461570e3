"""Render benchmark: encode frames/s of the annotated video for a generated 1080p30 clip, and the share of
the pipeline's wall time that rendering takes (target <= 25 % on 2 cores).

    .venv/bin/python bench/render.py [--seconds 10] [--pipeline-s 5.6] [--ray] [--uhd]

Also compares, side by side, the annotated video drawn on the source decoded a second time with the one
drawn on proxies made during the analysis pass (pipelines/video/proxy.py): CPU of making the proxies
(scale + x264 ultrafast, the decode being shared with the analysis) plus rendering from them, against
rendering from the source; and the PSNR between the two outputs.

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

from pipelines.render.annotated_chunk import render_annotated_chunk, render_annotated_chunk_from_proxies
from pipelines.render.overlay import OverlayData
from pipelines.render.video_io import output_size
from pipelines.shell.outputs import source_timing
from pipelines.video.decode import decode_segment_frames, plan_segments
from pipelines.video.probe import probe_video
from pipelines.video.proxy import ProxySegment, ProxyWriter, proxy_coded_size
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


def make_proxies(clip: Path, long_side_px: int) -> tuple[list[ProxySegment], float]:
    """Proxies as the segment tasks make them (2 s segments); returns them and the CPU seconds spent in
    ProxyWriter alone (the decode is the analysis pass's, not counted)."""
    probe = probe_video(clip)
    out_w, out_h, _ = output_size(probe.info.width_px, probe.info.height_px, long_side_px)
    display_wh = (probe.info.width_px, probe.info.height_px)
    coded = proxy_coded_size(display_wh, probe.info.rotation_deg, (out_w, out_h))
    if coded is None:
        raise SystemExit("the render size is the source size: no proxies")
    proxies, cpu_s = [], 0.0
    for segment in plan_segments(probe, 2.0):
        writer = ProxyWriter(segment.start_frame, coded, probe.info.rotation_deg)
        for _, frame in decode_segment_frames(clip, probe, segment):
            cpu = time.process_time()
            writer.add(frame)
            cpu_s += time.process_time() - cpu
        cpu = time.process_time()
        proxies.append(writer.finish())
        cpu_s += time.process_time() - cpu
    return proxies, cpu_s


def psnr_db(a: Path, b: Path) -> float:
    with av.open(str(a)) as ca, av.open(str(b)) as cb:
        errors = [
            float(np.mean((fa.to_ndarray(format="rgb24").astype(np.float64)
                           - fb.to_ndarray(format="rgb24").astype(np.float64)) ** 2))
            for fa, fb in zip(ca.decode(video=0), cb.decode(video=0), strict=True)
        ]
    return float(10 * np.log10(255.0**2 / max(float(np.mean(errors)), 1e-12)))


def compare_proxy_path(clip: Path, t_s: np.ndarray, width: int, height: int, tmp: Path) -> None:
    n = t_s.size
    overlay = dataclasses.replace(overlay_for(t_s, width, height), out_long_side_px=720)
    source_out, proxy_out = tmp / f"src_{height}.mp4", tmp / f"proxy_{height}.mp4"
    cpu = time.process_time()
    render_annotated_chunk(clip, 0, n, overlay, source_out)
    source_cpu = time.process_time() - cpu
    proxies, proxy_make_cpu = make_proxies(clip, 720)
    cpu = time.process_time()
    render_annotated_chunk_from_proxies(proxies, 0, n, overlay, source_timing(probe_video(clip)), proxy_out)
    proxy_render_cpu = time.process_time() - cpu
    proxy_total = proxy_make_cpu + proxy_render_cpu
    kib = sum(len(p.mp4) for p in proxies) / 1024
    print(f"\n{width}x{height} -> 720 px veryfast, CPU-ms/frame (one thread):")
    print(f"  from the source decoded again: {1000 * source_cpu / n:6.1f}")
    print(f"  from proxies: make {1000 * proxy_make_cpu / n:5.1f} (in the analysis pass) + render "
          f"{1000 * proxy_render_cpu / n:5.1f} = {1000 * proxy_total / n:6.1f}   "
          f"ratio {proxy_total / source_cpu:.2f}x; proxies {kib / n:.1f} KiB/frame; "
          f"PSNR proxy vs source render {psnr_db(source_out, proxy_out):.1f} dB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pipeline-s", type=float, default=0.0, help="pipeline wall time without rendering")
    parser.add_argument("--ray", action="store_true", help="also time the Ray chunked path (2 CPUs)")
    parser.add_argument("--uhd", action="store_true", help="also compare the proxy path on a 4K clip")
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
        compare_proxy_path(clip, t_s, 1920, 1080, Path(tmp))
        if args.uhd:
            uhd = Path(tmp) / "clip_4k.mp4"
            compare_proxy_path(uhd, write_clip(uhd, args.seconds, 3840, 2160), 3840, 2160, Path(tmp))
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
