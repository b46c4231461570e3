"""Lift-off timing over many rendered lifts: within one frame at 60 fps (issue 5).

Tracks are the renderer's truth plus the bar tracker's noise (0.5 px on the plate centre, about
1.8 mm at 1280x720 and 1.2 mm at 1920x1080) and 2 px on the joints. The reported lift-off is a frame,
so a perfect onset estimate is still up to half a frame from a true instant that falls between frames.
"""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.metrics.analyze import BodyProfile, analyze_lift
from pipelines.synth.spec import LiftSpec
from tests.phases.synth_truth import simulate_truth, tracks_from_truth


# Different seeds per size: the same seed at another size is the same lift with proportionally scaled noise.
@pytest.mark.parametrize(("size", "seeds"), [((1280, 720), (0, 1, 2)), ((1920, 1080), (3, 4, 5))])
def test_liftoff_within_one_frame_over_eighteen_lifts(size: tuple[int, int], seeds: tuple[int, ...]) -> None:
    errors_frames: list[float] = []
    for exercise in ("snatch", "clean", "clean_and_jerk"):
        for seed in seeds:
            spec = LiftSpec(
                exercise=exercise,  # type: ignore[arg-type]
                n_reps=2,
                fps=60.0,
                width_px=size[0],
                height_px=size[1],
                seed=seed,
            )
            truth = simulate_truth(spec)
            pose, bar, calib = tracks_from_truth(truth, 0.5, 2.0, seed)
            body = BodyProfile(spec.body_mass_kg, spec.lifter_height_m)
            a = analyze_lift(pose, bar, calib, exercise, spec.barbell_mass_kg, body, ["all"])
            assert len(a.reps) == len(truth.reps)
            for rep, true_rep in zip(a.reps, truth.reps, strict=True):
                true_t_s = true_rep["events"]["start_of_lifting"]["t_s"]
                errors_frames.append((rep.events["start_of_lifting"].t_s - true_t_s) * spec.fps)
    errors = np.abs(np.asarray(errors_frames))
    assert errors.size >= 18
    assert errors.max() <= 1.0 + 1e-6, f"lift-off errors (frames): {np.round(errors_frames, 2)}"
    assert errors.mean() <= 0.5, f"mean |error| {errors.mean():.2f} frames"
