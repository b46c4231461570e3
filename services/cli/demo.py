"""`liftlab demo`: render the project's own demo clip (a synthetic lifter doing a snatch with a known
bar trajectory) and analyse it like any other video; optionally publish it as the API's demo session."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.request import AnalysisRequest
from pipelines.settings import Settings

DEMO_PREFIX = "demo/"


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("demo", help="render the demo clip and analyse it")
    p.add_argument("--out", type=Path, default=Path("out/demo"))
    p.add_argument(
        "--publish",
        action="store_true",
        help="also upload the results to the object store as the API's demo session (demo/)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pipelines.synth import demo_spec, render_lift
    from services.cli.analyze import analyze_to_folder, embedded_settings

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    clip = out / "demo_input.mp4"
    spec = demo_spec()
    truth = render_lift(spec, clip)
    print(f"demo clip: {clip} (ground truth beside it)")
    settings = embedded_settings(out)
    request = AnalysisRequest(
        exercise=spec.exercise,
        barbell_mass_kg=spec.barbell_mass_kg,
        display_name="Demo Lifter",
        body_mass_kg=spec.body_mass_kg,
        height_m=spec.lifter_height_m,
        age=27,
        gender="female",
        session_id="demo",
    )
    code = analyze_to_folder(clip, request, settings, out)
    if code != 0:
        return code
    _print_truth_comparison(out, truth, spec.plate_diameter_m / 2.0)
    if args.publish:
        publish_demo(out, clip, Settings.from_env())
        print(f"published as the demo session under {DEMO_PREFIX} in the object store")
    return 0


def publish_demo(out_dir: Path, clip: Path, settings: Settings) -> None:
    from pipelines.storage import make_object_store

    store = make_object_store(settings)
    store.ensure_ready()
    import json
    import time

    store.put_file(f"{DEMO_PREFIX}original.mp4", clip, "video/mp4")
    store.put_bytes(f"{DEMO_PREFIX}session.json", json.dumps({
        "title": "Demo snatch (synthetic lifter, known ground truth)",
        "created_at_s": time.time(), "video_key": f"{DEMO_PREFIX}original.mp4",
    }).encode(), "application/json")
    files = sorted(p for p in out_dir.rglob("*") if p.is_file() and p != clip and "truth" not in p.name)
    files.sort(key=lambda p: p.name == "report.json")  # report last: its presence means complete
    for path in files:
        store.put_file(f"{DEMO_PREFIX}{path.relative_to(out_dir).as_posix()}", path)


def _print_truth_comparison(out_dir: Path, truth: object, plate_radius_m: float) -> None:
    """Show measured values beside the renderer's true ones: the demo checks itself."""
    import json

    import numpy as np

    report = json.loads((out_dir / "report.json").read_text())
    primary = report.get("primary_rep")
    if primary is None:
        print("no lift found in the demo clip", file=sys.stderr)
        return
    metrics = report["reps"][primary]["metrics"]
    velocity = np.asarray(getattr(truth, "bar_velocity_mps", np.zeros((0, 2))))
    height = np.asarray(getattr(truth, "bar_xy_m", np.zeros((0, 2))))
    # Upward peaks of the pull; the drop after release is faster but is not part of the lift.
    true_peak_v = float(np.max(velocity[:, 1])) if len(velocity) else None
    reps = getattr(truth, "reps", [])
    peak_event = reps[0]["events"].get("peak_bar_height") if reps else None
    # The pull's peak (the event), not the overhead hold after standing up, which is higher.
    # peak_bar_height_m is the bar centre above the floor: the truth's rise from rest + the plate radius.
    true_peak_h = (float(height[peak_event["frame"], 1]) + plate_radius_m
                   if peak_event and len(height) else None)
    pairs = (
        ("peak upward bar velocity", "max_bar_speed", true_peak_v, "m/s"),
        ("peak bar height", "peak_bar_height_m", true_peak_h, "m"),
    )
    for label, name, true_value, unit in pairs:
        measured = metrics.get(name, {}).get("value")
        if isinstance(measured, (int, float)) and true_value is not None:
            print(f"{label}: measured {measured:.3f} {unit}, true {true_value:.3f} {unit}")
