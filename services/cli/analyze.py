"""`liftlab analyze VIDEO`: the embedded mode. Local Ray, the CPU pose model, a local output folder."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from pipelines.errors import LiftlabError
from pipelines.request import EXERCISES, AnalysisRequest
from pipelines.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("analyze", help="analyse one video into a local folder (no servers needed)")
    p.add_argument("video", type=Path)
    p.add_argument("--exercise", required=True, choices=EXERCISES)
    p.add_argument("--barbell-mass", type=float, default=None, help="kg (default 100)")
    p.add_argument("--plate-diameter", type=float, default=None, help="m (default 0.450)")
    p.add_argument("--body-mass", type=float, default=None, help="lifter's body mass in kg (enables GRF)")
    p.add_argument("--height", type=float, default=None, help="lifter's height in m")
    p.add_argument("--joints", default="all", help="comma-separated: ankle,knee,hip,elbow,shoulder or all")
    p.add_argument("--units", choices=("metric", "imperial"), default="metric", help="for the HTML report")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--json", action="store_true", help="print report.json to stdout")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = embedded_settings(args.out)
    try:
        request = AnalysisRequest(
            exercise=args.exercise,
            barbell_mass_kg=args.barbell_mass or settings.default_barbell_mass_kg,
            plate_diameter_m=args.plate_diameter or settings.plate_diameter_m,
            body_joint_angles=tuple(j.strip() for j in args.joints.split(",") if j.strip()),
            body_mass_kg=args.body_mass,
            height_m=args.height,
            measurement_system=args.units,
        )
    except ValueError as exc:
        print(f"liftlab analyze: {exc}", file=sys.stderr)
        return 2
    return analyze_to_folder(args.video, request, settings, args.out, print_json=args.json)


def embedded_settings(out_dir: Path) -> Settings:
    """Settings of the embedded mode: a local folder store, and pose inside the segment tasks unless
    LIFTLAB_POSE_EXECUTION says otherwise (no Serve controller or replicas to start for one clip;
    docs/performance.md "Round 3")."""
    pose_execution = os.environ.get("LIFTLAB_POSE_EXECUTION", "task")
    return Settings.from_env(store_backend="local", store_local_dir=out_dir, pose_execution=pose_execution)


def analyze_to_folder(
    video: Path,
    request: AnalysisRequest,
    settings: Settings,
    out_dir: Path,
    print_json: bool = False,
) -> int:
    from pipelines.shell.pipeline import preload_later_stages, run_analysis
    from pipelines.shell.ray_runtime import prepare_pose, shutdown_ray, start_ray
    from pipelines.storage.local import LocalObjectStore
    from pipelines.video.probe import probe_video
    from services.cli.progress import TerminalProgress

    try:
        probe = probe_video(video, settings.max_video_duration_s)  # fail fast, before starting Ray
    except LiftlabError as exc:
        print(f"liftlab analyze: {video.name}: {exc}", file=sys.stderr)
        return 2
    store = LocalObjectStore(out_dir)
    store.ensure_ready()
    progress = TerminalProgress()
    preload_later_stages()  # in a thread, while this process mostly waits for Ray's processes to start
    start_ray(settings)
    try:
        prepare_pose(settings)
        report = run_analysis(video, request, settings, store, prefix="", progress=progress, probe=probe)
    except LiftlabError as exc:
        progress.done()
        print(f"liftlab analyze: {exc}", file=sys.stderr)
        return 1
    finally:
        shutdown_ray()
    progress.done()
    if print_json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"report:   {out_dir / 'report.json'}")
        print(f"html:     {out_dir / 'report.html'}")
        print(f"video:    {out_dir / 'analyzed.mp4'}")
        print(f"parquet:  {out_dir}/{{frames,bar,kinematics,phases}}.parquet")
    return 0
