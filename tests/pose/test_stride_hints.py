"""The detector stride's plan (pipelines.pose.tracking): which frames the detector sees, and the hints
the frames between get from the detector frames around them."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.pose.tracking import TrackingConfig, detector_positions, plan_stride_hints, roi_hint_from_pose
from services.inference.protocol import PersonPose
from tests.pose.test_tracking import person, standing_pose


def test_detector_positions_take_every_kth_frame_and_the_last() -> None:
    assert detector_positions(10, 1) == list(range(10))
    assert detector_positions(10, 3) == [0, 3, 6, 9]
    assert detector_positions(11, 3) == [0, 3, 6, 9, 10]
    assert detector_positions(1, 4) == [0] and detector_positions(0, 4) == []
    with pytest.raises(ValueError):
        detector_positions(10, 0)


def test_hints_are_interpolated_in_time_between_the_detector_frames_around() -> None:
    t_s = np.arange(10) / 30.0
    detected = {p: [person(standing_pose(300.0 + 9.0 * p))] for p in detector_positions(10, 3)}
    plan = plan_stride_hints(t_s, detected, (960, 540))
    assert set(plan) == {1, 2, 4, 5, 7, 8}
    for i, hint in plan.items():
        expected = roi_hint_from_pose(standing_pose(300.0 + 9.0 * i))
        assert expected is not None
        np.testing.assert_allclose(hint, expected, atol=1e-3)  # the body moved linearly: exact


def test_hints_follow_the_lifter_not_a_bystander_and_respect_the_source_gap() -> None:
    t_s = np.arange(40) / 30.0
    lifter_x = 480.0
    detected: dict[int, list[PersonPose]] = {}
    for p in detector_positions(40, 4):
        # a smaller bystander walking past near the lifter, listed first on some frames
        bystander = person(standing_pose(200.0 + 10.0 * p, hip_y=250.0, height=120.0))
        lifter = person(standing_pose(lifter_x))
        detected[p] = [bystander, lifter] if p % 8 == 0 else [lifter, bystander]
    plan = plan_stride_hints(t_s, detected, (960, 540))
    assert len(plan) == 40 - len(detected)
    for hint in plan.values():
        assert hint[0, 0] == pytest.approx(lifter_x, abs=1e-3)
    # no source within max_source_gap_s: no hint (the frame goes to the detector)
    far = {0: [person(standing_pose(lifter_x))], 39: []}
    plan = plan_stride_hints(t_s, far, (960, 540), TrackingConfig(max_source_gap_s=0.5))
    assert set(plan) == set(range(1, 16))  # frames within 0.5 s of frame 0
    assert plan_stride_hints(t_s, {0: [], 39: []}, (960, 540)) == {}
