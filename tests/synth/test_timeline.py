from __future__ import annotations

import numpy as np
import pytest

from pipelines.synth import LiftSpec
from pipelines.synth.anthropometry import Anthropometry
from pipelines.synth.body import solve_body
from pipelines.synth.channels import BODY_CHANNELS, sample
from pipelines.synth.timeline import build_timeline
from services.inference.joints import JOINT_INDEX

PULL_EVENTS = (
    "start_of_lifting",
    "first_pull_end",
    "transition_end",
    "second_pull_end",
    "peak_bar_height",
    "catch_end",
    "recovery_end",
)
JERK_EVENTS = ("jerk_dip_start", "jerk_drive_start", "jerk_drive_end", "jerk_catch", "jerk_recovery_end")


@pytest.mark.parametrize("exercise", ["snatch", "clean", "clean_and_jerk"])
@pytest.mark.parametrize("peak_mps", [1.4, 1.8, 2.2])
def test_pull_reaches_the_requested_peak_velocity(exercise: str, peak_mps: float) -> None:
    tl = build_timeline(LiftSpec(exercise=exercise, peak_velocity_mps=peak_mps))  # type: ignore[arg-type]
    ev = tl.reps[0].events
    t = np.linspace(ev["start_of_lifting"], ev["catch_end"], 4000)
    vy = tl.curves["bar_y"].evaluate(t)[1]
    assert vy.max() == pytest.approx(peak_mps, abs=1e-3)
    t_peak_v = t[np.argmax(vy)]
    assert abs(t_peak_v - ev["second_pull_end"]) < 0.01


@pytest.mark.parametrize("exercise", ["snatch", "clean", "clean_and_jerk"])
def test_events_ordered_loop_and_drop_present(exercise: str) -> None:
    spec = LiftSpec(exercise=exercise, n_reps=2)  # type: ignore[arg-type]
    tl = build_timeline(spec)
    assert len(tl.reps) == 2
    names = PULL_EVENTS + (JERK_EVENTS if exercise == "clean_and_jerk" else ())
    for rep in tl.reps:
        times = [rep.events[n] for n in names]
        assert times == sorted(times) and len(set(times)) == len(times), rep.events
        x = tl.curves["bar_x"].evaluate
        y = tl.curves["bar_y"].evaluate
        # First pull toward the lifter (-x), second pull away, then the loop back toward the lifter.
        x0 = float(x(rep.events["start_of_lifting"])[0])
        assert float(x(rep.events["first_pull_end"])[0]) < x0 - 0.01
        t_after = np.linspace(rep.events["second_pull_end"], rep.events["catch_end"], 400)
        xs = x(t_after)[0]
        assert xs.max() - xs[-1] > 0.02, "no loop back toward the lifter"
        drop_m = float(y(rep.events["peak_bar_height"])[0] - y(rep.events["catch_end"])[0])
        assert 0.03 < drop_m < 0.25, drop_m
        ys = y(np.linspace(rep.events["peak_bar_height"], rep.events["catch_end"], 400))[0]
        assert ys.argmin() >= 395, "catch_end is not the lowest point of the catch"
    # Bar never goes through the floor (bar axis >= plate radius).
    t = np.linspace(0, tl.duration_s, 20000)
    assert tl.curves["bar_y"].evaluate(t)[0].min() > tl.plate_radius_m - 0.002


def test_body_segments_keep_their_length_and_hands_stay_on_the_bar() -> None:
    spec = LiftSpec(exercise="snatch")
    tl = build_timeline(spec)
    a = Anthropometry(spec.lifter_height_m)
    rep = tl.reps[0]
    t = np.linspace(rep.events["start_of_lifting"], rep.release_t_s, 600)
    bar = np.stack([tl.curves["bar_x"].evaluate(t)[0], tl.curves["bar_y"].evaluate(t)[0]], axis=1)
    pts = solve_body(a, sample({k: tl.curves[k] for k in BODY_CHANNELS}, t), bar, a.grip_half_m("snatch"))
    j = JOINT_INDEX
    thigh = np.linalg.norm(pts[:, j["rhip"]] - pts[:, j["rkne"]], axis=1)
    assert np.allclose(thigh, a.thigh_m, atol=1e-6)
    wrist_to_bar = np.linalg.norm(pts[:, j["rwri"], :2] - bar, axis=1)
    # Wrist sits a hand's length from the bar axis; allow a little slack where the arm is fully straight.
    assert np.percentile(wrist_to_bar, 95) < a.wrist_to_grip_m + 0.03, wrist_to_bar.max()
    # Feet stay on the floor and the head above the hips.
    assert pts[:, j["rtoe"], 1].min() > -1e-6
    assert np.all(pts[:, j["nose"], 1] > pts[:, j["rhip"], 1])
