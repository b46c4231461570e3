"""Frames that need no landmark pass of their own: still spans and the frame step (pure planning)."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.pose.lifter import select_lifter
from pipelines.pose.tracking import (
    TrackingConfig,
    interpolate_person,
    is_still,
    lifter_at_detector_frames,
    plan_frame_step,
    plan_still_frames,
)
from tests.pose.test_tracking import person, standing_pose

T_S = np.arange(11) / 30.0


def test_is_still_compares_the_farthest_moving_joint_with_the_body_size() -> None:
    a = person(standing_pose(300.0))  # box diagonal ~ 200 px tall figure
    diag = float(np.hypot(*(a.box_xyxy_px[2:] - a.box_xyxy_px[:2])))
    moved = standing_pose(300.0)
    moved[0, 0] += 0.015 * diag  # one joint (the nose) moves 1.5 % of the diagonal
    assert is_still(a, person(moved), 0.02, 0.5, 8)
    moved[0, 0] += 0.01 * diag  # 2.5 %: too far
    assert not is_still(a, person(moved), 0.02, 0.5, 8)
    assert not is_still(a, a, 0.0, 0.5, 8)  # 0 = off


def test_is_still_needs_enough_joints_seen_at_both_ends() -> None:
    a = person(standing_pose(300.0))
    dim = person(standing_pose(300.0))
    dim.scores[:10] = 0.2  # 7 joints left seen: fewer than min_joints
    assert not is_still(a, dim, 0.02, 0.5, 8)
    assert is_still(a, dim, 0.02, 0.5, 7)


def test_interpolated_person_lies_between_its_ends_and_keeps_the_lower_scores() -> None:
    a, b = person(standing_pose(300.0)), person(standing_pose(340.0))
    b.scores[3] = 0.4
    mid = interpolate_person(a, b, 0.25)
    assert mid.interpolated and not mid.tracked
    np.testing.assert_allclose(mid.keypoints_xy_px, standing_pose(310.0), atol=1e-4)
    np.testing.assert_allclose(mid.box_xyxy_px, 0.75 * a.box_xyxy_px + 0.25 * b.box_xyxy_px, atol=1e-4)
    assert mid.scores[3] == pytest.approx(0.4) and mid.scores[0] == pytest.approx(0.9)
    assert mid.scaled(2.0).interpolated


def test_still_spans_are_planned_only_between_still_detector_frames_with_the_lifter() -> None:
    # detector frames 0, 5, 10: still from 0 to 5, walking from 5 to 10
    detected = {0: [person(standing_pose(300.0))], 5: [person(standing_pose(300.5))],
                10: [person(standing_pose(360.0))]}
    lifter = lifter_at_detector_frames(T_S, detected, (960, 540))
    assert set(lifter) == {0, 5, 10}
    plan = plan_still_frames(T_S, [0, 5, 10], lifter, TrackingConfig())
    assert sorted(plan) == [1, 2, 3, 4]
    assert plan[2].keypoints_xy_px[0, 0] == pytest.approx(300.2)
    # the bar observations may veto a span
    assert plan_still_frames(T_S, [0, 5, 10], lifter, TrackingConfig(), lambda a, b: False) == {}
    assert plan_still_frames(T_S, [0, 5, 10], lifter, TrackingConfig(still_max_shift_fraction=0.0)) == {}


def test_lifter_at_detector_frames_picks_the_lifter_not_the_bystander() -> None:
    bystander = person(standing_pose(850.0, hip_y=250.0, height=80.0))
    detected = {p: [bystander, person(standing_pose(300.0 + p))] for p in (0, 5, 10)}
    lifter = lifter_at_detector_frames(T_S, detected, (960, 540))
    assert all(lifter[p] is detected[p][1] for p in (0, 5, 10))


def test_frame_step_leaves_every_other_frame_between_detector_frames_to_interpolation() -> None:
    between = [1, 2, 3, 4, 6, 7, 8]
    assert plan_frame_step([0, 5, 9], between, 1) == {}
    assert plan_frame_step([0, 5, 9], between, 2) == {1: (0, 2), 3: (2, 4), 6: (5, 7), 8: (7, 9)}
    # step 3: frames 3 and 8 measured; the frame before the next detector frame interpolates up to it
    assert plan_frame_step([0, 5, 9], between, 3) == {1: (0, 3), 2: (0, 3), 4: (3, 5), 6: (5, 8),
                                                       7: (5, 8)}


def test_select_lifter_flags_interpolated_frames_as_filled_but_found_with_their_scores() -> None:
    a, b = person(standing_pose(300.0)), person(standing_pose(310.0))
    people = [[a], [interpolate_person(a, b, 0.5)], [b]]
    track = select_lifter(np.arange(3) / 30.0, people, (960, 540))
    assert track.lifter_found.tolist() == [True, True, True]
    assert track.filled.tolist() == [False, True, False]
    assert track.visibility[1] == pytest.approx(np.full(track.visibility.shape[1], 0.9))


def test_report_counts_how_each_frames_keypoints_came_about() -> None:
    from pipelines.shell.outputs import pose_frame_counts
    from pipelines.types import PoseTrack

    n = 6
    pose = PoseTrack(t_s=np.arange(n) / 30.0, keypoints_xy_px=np.zeros((n, 17, 2), np.float32),
                     visibility=np.zeros((n, 17), np.float32),
                     lifter_found=np.array([1, 1, 1, 0, 0, 1], bool),
                     filled=np.array([0, 1, 1, 1, 0, 0], bool))
    assert pose_frame_counts(pose) == {"measured": 2, "interpolated": 2, "gap_filled": 1, "missing": 1}
