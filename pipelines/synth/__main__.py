"""``python -m pipelines.synth OUT.mp4 [--exercise ...] [--fps ...]``: render a clip and its truth."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from pipelines.synth.render import render_lift
from pipelines.synth.spec import EXERCISES, PLATE_COLOURS_BGR, RESOLUTIONS, demo_spec, spec_for_resolution


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m pipelines.synth", description=__doc__)
    p.add_argument("out", type=Path, help="output .mp4; the truth goes beside it (.truth.json/.npz)")
    p.add_argument("--exercise", choices=EXERCISES, default="snatch")
    p.add_argument("--reps", type=int, default=1)
    p.add_argument("--fps", type=float, default=30.0)
    p.add_argument("--resolution", choices=sorted(RESOLUTIONS), default="720p")
    p.add_argument("--vfr", action="store_true", help="variable frame rate (jittered pts)")
    p.add_argument("--blur", type=int, default=2, help="motion-blur sub-frames (1 = none)")
    p.add_argument("--noise", type=float, default=2.0, help="sensor noise sigma, grey levels")
    p.add_argument("--plate-colour", choices=sorted(PLATE_COLOURS_BGR), default="black")
    p.add_argument("--yaw", type=float, default=0.0, help="camera yaw in degrees (0-30)")
    p.add_argument("--shake", type=float, default=0.0, help="camera shake RMS in px")
    p.add_argument("--peak-velocity", type=float, default=None, help="m/s")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--demo", action="store_true", help="the make-demo clip (ignores the other options)")
    args = p.parse_args(argv)
    if args.demo:
        spec = demo_spec()
    else:
        try:
            spec = spec_for_resolution(
                args.resolution,
                exercise=args.exercise,
                n_reps=args.reps,
                fps=args.fps,
                variable_frame_rate=args.vfr,
                blur_subframes=args.blur,
                noise_sigma=args.noise,
                plate_colour=args.plate_colour,
                camera_yaw_deg=args.yaw,
                camera_shake_px=args.shake,
                peak_velocity_mps=args.peak_velocity,
                seed=args.seed,
            )
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    truth = render_lift(spec, args.out)
    print(
        f"wrote {args.out} ({truth.n_frames} frames, {truth.t_s[-1]:.2f} s) and its truth "
        f"({len(truth.reps)} rep(s)); spec: {dataclasses.asdict(spec)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
