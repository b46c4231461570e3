"""Pose throughput on CPU: (a) a bare loop over the BlazePose backend on one core, (b) the same frames
through Ray Serve with @serve.batch, fed by several simulated videos at once. Prints frames/s, the
per-core ratio (b)/(a) and the Serve overhead per call (latency at concurrency 1 minus the bare time).

``--compare``: cost and accuracy of the per-frame knobs instead (docs/pose.md "Cost per frame"): the
backend as before this change (re-crop on every candidate, every further candidate run) against the
defaults, one thread, on rendered lifts (pipelines.synth, 960x540, ground-truth joints) and on every 3rd
frame of the real clips. Prints CPU-ms per frame, landmark passes per frame, frames with a person, median
of the per-frame median joint error against the ground truth and against the before-result.

``--stride``: the detector stride of process_segment (pipelines.shell.segments, no Ray, one thread):
every frame of rendered snatch / clean / clean and jerk / snatch with a bystander (960x540, ground truth)
and of the real clips through the segment code with k = 1 (today) and the strides given. Prints pose
CPU-ms per frame (backend calls only), lifter found (select_lifter over the clip), median joint error of
the lifter against the truth (and the share of found frames more than 50 px off) and against k = 1
(median / p90 over frames found by both). STRIDE_CLIPS=real (or any part of a clip name) runs only those.

``--still``: still spans at k = 5 (pipelines.pose.tracking.plan_still_frames): the same clips plus the
pipeline bench's 1080p lift, without still spans and with each fraction given (see still_bench).

Usage: .venv/bin/python bench/pose.py [--frames 120] [--videos 4] [--replicas 2] [--max-batch 8]
       .venv/bin/python bench/pose.py --compare [--real-step 3]
       .venv/bin/python bench/pose.py --stride 2 3 4 6
       .venv/bin/python bench/pose.py --still 0.01 0.02 0.03 [--frame-step 2 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Literal

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


def _decode_scaled(path: Path, step: int) -> list[np.ndarray]:
    import av

    frames = []
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i % step:
                continue
            image: np.ndarray = frame.to_ndarray(format="rgb24")
            k = min(1.0, 960 / max(image.shape[:2]))
            if k < 1.0:
                image = cv2.resize(image, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
            frames.append(np.ascontiguousarray(image))
    return frames


def _compare_sets(real_step: int) -> list[tuple[str, list[np.ndarray], np.ndarray | None]]:
    import tempfile

    from pipelines.synth.render import render_lift
    from pipelines.synth.spec import LiftSpec

    sets: list[tuple[str, list[np.ndarray], np.ndarray | None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for exercise in ("snatch", "clean", "clean_and_jerk"):
            spec = LiftSpec(
                exercise=exercise, width_px=960, height_px=540, fps=30.0, setup_s=0.8, hold_s=0.6, seed=3
            )
            truth = render_lift(spec, Path(tmp) / f"{exercise}.mp4")
            frames = _decode_scaled(Path(tmp) / f"{exercise}.mp4", 2)
            sets.append((f"rendered {exercise}", frames, truth.joints_xy_px[::2][: len(frames)]))
    for clip in sorted(CLIP.parent.glob("*.mp4")):
        sets.append((f"real {clip.stem}", _decode_scaled(clip, real_step), None))
    return sets


def compare(real_step: int) -> None:
    from services.inference.blazepose_backend import BlazePoseEstimator
    from services.inference.manifest import resolve_weights
    from services.inference.registry import DEFAULT_MODELS_DIR, load_manifest

    cv2.setNumThreads(1)
    manifest = load_manifest("blazepose_full_cpu", DEFAULT_MODELS_DIR)

    def build(**knobs: float) -> BlazePoseEstimator:
        return BlazePoseEstimator(
            name=manifest.name,
            detector_path=resolve_weights(manifest, "detector"),
            landmark_path=resolve_weights(manifest, "landmarks"),
            index_per_joint=manifest.layout_index_per_joint(),
            **knobs,  # type: ignore[arg-type]
        )

    configs = {
        "before (always re-crop, all candidates)": build(
            refine_min_shift=0.0, refine_below_presence=2.0, same_body_hip_fraction=0.0
        ),
        "after (defaults)": build(),
        "first pass only unless presence < 0.5": build(refine_min_shift=1e9, refine_below_presence=0.5),
    }
    print(
        f"load average {os.getloadavg()[0]:.1f}; one thread; error = median over frames of the frame's median"
    )
    for name, frames, truth in _compare_sets(real_step):
        print(f"\n{name}: {len(frames)} frames {frames[0].shape[1]}x{frames[0].shape[0]}")
        reference: list[np.ndarray | None] = []
        for label, estimator in configs.items():
            estimator.estimate(frames[:3])  # warm-up
            passes0 = estimator.landmark_passes
            start = time.process_time()
            results = [estimator.estimate_one(frame) for frame in frames]
            cpu_ms = (time.process_time() - start) * 1000 / len(frames)
            passes = (estimator.landmark_passes - passes0) / len(frames)
            first = [people[0].keypoints_xy_px if people else None for people in results]
            if not reference:
                reference = first
            err_truth = [
                float(np.nanmedian(np.linalg.norm(kp - truth[i], axis=1)))
                for i, kp in enumerate(first)
                if kp is not None and truth is not None
            ]
            err_ref = [
                float(np.nanmedian(np.linalg.norm(kp - ref, axis=1)))
                for kp, ref in zip(first, reference, strict=True)
                if kp is not None and ref is not None
            ]
            people = sum(len(p) for p in results) / len(frames)
            found = sum(kp is not None for kp in first)
            vs_truth = f"vs truth {np.median(err_truth):5.1f} px  " if err_truth else ""
            print(
                f"  {label:42s} {cpu_ms:5.1f} CPU-ms  {passes:4.2f} passes  {people:4.2f} people  "
                f"found {found:3d}  {vs_truth}vs before {np.median(err_ref):4.1f} px "
                f"(p90 {np.percentile(err_ref, 90):4.1f})"
            )


def _stride_clips(tmp: Path) -> list[tuple[str, Path, np.ndarray | None]]:
    from pipelines.synth.render import render_lift
    from pipelines.synth.spec import LiftSpec

    clips: list[tuple[str, Path, np.ndarray | None]] = []
    exercises: list[tuple[Literal["snatch", "clean", "clean_and_jerk"], bool]] = [
        ("snatch", False), ("clean", False), ("clean_and_jerk", False), ("snatch", True)
    ]
    for exercise, bystander in exercises:
        spec = LiftSpec(exercise=exercise, width_px=960, height_px=540, fps=30.0, setup_s=0.8, hold_s=0.6,
                        seed=3, bystander=bystander)
        name = f"rendered {exercise}{' + bystander' if bystander else ''}"
        path = tmp / f"{exercise}{'_bystander' if bystander else ''}.mp4"
        clips.append((name, path, render_lift(spec, path).joints_xy_px))
    clips.extend((f"real {clip.stem}", clip, None) for clip in sorted(CLIP.parent.glob("*.mp4")))
    return clips


def _run_stride(
    estimator: object, path: Path, stride: int, still_fraction: float = 0.0, with_bar: bool = False,
    frame_step: int = 1,
) -> tuple[float, np.ndarray, np.ndarray, tuple[float, float, float], np.ndarray, Any]:
    """One clip through process_segment -> (pose CPU-ms/frame, (n,) lifter found, (n, J, 2) joints,
    (landmark passes, stride-tracked, stride fallbacks) per frame, (n,) interpolated, the PoseTrack).
    still_fraction: TrackingConfig.still_max_shift_fraction (0: off); with_bar: the real bar observations
    (their stillness check on still spans; their CPU is not counted)."""
    from pipelines.bar import observe_bar_segment
    from pipelines.pose.lifter import select_lifter
    from pipelines.pose.tracking import TrackingConfig
    from pipelines.shell.segments import process_segment
    from pipelines.video.decode import analysis_size, plan_segments
    from pipelines.video.probe import probe_video

    probe = probe_video(path)
    w, h = probe.info.width_px, probe.info.height_px
    out_w, out_h, scale = analysis_size(w, h, 960)
    cpu_s = [0.0]

    def timed(fn: object, *args: object) -> object:
        start = time.process_time()
        result = fn(*args)  # type: ignore[operator]
        cpu_s[0] += time.process_time() - start
        return result

    people: list[list[Any]] = [[] for _ in range(probe.info.n_frames)]
    passes0 = estimator.landmark_passes  # type: ignore[attr-defined]
    tracked = fallback = 0
    for segment in plan_segments(probe, 2.0):
        result = process_segment(
            str(path), probe, segment, (out_w, out_h), scale,
            estimate=lambda rgb: timed(estimator.estimate, [rgb])[0],  # type: ignore[attr-defined,index]
            observe_bar=observe_bar_segment if with_bar else (lambda frames, _s, _o: [None] * len(frames)),
            track=lambda rgb, hint, always=True: timed(
                estimator.track, [rgb], [hint], always  # type: ignore[attr-defined]
            )[0],  # type: ignore[index]
            detector_stride=stride,
            tracking=TrackingConfig(still_max_shift_fraction=still_fraction, frame_step=frame_step),
        )
        tracked, fallback = tracked + result.n_stride_tracked, fallback + result.n_stride_fallback
        for idx, found in result.people.items():
            people[idx] = found
    pose = select_lifter(probe.t_s, people, (w, h))
    n = len(people)
    passes = (estimator.landmark_passes - passes0) / n  # type: ignore[attr-defined]
    still = pose.filled & pose.lifter_found
    return (cpu_s[0] * 1000 / n, pose.lifter_found, pose.keypoints_xy_px, (passes, tracked / n, fallback / n),
            still, pose)


def stride_bench(strides: list[int]) -> None:
    import tempfile

    from services.inference.registry import DEFAULT_MODELS_DIR, build_estimator, load_manifest

    cv2.setNumThreads(1)
    estimator = build_estimator(load_manifest("blazepose_full_cpu", DEFAULT_MODELS_DIR))
    print(f"load average {os.getloadavg()[0]:.1f}; one thread; every frame; errors: median over frames")
    with tempfile.TemporaryDirectory() as tmp:
        clips = _stride_clips(Path(tmp))
        only = os.environ.get("STRIDE_CLIPS")  # e.g. "real" to run the real clips only
        for name, path, truth in [c for c in clips if not only or only in c[0]]:
            print(f"\n{name}")
            ref: np.ndarray | None = None
            for stride in [1, *strides]:
                run = _run_stride(estimator, path, stride)
                cpu_ms, found, joints, (passes, tracked, fallback) = run[:4]
                line = (f"  k={stride}: {cpu_ms:5.1f} CPU-ms/frame  {passes:4.2f} passes"
                        f"  tracked {tracked:4.0%}  fallback {fallback:4.0%}  found {found.mean():6.1%}")
                if truth is not None:
                    n = min(len(truth), len(found))
                    err = np.nanmedian(np.linalg.norm(joints[:n] - truth[:n], axis=2)[found[:n]], axis=1)
                    # frames found but wrong (a piece of the body or a misread pose) next to the median
                    line += f"  vs truth {np.nanmedian(err):5.1f} px ({np.mean(err > 50):4.0%} > 50 px)"
                if ref is None:
                    ref = np.where(found[:, None, None], joints, np.nan)
                else:
                    both = np.isfinite(ref[:, 0, 0]) & found
                    d = np.nanmedian(np.linalg.norm(joints[both] - ref[both], axis=2), axis=1)
                    line += f"  vs k=1 {np.median(d):4.1f} / p90 {np.percentile(d, 90):5.1f} px"
                print(line, flush=True)


def _still_clips(tmp: Path) -> list[tuple[str, Path, np.ndarray | None]]:
    """The stride clips plus the pipeline bench's 10 s 1080p30 snatch (long set-up and hold) when cached."""
    clips = _stride_clips(tmp)
    lift = ROOT / "build" / "bench" / "lift_1920x1080_10s_gop30.mp4"
    truth = ROOT / "build" / "bench" / "lift_1920x1080_10s.truth.npz"
    if lift.exists() and truth.exists():
        # the truth is in 1920x1080 pixels; the joints compared are the lifter's in the same pixels
        clips.insert(0, ("bench lift 1080p (setup 2.7 s, hold 2.5 s)", lift, np.load(truth)["joints_xy_px"]))
    return clips


