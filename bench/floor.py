"""Floor of the pipeline's warm real-time factor (RTF = processing wall time / clip duration) on this
machine: what the irreducible per-frame parts cost with nothing else, for the generated 10 s 1080p30 and
4K30 lifts of issue 6 (targets on 2 cores: warm RTF <= 0.6 and <= 1.1).

Per frame, CPU-ms on one thread (median of several repetitions, all in this process):
- decode: PyAV with slice threading and thread_count 1, then the scaling to the analysis size (long side
  960, RGB) of pipelines/video/decode.py analysis_rgb; `ffmpeg -threads 1 -f null` as a yardstick (this
  machine's speed drifts by ~30 % within minutes: the floor in ffmpeg decodes is the steadier figure);
- pose: the raw BlazePose full landmark and detector model calls (the floor), and estimate_one / track on
  a real analysis frame for reference;
- annotated video: swscale of the decoded frame to 720 px yuv420p, then the pipeline's writer (H264Writer: RGB
  -> yuv420p and x264 at the render preset and CRF).
floor = decode + scale + 1 landmark pass + detector / 5 + annotated video; floor RTF at perfect overlap on
N cores = floor / (N x frame interval).

    .venv/bin/python bench/floor.py [--clips 1080p 4k] [--frames 150]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import av
import numpy as np

from bench._clips import phone_gop_copy
from bench.decode import ffmpeg_binary
from bench.pipeline import lift_clip
from pipelines.render.video_io import H264Writer, output_size
from pipelines.settings import Settings
from pipelines.shell.segments import DEFAULT_DETECTOR_STRIDE
from pipelines.video.decode import analysis_rgb, analysis_size
from services.inference.blazepose_backend import BlazePoseEstimator
from services.inference.blazepose_geometry import roi_hint_from_keypoints
from services.inference.in_process import cached_estimator

ROOT = Path(__file__).resolve().parents[1]
CLIP_WH = {"1080p": (1920, 1080), "4k": (3840, 2160)}
TARGET_RTF = {"1080p": 0.6, "4k": 1.1}
# the pipeline's own defaults: analysis and annotated-video sizes, x264 settings, the detector stride
DEFAULTS = Settings()
ANALYSIS_LONG_SIDE_PX = DEFAULTS.analysis_long_side_px
VIDEO_LONG_SIDE_PX = DEFAULTS.render_long_side_px
DETECTOR_STRIDE = DEFAULT_DETECTOR_STRIDE  # the landmark model here on every frame (the floor: one pass)
REPS = 3  # passes over the clip's frames; model calls are repeated more (they are cheap and noisier)
MODEL_REPS = 30


@dataclass
class DecodePass:
    decode_ms: float
    rgb_ms: float
    yuv720_ms: float
    fps: Fraction
    rgb_frames: list[np.ndarray] = field(default_factory=list)  # every 10th analysis frame, for the pose
    yuv_frames: list[av.VideoFrame] = field(default_factory=list)  # 720 px frames, for the encoder


def cpu_s() -> float:
    # Process CPU rather than thread CPU: everything here is configured for one thread, and any helper
    # thread a library starts anyway is part of the cost, not something to leave out.
    return time.process_time()


def decode_pass(
    path: Path, n_frames: int, analysis_wh: tuple[int, int], video_wh: tuple[int, int]
) -> DecodePass:
    """One pass over the first n_frames; each call timed on its own so one pass gives all three costs."""
    decode_s = rgb_s = yuv_s = 0.0
    rgb_frames, yuv_frames = [], []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "SLICE"  # as decode_segment_frames with threads=1: one core per Ray task
        stream.codec_context.thread_count = 1
        frames = container.decode(stream)
        n = 0
        while n < n_frames:
            c0 = cpu_s()
            frame = next(frames, None)  # demux + decode (the decoder may hold frames back: amortised)
            c1 = cpu_s()
            if frame is None:
                break
            rgb = analysis_rgb(frame, analysis_wh, 0)  # as the segment tasks scale it
            c2 = cpu_s()
            yuv = frame.reformat(
                width=video_wh[0], height=video_wh[1], format="yuv420p", interpolation="AREA"
            )
            c3 = cpu_s()
            decode_s, rgb_s, yuv_s = decode_s + c1 - c0, rgb_s + c2 - c1, yuv_s + c3 - c2
            if n % 10 == 0:
                rgb_frames.append(rgb)
            yuv_frames.append(yuv)
            n += 1
        fps = Fraction(stream.average_rate or 30)
    ms = 1000.0 / max(n, 1)
    return DecodePass(decode_s * ms, rgb_s * ms, yuv_s * ms, fps, rgb_frames, yuv_frames)


def ffmpeg_decode_ms(path: Path, n_frames: int) -> float | None:
    """ffmpeg's own single-thread decode of the same frames (process start-up included: ~0.1-0.3 ms/frame)."""
    exe = ffmpeg_binary()
    if exe is None:
        return None
    runs = []
    for _ in range(REPS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        cmd = [exe, "-v", "error", "-threads", "1", "-i", str(path), "-frames:v", str(n_frames)]
        cmd += ["-f", "null", "-"]
        subprocess.run(cmd, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        runs.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return 1000.0 * statistics.median(runs) / n_frames


def encode_ms(frames: list[av.VideoFrame], fps: Fraction) -> float:
    """The annotated video's writer (pipelines/render/video_io.py H264Writer, the pipeline's preset and
    CRF, one thread) on already-scaled frames: its RGB -> yuv420p conversion and x264."""
    rgb_frames = [frame.to_ndarray(format="rgb24") for frame in frames]
    height, width = rgb_frames[0].shape[:2]
    time_base = Fraction(1) / fps
    with tempfile.TemporaryDirectory() as tmp:
        c0 = cpu_s()
        writer = H264Writer(
            out_path=Path(tmp) / "annotated.mp4", width=width, height=height, time_base=time_base, rate=fps,
            preset=DEFAULTS.render_preset, crf=DEFAULTS.render_crf, threads=1, faststart=True,
        )
        for i, rgb in enumerate(rgb_frames):
            writer.write(rgb, i, None)
        writer.close()
        return 1000.0 * (cpu_s() - c0) / len(frames)


def median_ms(call: Callable[[], object], reps: int) -> float:
    call()  # warm: first calls allocate and fault in pages
    runs = []
    for _ in range(reps):
        c0 = cpu_s()
        call()
        runs.append(cpu_s() - c0)
    return 1000.0 * statistics.median(runs)


def pose_ms(frames_rgb: list[np.ndarray]) -> list[tuple[str, float]]:
    estimator = cached_estimator("blazepose_full_cpu", str(ROOT / "models"), 3)
    if not isinstance(estimator, BlazePoseEstimator):
        raise TypeError(f"expected a BlazePoseEstimator, got {type(estimator).__name__}")
    # a frame with the lifter found, so that estimate_one and track do their usual work
    found = [(f, people[0]) for f in frames_rgb if (people := estimator.estimate_one(f))]
    if not found:
        raise RuntimeError("no person found in the sampled analysis frames")
    frame, person = found[len(found) // 2]
    hint = roi_hint_from_keypoints(person.keypoints_xy_px, 8)
    if hint is None:
        raise RuntimeError("the found person gives no roi hint")
    estimator.estimate_one(frame)  # leaves this frame's detector canvas and a real crop in the inputs
    rows = [
        ("landmark model invoke", median_ms(estimator._landmarks.invoke, MODEL_REPS)),  # type: ignore[attr-defined]
        ("detector model invoke", median_ms(estimator._detector.invoke, MODEL_REPS)),  # type: ignore[attr-defined]
    ]
    for label, call in (
        ("estimate_one (reference)", lambda: estimator.estimate_one(frame)),
        ("track, re-crop if needed (reference)", lambda: estimator.track([frame], [hint], False)),
    ):
        passes0 = estimator.landmark_passes
        ms = median_ms(call, MODEL_REPS // 3)
        passes = (estimator.landmark_passes - passes0) / (MODEL_REPS // 3 + 1)
        rows.append((f"{label}: {passes:.1f} landmark passes", ms))
    return rows


def report_clip(name: str, n_frames: int) -> None:
    path = phone_gop_copy(lift_clip(*CLIP_WH[name], 10.0))
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
    analysis_w, analysis_h, _ = analysis_size(width, height, ANALYSIS_LONG_SIDE_PX)
    video_w, video_h, _ = output_size(width, height, VIDEO_LONG_SIDE_PX)
    passes = [decode_pass(path, n_frames, (analysis_w, analysis_h), (video_w, video_h)) for _ in range(REPS)]
    last = passes[-1]
    decode = statistics.median(p.decode_ms for p in passes)
    rgb = statistics.median(p.rgb_ms for p in passes)
    yuv720 = statistics.median(p.yuv720_ms for p in passes)
    encode = statistics.median(encode_ms(last.yuv_frames, last.fps) for _ in range(REPS))
    ffmpeg = ffmpeg_decode_ms(path, len(last.yuv_frames))
    pose = dict(pose_ms(last.rgb_frames))
    landmark, detector = pose["landmark model invoke"], pose["detector model invoke"]
    floor = decode + rgb + landmark + detector / DETECTOR_STRIDE + yuv720 + encode
    rows: list[tuple[str, float | None]] = [
        ("decode (PyAV, 1 thread)", decode),
        ("  yardstick: ffmpeg -threads 1 -f null", ffmpeg),
        (f"scale to analysis RGB {analysis_w}x{analysis_h}", rgb),
        ("= decode + scale", decode + rgb),
        *pose.items(),
        (f"detector / {DETECTOR_STRIDE}", detector / DETECTOR_STRIDE),
        (f"scale to {video_w}x{video_h} yuv420p (AREA)", yuv720),
        (f"annotated-video writer: RGB -> yuv420p + x264 {DEFAULTS.render_preset}", encode),
        ("= annotated video (scale + encode)", yuv720 + encode),
        ("FLOOR (decode+scale + landmark + det/5 + video)", floor),
    ]
    fps = float(last.fps)
    print(f"\n== {path.name}: {width}x{height} @ {fps:g} fps, {len(last.yuv_frames)} frames timed x {REPS}")
    print(f"{'component':58s} {'CPU-ms/frame':>12s}")
    for label, ms in rows:
        print(f"{label:58s} {'n/a' if ms is None else f'{ms:12.2f}':>12s}")
    target = TARGET_RTF[name]
    if ffmpeg:
        budget_2 = target * 2 * 1000.0 / fps
        print(f"in ffmpeg decodes of this clip (steadier than ms): floor {floor / ffmpeg:.2f}, "
              f"the 2-core target's budget {budget_2 / ffmpeg:.2f}")
    for n_cores in sorted({2, os.cpu_count() or 1}):
        frame_interval_ms = 1000.0 / fps
        rtf = floor / (n_cores * frame_interval_ms)
        budget = target * n_cores * frame_interval_ms
        verdict = "under" if rtf <= target else "OVER"
        print(f"N={n_cores}: floor RTF at perfect overlap {rtf:.3f} vs target {target} ({verdict}); "
              f"budget {budget:.1f} CPU-ms/frame - floor {floor:.1f} = {budget - floor:.1f} left for bar "
              f"tracking, kinematics, key frames, Ray")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips", nargs="+", choices=sorted(CLIP_WH), default=["1080p", "4k"])
    parser.add_argument("--frames", type=int, default=150, help="frames decoded per pass (from the start)")
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}   "
          f"cpu_count {os.cpu_count()}")
    for name in args.clips:
        report_clip(name, args.frames)
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
