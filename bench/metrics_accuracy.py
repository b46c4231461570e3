"""Metric errors of the kinematics stage against the synthetic renderer's ground truth.

Tracks are the truth's bar centre and joints plus pixel noise (no video drawn, so this measures the
kinematics stage alone, not the bar tracker or the pose model). Prints, per exercise and resolution,
the mean and worst absolute error of peak velocity, peak height, drop, phase durations and event times.

Event times (`t:`) are measured against the renderer's definitions. Where ours differ (first_pull_end
and transition_end are knee events here, bar heights of 0.27 and 0.36 x lifter height in the
renderer), two more rows split that error: `t=ours:` against our own definition applied to the
noise-free truth tracks (the measurement error), and `gap:` our definition on the noise-free tracks
minus the renderer's (the definitions' difference). A last block pools lift-off over every lift.

    .venv/bin/python bench/metrics_accuracy.py [--seeds 4] [--bar-noise-px 0.5] [--joint-noise-px 2]
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np

from pipelines.metrics.analyze import BodyProfile, analyze_lift
from pipelines.synth.spec import LiftSpec
from tests.phases.synth_truth import simulate_truth, tracks_from_truth


def _true_values(truth, rep: dict) -> dict[str, float]:  # type: ignore[no-untyped-def]
    ev = rep["events"]
    i0, ipk, icat = (ev[k]["frame"] for k in ("start_of_lifting", "peak_bar_height", "catch_end"))
    y = truth.bar_xy_m[:, 1]
    out = {
        "max_vy_mps": float(np.max(truth.bar_velocity_mps[i0 : ipk + 1, 1])),
        "peak_bar_height_m": float(y[ipk] + truth.bar_start_height_m),
        "drop_under_bar_m": float(y[ipk] - y[icat]),
    }
    for name, a, b in ((p["name"], p["start_t_s"], p["end_t_s"]) for p in rep["phases"]):
        if name != "setup":
            out[f"{name}_duration_s"] = b - a
    return out


# Events whose renderer definition is not ours (docs/metrics.md, "Our definitions, the coaches' and the
# renderer's").
DEFINITION_DIFFERS = ("first_pull_end", "transition_end")


def run(seeds: int, bar_noise_px: float, joint_noise_px: float) -> None:
    liftoff_errors: list[float] = []
    cases = [(ex, res) for ex in ("snatch", "clean", "clean_and_jerk") for res in ((1280, 720), (1920, 1080))]
    for exercise, (w, h) in cases:
        errors: dict[str, list[float]] = defaultdict(list)
        reps_found = reps_true = 0
        for seed in range(seeds):
            spec = LiftSpec(
                exercise=exercise, n_reps=2, fps=60.0, width_px=w, height_px=h, seed=seed  # type: ignore[arg-type]
            )
            truth = simulate_truth(spec)
            pose, bar, calib = tracks_from_truth(truth, bar_noise_px, joint_noise_px, seed)
            body = BodyProfile(spec.body_mass_kg, spec.lifter_height_m)
            a = analyze_lift(pose, bar, calib, exercise, spec.barbell_mass_kg, body, ["all"])
            clean = analyze_lift(
                *tracks_from_truth(truth, 0.0, 0.0, seed), exercise, spec.barbell_mass_kg, body, ["all"]
            )
            reps_found += len(a.reps)
            reps_true += len(truth.reps)
            for rep, true_rep in zip(a.reps, truth.reps, strict=False):
                true = _true_values(truth, true_rep)
                m = rep.metrics
                lo, hi = rep.events["start_of_lifting"].frame, rep.events["peak_bar_height"].frame
                vy = a.series["bar_vy_mps"][lo : hi + 1]
                errors["max_vy_mps"].append(float(np.nanmax(vy)) - true["max_vy_mps"])
                for key in ("peak_bar_height_m", "drop_under_bar_m"):
                    if m[key].value is not None:
                        errors[key].append(float(m[key].value) - true[key])  # type: ignore[arg-type]
                for key, value in true.items():
                    if key.endswith("_duration_s") and key in m and m[key].value is not None:
                        errors[key].append(float(m[key].value) - value)  # type: ignore[arg-type]
                for name, e in true_rep["events"].items():
                    if name in rep.events:
                        errors[f"t:{name}"].append((rep.events[name].t_s - e["t_s"]) * spec.fps)
                if "start_of_lifting" in rep.events:
                    liftoff_errors.append(errors["t:start_of_lifting"][-1])
                clean_rep = next((r for r in clean.reps if r.index == rep.index), None)
                for name in DEFINITION_DIFFERS:
                    if clean_rep is None or name not in clean_rep.events or name not in true_rep["events"]:
                        continue
                    ours_t_s = clean_rep.events[name].t_s
                    errors[f"gap:{name}"].append((ours_t_s - true_rep["events"][name]["t_s"]) * spec.fps)
                    if name in rep.events:
                        errors[f"t=ours:{name}"].append((rep.events[name].t_s - ours_t_s) * spec.fps)
        print(f"\n{exercise} {w}x{h} 60 fps, bar noise {bar_noise_px} px, joint noise {joint_noise_px} px: "
              f"reps found {reps_found}/{reps_true}")
        for key, vals in errors.items():
            arr = np.abs(np.asarray(vals))
            unit = "frames" if key.startswith(("t:", "t=ours:", "gap:")) else key.rsplit("_", 1)[-1]
            signed = float(np.mean(vals))
            stats = f"mean |err| {arr.mean():7.4f}  max {arr.max():7.4f} {unit}  (mean signed {signed:+.4f})"
            print(f"  {key:28s} {stats}")
    pooled = np.asarray(liftoff_errors)
    late_or_early = int(np.sum(np.abs(pooled) > 1.0 + 1e-9))
    print(f"\nlift-off over all {pooled.size} lifts: mean |err| {np.abs(pooled).mean():.4f}  "
          f"max {np.abs(pooled).max():.4f} frames  (mean signed {pooled.mean():+.4f}); "
          f"lifts off by more than one frame: {late_or_early}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--bar-noise-px", type=float, default=0.5)
    parser.add_argument("--joint-noise-px", type=float, default=2.0)
    args = parser.parse_args()
    run(args.seeds, args.bar_noise_px, args.joint_noise_px)


if __name__ == "__main__":
    main()