def _filtered_angles(pose: Any) -> np.ndarray:
    """(n, 10) joint angles (degrees) as the kinematics stage filters them (docs/metrics.md)."""
    from pipelines.kinematics.angles import ANGLE_TRIPLETS, joint_angle_deg
    from pipelines.kinematics.filtering import BODY_CUTOFF_CAP_HZ, cutoff_hz_for_fps, median_fps
    from pipelines.kinematics.filtering import smooth_and_differentiate as smooth

    cutoff_hz = cutoff_hz_for_fps(median_fps(pose.t_s), BODY_CUTOFF_CAP_HZ)
    return np.stack([smooth(pose.t_s, joint_angle_deg(pose, side, code), cutoff_hz).value
                     for code in ANGLE_TRIPLETS for side in ("l", "r")], axis=1)


def _truth_angles(pose: Any, truth_xy: np.ndarray) -> np.ndarray:
    from pipelines.types import PoseTrack

    n = min(len(truth_xy), len(pose.t_s))
    xy = truth_xy[:n].astype(np.float32)
    seen = np.ones(xy.shape[:2], np.float32)
    return _filtered_angles(PoseTrack(t_s=pose.t_s[:n], keypoints_xy_px=xy, visibility=seen,
                                      lifter_found=np.ones(n, bool), filled=np.zeros(n, bool)))


