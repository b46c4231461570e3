"""Decode throughput: single-process PyAV vs the parallel Ray segment path, and CPU-ms per frame
against `ffmpeg -threads 1`, on a generated 10 s 1080p30 H.264 clip. Same frames, same output size
(scaled to the analysis size inside the decoder), one run.

Targets (2 cores): parallel >= 1.6x the single-process baseline; CPU-ms/frame <= 1.15x ffmpeg's.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import av
import ray

from bench._clips import noisy_clip
from pipelines.video.decode import analysis_size, decode_segment, plan_segments
from pipelines.video.probe import ProbeResult, probe_video


def single_process(path: Path, out_wh: tuple[int, int], thread_type: str) -> tuple[int, float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = thread_type
        for frame in container.decode(stream):
            frame.to_ndarray(format="rgb24", width=out_wh[0], height=out_wh[1])
            n += 1
    return n, time.perf_counter() - t0, time.process_time() - c0


@ray.remote(num_cpus=1)
def _decode_task(path: str, probe: ProbeResult, seg: object, out_wh: tuple[int, int]) -> tuple[int, float]:
    c0 = time.process_time()
    n = sum(1 for _ in decode_segment(path, probe, seg, out_wh))  # type: ignore[arg-type,misc]
    return n, time.process_time() - c0


def ray_parallel(path: Path, out_wh: tuple[int, int]) -> tuple[int, float, float]:
    probe = probe_video(path)
    segments = plan_segments(probe, 2.0)
    probe_ref = ray.put(probe)
    t0 = time.perf_counter()
    results = ray.get([_decode_task.remote(str(path), probe_ref, s, out_wh) for s in segments])
    wall = time.perf_counter() - t0
    return sum(n for n, _ in results), wall, sum(c for _, c in results)


def ffmpeg_binary() -> str | None:
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except ImportError:
        return shutil.which("ffmpeg")


def ffmpeg_cpu(path: Path, out_wh: tuple[int, int], exe: str) -> tuple[int, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [
            exe,
            "-v",
            "error",
            "-threads",
            "1",
            "-i",
            str(path),
            "-vf",
            f"scale={out_wh[0]}:{out_wh[1]}",
            "-pix_fmt",
            "rgb24",
            "-f",
            "rawvideo",
            "-y",
            os.devnull,
        ],
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return probe_video(path).info.n_frames, cpu


def main() -> None:
    path = noisy_clip(1920, 1080, 10.0)
    info = probe_video(path).info
    w, h, _ = analysis_size(info.width_px, info.height_px, 960)
    print(f"clip: {path.name}  {info.n_frames} frames  -> decoded at {w}x{h}")
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
    ray_parallel(path, (w, h))  # warm the workers (imports) before timing
    rows = []
    for label, tt in (
        ("PyAV single process (default threads)", "SLICE"),
        ("PyAV single process (frame threads)", "AUTO"),
    ):
        n, wall, cpu = single_process(path, (w, h), tt)
        rows.append((label, n, wall, cpu))
    n, wall, cpu = ray_parallel(path, (w, h))
    rows.append(("Ray segments, 1 thread each", n, wall, cpu))
    ray.shutdown()
    print(f"{'path':40s} {'frames':>6s} {'wall s':>7s} {'fps':>7s} {'CPU ms/frame':>12s}")
    for label, n, wall, cpu in rows:
        print(f"{label:40s} {n:6d} {wall:7.2f} {n / wall:7.1f} {1000 * cpu / n:12.2f}")
    base_fps = rows[0][1] / rows[0][2]
    ray_fps = rows[2][1] / rows[2][2]
    print(f"parallel / single-process (default): {ray_fps / base_fps:.2f}x   (target >= 1.6x)")
    print(f"parallel / single-process (frame threads): {ray_fps / (rows[1][1] / rows[1][2]):.2f}x")
    exe = ffmpeg_binary()
    if exe is None:
        print("ffmpeg CPU comparison: unavailable (no ffmpeg binary; `pip install imageio-ffmpeg`)")
        return
    n_ff, cpu_ff = ffmpeg_cpu(path, (w, h), exe)
    ray_ms = 1000 * rows[2][3] / rows[2][1]
    ff_ms = 1000 * cpu_ff / n_ff
    print(
        f"ffmpeg -threads 1: {ff_ms:.2f} CPU-ms/frame; Ray path {ray_ms:.2f}: "
        f"{ray_ms / ff_ms:.2f}x   (target <= 1.15x)"
    )


if __name__ == "__main__":
    main()
