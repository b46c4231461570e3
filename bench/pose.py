"""Pose throughput on CPU: (a) a bare loop over the BlazePose backend on one core, (b) the same frames
through Ray Serve with @serve.batch, fed by several simulated videos at once. Prints frames/s, the
per-core ratio (b)/(a) and the Serve overhead per call (latency at concurrency 1 minus the bare time).

Usage: .venv/bin/python bench/pose.py [--frames 120] [--videos 4] [--replicas 2] [--max-batch 8]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CLIP = (
    Path(os.environ.get("LIFTLAB_CLIPS_DIR", ROOT / ".." / "shared" / "data" / "clips"))
    / "snatch_side_gym_2reps.mp4"
)


def load_frames(n: int) -> list[np.ndarray]:
    import av

    if not CLIP.is_file():
        sys.exit(f"needs a real clip at {CLIP} (set LIFTLAB_CLIPS_DIR)")
    frames = []
    with av.open(str(CLIP)) as container:
        for frame in container.decode(video=0):
            image = frame.to_ndarray(format="rgb24")
            k = min(1.0, 960 / max(image.shape[:2]))
            frames.append(
                np.ascontiguousarray(cv2.resize(image, None, fx=k, fy=k, interpolation=cv2.INTER_AREA))
            )
            if len(frames) == n:
                break
    return frames


def bare_loop(frames: list[np.ndarray]) -> float:
    from services.inference.registry import DEFAULT_MODELS_DIR, build_estimator, load_manifest

    estimator = build_estimator(load_manifest("blazepose_full_cpu", DEFAULT_MODELS_DIR))
    estimator.estimate(frames[:5])  # warm-up
    start = time.perf_counter()
    for frame in frames:
        estimator.estimate([frame])
    return len(frames) / (time.perf_counter() - start)


def through_serve(
    frames: list[np.ndarray], videos: int, replicas: int, max_batch: int, batch_wait_s: float = 0.005
) -> tuple[float, float]:
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    import ray
    from ray import serve

    from services.inference.serve_app import APP_NAME, DEPLOYMENT_NAME, build_pose_app

    ray.init(num_cpus=replicas + 1, include_dashboard=False, log_to_driver=False)
    try:
        serve.run(
            build_pose_app(
                {
                    "num_replicas": str(replicas),
                    "max_batch_size": str(max_batch),
                    "batch_wait_timeout_s": str(batch_wait_s),
                }
            ),
            name=APP_NAME,
            route_prefix=None,
        )
        handle = serve.get_deployment_handle(DEPLOYMENT_NAME, app_name=APP_NAME)
        for f in frames[:5]:
            handle.estimate.remote(f).result()
        start = time.perf_counter()
        for f in frames[:30]:
            handle.estimate.remote(f).result()
        latency_s = (time.perf_counter() - start) / 30

        def video(offset: int) -> None:  # one simulated video: its frames in order, 2 in flight
            mine = frames[offset::videos]
            pending = []
            for f in mine:
                pending.append(handle.estimate.remote(f))
                if len(pending) >= 2:
                    pending.pop(0).result()
            for r in pending:
                r.result()

        threads = [threading.Thread(target=video, args=(v,)) for v in range(videos)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        fps = len(frames) / (time.perf_counter() - start)
        return fps, latency_s
    finally:
        serve.shutdown()
        ray.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--videos", type=int, default=4)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--max-batch", type=int, default=8)
    parser.add_argument("--batch-wait-s", type=float, default=0.005)
    args = parser.parse_args()
    frames = load_frames(args.frames)
    bare_fps = bare_loop(frames)
    serve_fps, latency_s = through_serve(
        frames, args.videos, args.replicas, args.max_batch, args.batch_wait_s
    )
    overhead_ms = (latency_s - 1.0 / bare_fps) * 1000
    print(f"frames: {len(frames)} of {CLIP.name}, {frames[0].shape[1]}x{frames[0].shape[0]}")
    print(f"(a) bare loop, 1 core:                 {bare_fps:7.1f} frames/s")
    print(f"(b) Serve, {args.replicas} replicas x 1 core, {args.videos} videos: {serve_fps:7.1f} frames/s")
    print(
        f"ratio per core (b/{args.replicas}) / (a):          "
        f"{serve_fps / args.replicas / bare_fps:7.2f}  (target >= 0.8)"
    )
    print(f"load average {os.getloadavg()[0]:.1f}; batch wait {args.batch_wait_s * 1000:.0f} ms")
    print(f"Serve overhead per call:               {overhead_ms:7.1f} ms  (target <= 5)")


if __name__ == "__main__":
    main()
