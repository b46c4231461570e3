"""process_segment with a detector stride: the detector on every k-th frame and the last, the frames
between tracked at once from the detector frames' hints, the detector after all where tracking fails
(no Ray: collaborators are fakes)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest

from pipelines.pose.tracking import TrackingConfig
from pipelines.shell import segments
from pipelines.video.decode import Segment
from pipelines.video.probe import ProbeResult
from services.inference.protocol import PersonPose
from tests.pose.test_tracking import person, standing_pose
from tests.shell.test_segment_tracking import FakeResponse, fake_decode, true_x  # noqa: F401

# the fake decoder (frame index in pixel 0) for every test here
pytestmark = pytest.mark.usefixtures("fake_decode")
N = 16


def run(stride: int, lost_by_tracker: set[int]) -> tuple[segments.SegmentResult, list[int], list[tuple]]:
    estimated: list[int] = []
    tracked: list[tuple] = []

    def estimate(frame: np.ndarray) -> FakeResponse:
        i = int(frame[0, 0, 0])
        estimated.append(i)
        bystander = person(standing_pose(800.0, hip_y=250.0, height=100.0))
        return FakeResponse([person(standing_pose(true_x(i))), bystander])

    def track(frame: np.ndarray, hint: np.ndarray, always_refine: bool = True) -> FakeResponse:
        i = int(frame[0, 0, 0])
        tracked.append((i, float(hint[0, 0]), always_refine))
        ok = i not in lost_by_tracker and abs(float(hint[0, 0]) - true_x(i)) < 1.0
        return FakeResponse([person(standing_pose(true_x(i)), tracked=True)] if ok else [])

    probe = cast(
        ProbeResult, SimpleNamespace(t_s=np.arange(N + 1) / 30.0, info=SimpleNamespace(rotation_deg=0))
    )
    result = segments.process_segment(
        "unused.mp4", probe, Segment(0, 1, N + 1), (960, 540), 2.0, estimate=estimate,
        observe_bar=lambda frames, _s, _o: [None] * len(frames), track=track, detector_stride=stride,
        # every frame between detector frames measured: the stride alone (frame step: its own tests)
        tracking=TrackingConfig(frame_step=1),
    )
    return result, estimated, tracked


def test_stride_one_sends_every_frame_to_the_detector() -> None:
    result, estimated, tracked = run(1, set())
    assert estimated == list(range(1, N + 1)) and tracked == []
    assert result.n_stride_tracked == 0 and result.n_stride_fallback == 0


def test_frames_between_detector_frames_are_tracked_with_the_lifters_hint() -> None:
    result, estimated, tracked = run(4, set())
    assert estimated == [1, 5, 9, 13, 16]  # positions 0, 4, 8, 12 and the last
    between = [i for i in range(1, N + 1) if i not in estimated]
    assert [i for i, _, _ in tracked] == between
    # hints interpolated between the lifter's detector frames (it walks linearly): on the lifter, not on
    # the bystander; the conditional re-crop is asked for
    for i, hip_x, always_refine in tracked:
        assert hip_x == pytest.approx(true_x(i), abs=1e-3) and not always_refine
    assert result.n_stride_tracked == len(between) and result.n_stride_fallback == 0
    for i in between:
        (lifter,) = result.people[i]
        assert lifter.tracked
        assert lifter.keypoints_xy_px[0, 0] == pytest.approx(2.0 * true_x(i))  # original pixels
    assert all(len(result.people[i]) == 2 for i in estimated)


def test_frames_the_tracker_gives_up_on_go_to_the_detector() -> None:
    result, estimated, _ = run(4, {6, 7})
    assert estimated == [1, 5, 9, 13, 16, 6, 7]  # the fallback after the tracked wave
    assert result.n_stride_fallback == 2 and result.n_stride_tracked == N - 7
    assert all(not p.tracked for p in result.people[6]) and len(result.people[6]) == 2
    people: list[PersonPose] = [p for i in range(1, N + 1) for p in result.people[i]]
    assert len(people) == 2 * 7 + (N - 7)