def _angle_gap(a: np.ndarray, b: np.ndarray) -> str:
    """median / p95 absolute difference (degrees) over every angle and frame known in both."""
    n = min(len(a), len(b))
    d = np.abs(a[:n] - b[:n])
    d = d[np.isfinite(d)]
    return "-" if d.size == 0 else f"{np.median(d):4.1f} / p95 {np.percentile(d, 95):5.1f} deg"


def still_bench(fractions: list[float], frame_steps: list[int]) -> None:
    """Frames without a landmark pass (docs/pose.md): still spans (the lifter's joints moved less than a
    fraction of the box diagonal between two detector frames, and no plate moved) and the frame step.
    Per clip, k = 5 with neither rule, with each still fraction, and with the first fraction plus each
    frame step: pose CPU, landmark passes, share of frames interpolated, joint error and filtered joint
    angles against the truth (all frames and the fastest fifth) and against the run with neither rule
    (all frames found by both, and the interpolated frames alone: median / p90)."""
    import tempfile

    from services.inference.registry import DEFAULT_MODELS_DIR, build_estimator, load_manifest

    cv2.setNumThreads(1)
    estimator = build_estimator(load_manifest("blazepose_full_cpu", DEFAULT_MODELS_DIR))
    print(f"load average {os.getloadavg()[0]:.1f}; one thread; detector stride 5; bar observations on")
    with tempfile.TemporaryDirectory() as tmp:
        clips = _still_clips(Path(tmp))
        only = os.environ.get("STRIDE_CLIPS")
        for name, path, truth in [c for c in clips if not only or only in c[0]]:
            print(f"\n{name}")
            ref: np.ndarray | None = None
            ref_angles = np.zeros((0, 10))
            runs = [(0.0, 1), *((f, 1) for f in fractions), *((fractions[0], k) for k in frame_steps)]
            for fraction, step in runs:
                cpu_ms, found, joints, (passes, _, _), still, pose = _run_stride(
                    estimator, path, 5, fraction, True, step
                )
                angles = _filtered_angles(pose)
                line = (f"  still <= {fraction:4.3f} step {step}: {cpu_ms:5.1f} CPU-ms/frame"
                        f"  {passes:4.2f} passes"
                        f"  interpolated {still.mean():4.0%}  found {found.mean():6.1%}")
                if truth is not None:
                    n = min(len(truth), len(found))
                    err = np.nanmedian(np.linalg.norm(joints[:n] - truth[:n], axis=2), axis=1)
                    line += f"  vs truth {np.nanmedian(err[found[:n]]):5.1f} px"
                    if still.any():
                        line += f" (interpolated frames {np.nanmedian(err[:n][still[:n]]):5.1f})"
                    # the fastest fifth of the frames (the truth's median joint speed): where interpolating
                    # between measured frames could cut corners
                    speed = np.nanmedian(np.linalg.norm(np.diff(truth[:n], axis=0), axis=2), axis=1)
                    fast = np.zeros(n, bool)
                    fast[1:] = speed >= np.nanpercentile(speed, 80)
                    line += f"  fast frames {np.nanmedian(err[found[:n] & fast]):5.1f} px"
                    truth_angles = _truth_angles(pose, truth)[:n]
                    line += "  angles vs truth " + _angle_gap(angles[:n], truth_angles)
                    line += " (fast frames " + _angle_gap(angles[:n][fast], truth_angles[fast]) + ")"
                if ref is None:
                    ref = np.where(found[:, None, None], joints, np.nan)
                    ref_angles = angles
                else:
                    line += "  angles vs off " + _angle_gap(angles, ref_angles)
                    both = np.isfinite(ref[:, 0, 0]) & found
                    d = np.nanmedian(np.linalg.norm(joints - ref, axis=2), axis=1)
                    line += f"  vs off {np.median(d[both]):4.1f} / p90 {np.percentile(d[both], 90):5.1f} px"
                    if (both & still).any():
                        line += (f", interpolated frames {np.median(d[both & still]):4.1f} / p90 "
                                 f"{np.percentile(d[both & still], 90):5.1f} px")
                print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--videos", type=int, default=4)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--max-batch", type=int, default=8)
    parser.add_argument("--batch-wait-s", type=float, default=0.005)
    parser.add_argument("--compare", action="store_true", help="cost/accuracy of the per-frame knobs")
    parser.add_argument("--real-step", type=int, default=3)
    parser.add_argument("--stride", type=int, nargs="*", help="detector strides to compare with k = 1")
    parser.add_argument("--still", type=float, nargs="*", help="still-span fractions to compare with none")
    parser.add_argument("--frame-step", type=int, nargs="*", default=[],
                        help="with --still: frame steps to run with the first fraction")
    args = parser.parse_args()
    if args.still is not None:
        still_bench(args.still or [0.02], args.frame_step)
        return
    if args.stride is not None:
        stride_bench(args.stride)
        return
    if args.compare:
        compare(args.real_step)
        return
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
