"""process_segment: frames between detector frames interpolated instead of tracked - on still spans
(the lifter and every plate stood still) and with a frame step (no Ray: collaborators are fakes)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest

from pipelines.pose.tracking import TrackingConfig
from pipelines.shell import segments
from pipelines.video.decode import Segment
from pipelines.video.probe import ProbeResult
from tests.pose.test_tracking import person, standing_pose
from tests.shell.test_segment_tracking import FakeResponse, fake_decode  # noqa: F401

pytestmark = pytest.mark.usefixtures("fake_decode")
N = 16


def run(
    x_of: Any,
    cfg: TrackingConfig,
    lost_by_tracker: frozenset[int] = frozenset(),
    bar: Any = None,
) -> tuple[segments.SegmentResult, list[int], list[int]]:
    """Frames 1..N (segment 0), detector stride 5 -> detector frames 1, 6, 11, 16."""
    estimated: list[int] = []
    tracked: list[int] = []

    def estimate(frame: np.ndarray) -> FakeResponse:
        i = int(frame[0, 0, 0])
        estimated.append(i)
        return FakeResponse([person(standing_pose(x_of(i)))])

    def track(frame: np.ndarray, hint: np.ndarray, always_refine: bool = True) -> FakeResponse:
        i = int(frame[0, 0, 0])
        tracked.append(i)
        return FakeResponse([] if i in lost_by_tracker else [person(standing_pose(x_of(i)), tracked=True)])

    probe = cast(
        ProbeResult, SimpleNamespace(t_s=np.arange(N + 1) / 30.0, info=SimpleNamespace(rotation_deg=0))
    )
    result = segments.process_segment(
        "unused.mp4", probe, Segment(0, 1, N + 1), (960, 540), 1.0, estimate=estimate,
        observe_bar=bar or (lambda frames, _s, _o: [None] * len(frames)), track=track, detector_stride=5,
        tracking=cfg,
    )
    return result, estimated, tracked


def walking(i: int) -> float:
    return 200.0 + 12.0 * i


def test_a_still_lifter_costs_only_the_detector_frames() -> None:
    result, estimated, tracked = run(lambda i: 300.0, TrackingConfig())  # the defaults
    assert estimated == [1, 6, 11, 16] and tracked == []
    assert result.n_interpolated == N - 4 and result.n_stride_tracked == 0
    for i in (2, 3, 4, 5, 7, 15):
        (lifter,) = result.people[i]
        assert lifter.interpolated
        np.testing.assert_allclose(lifter.keypoints_xy_px, standing_pose(300.0), atol=1e-4)


def test_a_moving_lifter_is_tracked_on_every_frame_with_frame_step_one() -> None:
    result, estimated, tracked = run(walking, TrackingConfig(frame_step=1))
    assert estimated == [1, 6, 11, 16]
    assert tracked == [i for i in range(1, N + 1) if i not in estimated]
    assert result.n_interpolated == 0


def test_a_moving_plate_vetoes_the_still_span() -> None:
    def bar(frames: list[np.ndarray], _scale: float, _overlap: bool) -> list[Any]:
        # one plate candidate per frame; it jumps 10 px (of a 100 px radius) on frame 8
        def obs(i: int) -> Any:
            shift = 10.0 if i == 8 else 0.0
            return SimpleNamespace(prev_disp_xy_px=np.array([[shift, 0.0]]), radius_px=np.array([100.0]),
                                   camera_disp_xy_px=np.array([0.0, 0.0]))
        return [obs(i + 1) for i in range(len(frames))]

    result, _, tracked = run(lambda i: 300.0, TrackingConfig(frame_step=1), bar=bar)
    assert tracked == [7, 8, 9, 10]  # the span 6..11 holds frame 8; the others stay interpolated
    assert result.n_interpolated == N - 4 - 4


def test_frame_step_two_tracks_every_other_frame_and_interpolates_the_rest() -> None:
    cfg = TrackingConfig(still_max_shift_fraction=0.0, frame_step=2)
    result, estimated, tracked = run(walking, cfg)
    assert estimated == [1, 6, 11, 16]
    assert tracked == [3, 5, 8, 10, 13, 15]  # even offsets after each detector frame
    assert result.n_interpolated == 6 and result.n_stride_tracked == 6
    for i in (2, 4, 7, 9, 12, 14):
        (lifter,) = result.people[i]
        assert lifter.interpolated  # the walk is linear: interpolation is exact
        np.testing.assert_allclose(lifter.keypoints_xy_px, standing_pose(walking(i)), atol=1e-3)


def test_a_frame_whose_neighbour_was_lost_is_tracked_after_all() -> None:
    cfg = TrackingConfig(still_max_shift_fraction=0.0, frame_step=2)
    result, estimated, tracked = run(walking, cfg, lost_by_tracker=frozenset({8}))
    assert tracked == [3, 5, 8, 10, 13, 15, 7, 9]  # 7 and 9 lie next to 8: a second wave
    assert estimated == [1, 6, 11, 16, 8]  # 8 itself goes to the detector
    assert not result.people[7][0].interpolated and result.people[7][0].tracked
    assert result.n_interpolated == 4 and result.n_stride_fallback == 1


def test_settings_reach_the_segment_tasks_and_bad_values_are_refused() -> None:
    from pipelines.errors import ConfigError
    from pipelines.settings import Settings
    from pipelines.shell.pipeline import pose_execution

    pose = pose_execution(Settings(pose_frame_step=2, pose_still_max_shift_fraction=0.0))
    assert pose.frame_step == 2 and pose.still_max_shift_fraction == 0.0
    with pytest.raises(ConfigError, match="LIFTLAB_POSE_FRAME_STEP"):
        pose_execution(Settings(pose_frame_step=0))
    with pytest.raises(ConfigError, match="LIFTLAB_POSE_STILL_MAX_SHIFT_FRACTION"):
        pose_execution(Settings(pose_still_max_shift_fraction=-0.1))
