"""Which frames get a second, tracked chance, with which region hint (pipelines.pose.tracking)."""

from __future__ import annotations

import numpy as np

from pipelines.pose.tracking import TrackingConfig, is_new_person, plan_tracking, roi_hint_from_pose
from services.inference.joints import JOINTS, N_JOINTS
from services.inference.protocol import PersonPose

IDX = {name: i for i, name in enumerate(JOINTS)}


def standing_pose(cx: float, hip_y: float = 300.0, height: float = 200.0) -> np.ndarray:
    """(N_JOINTS, 2): a crude upright figure, hips at (cx, hip_y), feet and nose height/2 away."""
    kp = np.zeros((N_JOINTS, 2), np.float32)
    for name in JOINTS:
        side = -1.0 if name.startswith("l") else 1.0
        if name == "nose":
            kp[IDX[name]] = (cx, hip_y - 0.5 * height)
        elif name.endswith(("sho", "elb", "wri")):
            dy = {"sho": -0.35, "elb": -0.15, "wri": 0.0}[name[1:]]
            kp[IDX[name]] = (cx + side * 0.1 * height, hip_y + dy * height)
        else:
            dy = {"hip": 0.0, "kne": 0.25, "ank": 0.45, "hee": 0.47, "toe": 0.48}[name[1:]]
            kp[IDX[name]] = (cx + side * 0.06 * height, hip_y + dy * height)
    return kp


def person(kp: np.ndarray, tracked: bool = False) -> PersonPose:
    x0, y0 = np.nanmin(kp, axis=0)
    x1, y1 = np.nanmax(kp, axis=0)
    return PersonPose(kp.astype(np.float32), np.full(N_JOINTS, 0.9, np.float32),
                      np.array([x0, y0, x1, y1], np.float32), 0.9, tracked)


def test_hint_is_centred_on_the_hips_points_to_the_head_and_encloses_the_body() -> None:
    kp = standing_pose(400.0)
    hint = roi_hint_from_pose(kp)
    assert hint is not None and hint.shape == (2, 2)
    np.testing.assert_allclose(hint[0], (400.0, 300.0), atol=1e-3)
    up = hint[1] - hint[0]
    radius = float(np.linalg.norm(up))
    assert up[1] < 0 and abs(up[0]) < 1e-3  # head up
    assert radius >= float(np.max(np.linalg.norm(kp - hint[0], axis=1)))
    # arms overhead (the snatch catch): the circle grows to hold the wrists
    overhead = kp.copy()
    overhead[[IDX["lwri"], IDX["rwri"]], 1] = 300.0 - 0.95 * 200.0
    overhead_hint = roi_hint_from_pose(overhead)
    assert overhead_hint is not None and np.linalg.norm(overhead_hint[1] - overhead_hint[0]) > radius


def test_no_hint_without_hips_or_with_too_few_joints() -> None:
    kp = standing_pose(400.0)
    no_hips = kp.copy()
    no_hips[[IDX["lhip"], IDX["rhip"]]] = np.nan
    assert roi_hint_from_pose(no_hips) is None
    sparse = np.full_like(kp, np.nan)
    keep = [IDX["lhip"], IDX["rhip"], IDX["lsho"], IDX["rsho"], IDX["nose"]]
    sparse[keep] = kp[keep]
    assert roi_hint_from_pose(sparse) is None


def test_plan_retries_only_frames_without_the_lifter_from_the_nearest_found_frame() -> None:
    n = 20
    t_s = np.arange(n) / 30.0
    missing = {8, 9, 10, 11}
    frames = [[] if i in missing else [person(standing_pose(300.0 + 2.0 * i))] for i in range(n)]
    tried: dict[int, int] = {}
    plan = plan_tracking(t_s, frames, (960, 540), TrackingConfig(), tried)
    assert set(plan) == missing
    # frame 8 takes frame 7's pose (hips at x = 314), frame 11 takes frame 12's (x = 324)
    assert plan[8][0, 0] == np.float32(314.0) and plan[11][0, 0] == np.float32(324.0)
    assert tried == {8: 7, 9: 7, 10: 12, 11: 12}
    # nothing new was found: the same sources are not asked twice
    assert plan_tracking(t_s, frames, (960, 540), TrackingConfig(), tried) == {}
    # frame 9 found (tracked) in that round: frame 10 now has a nearer source and is retried from it
    frames[9] = [person(standing_pose(318.0), tracked=True)]
    again = plan_tracking(t_s, frames, (960, 540), TrackingConfig(), tried)
    assert set(again) == {10} and again[10][0, 0] == np.float32(318.0) and tried[10] == 9
    frames[10] = [person(standing_pose(320.0), tracked=True)]
    frames[12] = []
    again = plan_tracking(t_s, frames, (960, 540), TrackingConfig(), tried)
    assert set(again) == {11, 12} and tried[11] == 10 and tried[12] == 13  # nearest sources changed


def test_plan_respects_the_source_gap_and_empty_clips() -> None:
    t_s = np.arange(60) / 30.0
    frames = [[person(standing_pose(300.0))] if i < 5 else [] for i in range(60)]
    plan = plan_tracking(t_s, frames, (960, 540), TrackingConfig(max_source_gap_s=0.5))
    assert set(plan) == set(range(5, 20))  # frames 5..19 lie within 0.5 s of frame 4
    assert plan_tracking(t_s, [[] for _ in range(60)], (960, 540)) == {}
    assert plan_tracking(np.zeros(0), [], (960, 540)) == {}


def test_a_tracked_body_already_detected_is_not_added_twice() -> None:
    detected = person(standing_pose(300.0))
    same = person(standing_pose(303.0), tracked=True)
    other = person(standing_pose(600.0), tracked=True)
    assert not is_new_person(same, [detected])
    assert is_new_person(other, [detected])
    assert is_new_person(same, [])
