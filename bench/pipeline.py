"""End-to-end pipeline cost per stage for generated lifts: a 10 s 1080p30 and a 10 s 4K30 clip.

warm: Ray and the pose app already up (service mode) - run_analysis in this process.
cold: `liftlab analyze` from a shell (Ray start, Serve deploy, model load included).
Prints each stage's wall time, the real-time factor (processing time / clip duration) and the peak
RSS of the whole process tree (driver + Ray processes).
Targets on 2 cores: warm RTF <= 0.6 (1080p30), <= 1.1 (4K30); cold overhead <= 10 s; peak RSS <= 1.5 GB
for a 30 s 4K clip (`--clips 4k30` renders and measures that one; it takes several minutes to render).

    .venv/bin/python bench/pipeline.py [--clips 1080p 4k 4k30] [--cold first|all|none] [--phone-gop]
        [--pose-execution serve task] [--pose-rules default every-frame]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._clips import CACHE, phone_gop_copy
from bench._rss import PeakRss, process_name, tree_cpu_by_name, tree_cpu_s
from bench.decode import ffmpeg_binary, ffmpeg_cpu
from pipelines.request import AnalysisRequest
from pipelines.settings import Settings
from pipelines.shell.pipeline import run_analysis
from pipelines.shell.ray_runtime import prepare_pose, shutdown_ray, start_ray
from pipelines.storage import LocalObjectStore
from pipelines.synth import LiftSpec, render_lift

REPO = Path(__file__).resolve().parents[1]
CLIP_SIZES: dict[str, tuple[int, int, float]] = {
    "1080p": (1920, 1080, 10.0), "4k": (3840, 2160, 10.0), "4k30": (3840, 2160, 30.0),
}


def lift_clip(width: int, height: int, seconds: float) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"lift_{width}x{height}_{seconds:g}s.mp4"
    if not path.exists():
        # A snatch is about 5.5 s from set-up to the drop; stretch the set-up and hold to fill the clip.
        extra = max(seconds - 7.0, 0.0)
        spec = LiftSpec(exercise="snatch", width_px=width, height_px=height, fps=30.0,
                        setup_s=1.2 + extra / 2, hold_s=1.0 + extra / 2, noise_sigma=2.0, seed=1)
        render_lift(spec, path)
    return path


POSE_RULES: dict[str, dict[str, Any]] = {
    # docs/pose.md "Frames without a landmark pass": the defaults, and every frame through the model
    "default": {},
    "every-frame": {"pose_frame_step": 1, "pose_still_max_shift_fraction": 0.0},
}


def warm(
    paths: list[Path], settings: Settings, pose_rules: tuple[str, ...] = ("default",)
) -> dict[str, dict[str, float]]:
    """Cluster and pose app up, one untimed run to warm the workers, then one timed run per clip (and per
    pose rule set, alternated clip by clip; results keyed "clip [rules]" when there are several)."""
    start_ray(settings)
    prepare_pose(settings)
    request = AnalysisRequest(exercise="snatch", barbell_mass_kg=80.0)
    with tempfile.TemporaryDirectory() as tmp:
        run_analysis(paths[0], request, settings, LocalObjectStore(Path(tmp)), prefix="")
    walls: dict[str, dict[str, float]] = {}
    runs = [(path, rules) for path in paths for rules in pose_rules]
    base_settings = settings
    for path, rules in runs:
        settings = dataclasses.replace(base_settings, **POSE_RULES[rules])
        key = path.name if len(pose_rules) == 1 else f"{path.name} [{rules}]"
        with tempfile.TemporaryDirectory() as tmp, PeakRss() as rss:
            load_1m = os.getloadavg()[0]
            t0, cpu0, by_name0 = time.perf_counter(), tree_cpu_s(), tree_cpu_by_name()
            report = run_analysis(path, request, settings, LocalObjectStore(Path(tmp)), prefix="")
            wall, cpu = time.perf_counter() - t0, tree_cpu_s() - cpu0
            by_name = {k: v - by_name0.get(k, 0.0) for k, v in tree_cpu_by_name().items()}
        cpu -= rss.sampler_cpu_s  # the memory sampler runs in this process; its CPU is not the pipeline's
        me = f"{process_name(os.getpid())}[{os.getpid()}]"
        by_name[me] = by_name.get(me, 0.0) - rss.sampler_cpu_s
        video = report["video"]
        walls[key] = {"wall_s": wall, "rtf": wall / video["duration_s"],
                            "cpu_ms_per_frame": 1000 * cpu / video["n_frames"],
                            "cpu_rtf": cpu / (os.cpu_count() or 1) / video["duration_s"],
                            "pss_gib": rss.peak_pss_bytes / 2**30, "rss_gib": rss.peak_bytes / 2**30}
        print(f"\n== warm, pose_execution={settings.pose_execution}, pose rules {rules}: {path.name}  "
              f"({video['width_px']}x{video['height_px']}, "
              f"{video['n_frames']} frames, {video['duration_s']:.1f} s)")
        for stage, seconds in report["timings_s"].items():
            print(f"  {stage:18s} {seconds:7.2f} s  {100 * seconds / wall:5.1f} %")
        print(f"  {'total':18s} {wall:7.2f} s   real-time factor {wall / video['duration_s']:.2f}   "
              f"frames/s {video['n_frames'] / wall:.1f}   peak RSS {rss.peak_bytes / 2**30:.2f} GiB "
              f"(PSS {rss.peak_pss_bytes / 2**30:.2f} GiB)")
        # On a shared machine wall time includes waiting for other people's work; CPU-s / cores is the
        # wall time this run would take with the cores to itself (at perfect overlap).
        cores = os.cpu_count() or 1
        print(f"  CPU {cpu:.1f} s over the process tree = {1000 * cpu / video['n_frames']:.1f} CPU-ms/frame; "
              f"CPU-s / {cores} cores / duration = {cpu / cores / video['duration_s']:.2f}"
              f"   (load average at start {load_1m:.1f})")
        top = sorted(by_name.items(), key=lambda kv: -kv[1])[:8]
        print("  CPU by process: " + ", ".join(f"{k} {v:.1f} s" for k, v in top if v >= 0.05))
        tasks = report.get("task_timings_s", {})
        # issue 4: bar tracking costs little beside pose (observation in the segment tasks + the track)
        # observation as CPU seconds of the task threads (its wall span also counts waiting for a core);
        # the track runs alone in the driver, so its wall time is its CPU
        bar_s = tasks.get("bar_observe_cpu", 0.0) + report["timings_s"].get("bar_track", 0.0)
        print(f"  segment tasks (summed): {tasks}; bar (observe CPU + track) {bar_s:.1f} s = "
              f"{100 * bar_s / cpu:.1f} % of the tree's CPU (target <= 10 %)")
        walls[key]["bar_share_pct"] = 100 * bar_s / cpu
        print(f"  pose frames: {report.get('pose_frames')}")
    shutdown_ray()
    return walls


def cold(
    path: Path, pose_execution: str, warm_wall_s: float | None = None, ray_head: str = "lean"
) -> dict[str, float]:
    env = {**os.environ, "LIFTLAB_POSE_EXECUTION": pose_execution,
           "LIFTLAB_RAY_LEAN_HEAD": "1" if ray_head == "lean" else "0"}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        cmd = [str(REPO / ".venv/bin/liftlab"), "analyze", str(path), "--exercise", "snatch", "--out", tmp]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        with PeakRss(proc.pid) as rss:
            _, err = proc.communicate()
        wall = time.perf_counter() - t0
    status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}: {err.decode()[-300:]}"
    print(f"\n== cold, pose_execution={pose_execution}, {ray_head} Ray head: liftlab analyze {path.name}: "
          f"{wall:.1f} s wall, peak RSS "
          f"{rss.peak_bytes / 2**30:.2f} GiB, PSS {rss.peak_pss_bytes / 2**30:.2f} GiB ({status}); "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"  CPU of the process tree (sampled): {rss.tree_cpu_s_seen:.1f} s")
    top = sorted(rss.peak_pss_by_process.items(), key=lambda kv: -kv[1])
    print("  PSS at the peak by process (MiB): " + ", ".join(f"{k} {v / 2**20:.0f}" for k, v in top))
    overhead = wall - warm_wall_s if warm_wall_s is not None else float("nan")
    if warm_wall_s is not None:
        print(f"  cold start overhead: {overhead:.1f} s (target <= 10 s)")
    return {"wall_s": wall, "overhead_s": overhead, "pss_gib": rss.peak_pss_bytes / 2**30,
            "cpu_s": rss.tree_cpu_s_seen}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", nargs="+", choices=tuple(CLIP_SIZES), default=["1080p", "4k"],
                        help="generated lifts to run: 10 s 1080p30, 10 s 4K30, 30 s 4K30 (peak RSS target)")
    parser.add_argument("--cold", choices=("first", "all", "none"), default="first",
                        help="cold `liftlab analyze` runs: of the first clip, of every clip, or none")
    parser.add_argument("--phone-gop", action="store_true",
                        help="re-encode the clips with a key frame every 30 frames, as phones write them")
    parser.add_argument("--pose-execution", nargs="+", choices=("serve", "task"), default=["serve", "task"],
                        help="pose in the Serve deployment and/or inside the segment tasks (default both)")
    parser.add_argument("--ray-head", nargs="+", choices=("lean", "stock"), default=["lean"],
                        help="local Ray head for the cold runs: without the unused helper processes "
                             "(pipelines/shell/lean_head.py) and/or ray.init()'s stock set")
    parser.add_argument("--pose-rules", nargs="+", choices=tuple(POSE_RULES), default=["default"],
                        help="warm runs with the default pose rules and/or every frame through the model "
                             "(alternated clip by clip)")
    args = parser.parse_args()
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    clips = [lift_clip(*CLIP_SIZES[name]) for name in args.clips]
    if args.phone_gop:
        clips = [phone_gop_copy(c) for c in clips]
    warm_by_mode: dict[str, dict[str, dict[str, float]]] = {}
    cold_by_mode: dict[str, dict[str, float]] = {}
    for mode in args.pose_execution:
        settings = Settings.from_env(store_backend="local", pose_execution=mode)
        warm_by_mode[mode] = warm(clips, settings, tuple(args.pose_rules))
    cold_clips = {"first": clips[:1], "all": clips, "none": []}[args.cold]
    # alternate the heads clip by clip so that a change in the machine's load hits both alike
    for mode in args.pose_execution:
        for clip in cold_clips:
            for head in args.ray_head:
                warm_key = clip.name if len(args.pose_rules) == 1 else f"{clip.name} [{args.pose_rules[0]}]"
                cold_by_mode[f"{mode} | {head} head | {clip.name}"] = cold(
                    clip, mode, warm_by_mode[mode][warm_key]["wall_s"], head
                )
    # The machines' speed varies between days (shared, throttled): the clip's own decode by
    # `ffmpeg -threads 1` in the same run is the yardstick; costs in "ffmpeg decodes" compare across runs.
    exe = ffmpeg_binary()
    ffmpeg_ms: dict[str, float] = {}
    if exe is not None:
        for clip in clips:
            n, cpu_s = ffmpeg_cpu(clip, (960, 540), exe)
            ffmpeg_ms[clip.name] = 1000 * cpu_s / n
            print(f"\nyardstick: ffmpeg -threads 1 decodes {clip.name} at "
                  f"{ffmpeg_ms[clip.name]:.1f} CPU-ms/frame")
    print("\n== side by side (same clips, same run; CPU figures are steadier than wall on a shared machine)")
    print("| pose execution | clip | warm wall s | RTF | CPU-ms/frame | in ffmpeg decodes | "
          "CPU-s/2 cores/duration | PSS GiB | bar % |")
    print("|---|---|---|---|---|---|---|---|---|")
    for mode, per_clip in warm_by_mode.items():
        for name, r in per_clip.items():
            clip_name = name.split(" [")[0]
            decodes = r["cpu_ms_per_frame"] / ffmpeg_ms[clip_name] if clip_name in ffmpeg_ms else float("nan")
            print(f"| {mode} | {name} | {r['wall_s']:.1f} | {r['rtf']:.2f} | {r['cpu_ms_per_frame']:.1f} | "
                  f"{decodes:.2f} | {r['cpu_rtf']:.2f} | {r['pss_gib']:.2f} | {r['bar_share_pct']:.1f} |")
    print("| pose execution | Ray head | clip | cold wall s | cold overhead s | cold PSS GiB |")
    print("|---|---|---|---|---|---|")
    for mode, r in cold_by_mode.items():
        print(f"| {mode} | {r['wall_s']:.1f} | {r['overhead_s']:.1f} | {r['pss_gib']:.2f} |")


if __name__ == "__main__":
    main()
