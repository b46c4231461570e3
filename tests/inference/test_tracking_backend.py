"""BlazePose's tracking capability (RoiTracker): the landmark model alone on a hinted region."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from pipelines.pose.tracking import roi_hint_from_pose
from services.inference.protocol import PoseEstimator, RoiTracker


def test_nobody_is_tracked_on_an_empty_frame_and_bad_hints_are_refused(blazepose: PoseEstimator) -> None:
    assert isinstance(blazepose, RoiTracker)
    grey = np.full((360, 640, 3), 128, np.uint8)
    hint = np.array([[320.0, 200.0], [320.0, 60.0]], np.float32)
    assert blazepose.track([grey], [hint]) == [[]]
    with pytest.raises(ValueError):
        blazepose.track([grey], [np.zeros((3, 2), np.float32)])
    with pytest.raises(ValueError):
        blazepose.track([grey, grey], [hint])


@pytest.mark.realdata
def test_a_hint_from_the_detected_pose_finds_the_same_body(
    blazepose: PoseEstimator, frame_reader: Callable[[str, float], np.ndarray]
) -> None:
    assert isinstance(blazepose, RoiTracker)
    frame = frame_reader("snatch_front_broadcast_121kg.mp4", 5.0)
    detected = blazepose.estimate([frame])[0][0]
    hint = roi_hint_from_pose(detected.keypoints_xy_px)
    assert hint is not None
    # the next frame's region comes from this one, slightly off: the result still lands on the body
    shifted = hint + np.float32(8.0)
    (tracked,) = blazepose.track([frame], [shifted])[0]
    assert tracked.tracked and not detected.tracked
    assert tracked.score >= 0.5
    dist = np.linalg.norm(tracked.keypoints_xy_px - detected.keypoints_xy_px, axis=1)
    assert float(np.nanmedian(dist)) < 10.0


@pytest.mark.realdata
def test_conditional_refine_in_track_skips_the_second_pass_on_a_good_hint(
    blazepose: PoseEstimator, frame_reader: Callable[[str, float], np.ndarray]
) -> None:
    from services.inference.blazepose_backend import BlazePoseEstimator

    assert isinstance(blazepose, BlazePoseEstimator)
    frame = frame_reader("snatch_front_broadcast_121kg.mp4", 5.0)
    detected = blazepose.estimate([frame])[0][0]
    hint = roi_hint_from_pose(detected.keypoints_xy_px)
    assert hint is not None
    passes0 = blazepose.landmark_passes
    (always,) = blazepose.track([frame], [hint])[0]
    passes1 = blazepose.landmark_passes
    (conditional,) = blazepose.track([frame], [hint], always_refine=[False])[0]
    assert passes1 - passes0 == 2 and blazepose.landmark_passes - passes1 <= 2
    assert conditional.tracked
    dist = np.linalg.norm(conditional.keypoints_xy_px - always.keypoints_xy_px, axis=1)
    assert float(np.nanmedian(dist)) < 10.0
    with pytest.raises(ValueError):
        blazepose.track([frame], [hint], always_refine=[False, True])
