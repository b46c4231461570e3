"""Contract tests every pose backend must pass (BlazePose with its real weights, RTMPose with random ones)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from services.inference.joints import JOINT_INDEX, N_JOINTS
from services.inference.protocol import PersonPose, PoseEstimator


def _check_people(people: list[PersonPose], width: int, height: int) -> None:
    for person in people:
        assert isinstance(person, PersonPose)
        assert person.keypoints_xy_px.shape == (N_JOINTS, 2)
        assert person.keypoints_xy_px.dtype == np.float32
        assert person.scores.shape == (N_JOINTS,)
        assert np.all((person.scores >= 0) & (person.scores <= 1)), person.scores
        assert 0.0 <= person.score <= 1.0
        have = ~np.isnan(person.keypoints_xy_px[:, 0])
        assert np.all(person.scores[~have] == 0), "missing joints must score 0"
        box = person.box_xyxy_px
        assert box[0] < box[2] and box[1] < box[3], box
        # keypoints lie near the frame (a joint may be predicted a little outside it)
        xy = person.keypoints_xy_px[have]
        assert np.all(xy[:, 0] > -width) and np.all(xy[:, 0] < 2 * width)
        assert np.all(xy[:, 1] > -height) and np.all(xy[:, 1] < 2 * height)


def test_is_a_pose_estimator(estimator: PoseEstimator) -> None:
    assert isinstance(estimator, PoseEstimator)
    assert estimator.name


def test_empty_batch_and_blank_frames(estimator: PoseEstimator) -> None:
    assert estimator.estimate([]) == []
    frames = [np.zeros((240, 320, 3), np.uint8), np.full((100, 60, 3), 255, np.uint8)]
    out = estimator.estimate(frames)
    assert len(out) == 2
    for people, frame in zip(out, frames, strict=True):
        _check_people(people, frame.shape[1], frame.shape[0])


def test_batch_order_and_mixed_sizes_match_single_calls(estimator: PoseEstimator) -> None:
    rng = np.random.default_rng(3)
    frames = [
        rng.integers(0, 255, (180, 320, 3), dtype=np.uint8),
        np.zeros((300, 200, 3), np.uint8),
        rng.integers(0, 255, (96, 128, 3), dtype=np.uint8),
    ]
    batched = estimator.estimate(frames)
    singles = [estimator.estimate([f])[0] for f in frames]
    reversed_out = estimator.estimate(frames[::-1])[::-1]
    for a, b, c in zip(batched, singles, reversed_out, strict=True):
        assert len(a) == len(b) == len(c)
        for pa, pb, pc in zip(a, b, c, strict=True):
            np.testing.assert_allclose(pa.keypoints_xy_px, pb.keypoints_xy_px, atol=1e-3)
            np.testing.assert_allclose(pa.keypoints_xy_px, pc.keypoints_xy_px, atol=1e-3)


def test_rejects_wrong_frame_type(estimator: PoseEstimator) -> None:
    with pytest.raises(ValueError, match="uint8"):
        estimator.estimate([np.zeros((10, 10, 3), np.float32)])


def test_rtmpose_maps_halpe_feet_onto_canonical_joints(rtmpose_random: PoseEstimator) -> None:
    people = rtmpose_random.estimate([np.zeros((256, 192, 3), np.uint8)])[0]
    assert len(people) == 1  # no detection on a blank frame: the whole-frame fallback box
    np.testing.assert_allclose(people[0].box_xyxy_px, [0, 0, 192, 256])
    assert not np.isnan(people[0].keypoints_xy_px[JOINT_INDEX["ltoe"]]).any()
    assert not np.isnan(people[0].keypoints_xy_px[JOINT_INDEX["rhee"]]).any()


def test_rtmpose_uses_box_hints_per_frame(rtmpose_random: PoseEstimator) -> None:
    frames = [np.zeros((200, 300, 3), np.uint8)] * 2
    hints = [
        np.array([[10, 20, 110, 180]], np.float32),
        np.array([[50, 50, 150, 150], [0, 0, 40, 40]], np.float32),
    ]
    out = rtmpose_random.estimate(frames, box_hints=hints)  # type: ignore[call-arg]
    assert [len(p) for p in out] == [1, 2]
    np.testing.assert_allclose(out[1][1].box_xyxy_px, [0, 0, 40, 40])


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("clip", "at_s"), [("snatch_front_broadcast_121kg.mp4", 4.0), ("deadlift_side_gym.mp4", 1.0)]
)
def test_blazepose_lands_on_the_lifter(
    blazepose: PoseEstimator, frame_reader: Callable[[str, float], np.ndarray], clip: str, at_s: float
) -> None:
    frame = frame_reader(clip, at_s)
    people = blazepose.estimate([frame])[0]
    assert len(people) >= 1, "expected the lifter to be found"
    best = max(people, key=lambda p: p.score)
    _check_people([best], frame.shape[1], frame.shape[0])
    kp = best.keypoints_xy_px
    # anatomy holds on a real lifter: head above shoulders above hips above ankles (y down)
    sho_y = np.mean(kp[[JOINT_INDEX["lsho"], JOINT_INDEX["rsho"]], 1])
    hip_y = np.mean(kp[[JOINT_INDEX["lhip"], JOINT_INDEX["rhip"]], 1])
    ank_y = np.mean(kp[[JOINT_INDEX["lank"], JOINT_INDEX["rank"]], 1])
    assert kp[JOINT_INDEX["nose"], 1] < sho_y < hip_y < ank_y, (
        kp[JOINT_INDEX["nose"], 1],
        sho_y,
        hip_y,
        ank_y,
    )
    assert float(np.mean(best.scores)) > 0.5
