"""process_segment's second pass: frames where the detector missed the lifter are retried with a region
hint from found neighbours, every retry of a round in flight at once (no Ray: collaborators are fakes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest

from pipelines.pose.tracking import TrackingConfig
from pipelines.shell import segments
from pipelines.video.decode import Segment
from pipelines.video.probe import ProbeResult
from services.inference.protocol import PersonPose
from tests.pose.test_tracking import person, standing_pose

N = 16
STEP_PX = 12.0  # the lifter walks this far per frame: only a neighbour's hint lands close enough


def true_x(i: int) -> float:
    return 200.0 + STEP_PX * i


class FakeResponse:
    def __init__(self, people: list[PersonPose]) -> None:
        self._people = people

    def result(self) -> list[PersonPose]:
        return self._people


@pytest.fixture
def fake_decode(monkeypatch: pytest.MonkeyPatch) -> None:
    def decode(
        _path: Path, _probe: Any, segment: Segment, include_previous: bool
    ) -> Iterator[tuple[int, int]]:
        first = segment.start_frame - 1 if include_previous else segment.start_frame
        for i in range(first, segment.end_frame):
            yield i, i  # the "decoded frame" is its index; analysis_rgb below draws it

    def analysis_rgb(decoded: int, out_wh: tuple[int, int], _rotation_cw_deg: int) -> np.ndarray:
        frame = np.zeros((out_wh[1], out_wh[0], 3), np.uint8)
        frame[0, 0, 0] = decoded  # the fake models read the frame index from here
        return frame

    monkeypatch.setattr(segments, "decode_segment_frames", decode)
    monkeypatch.setattr(segments, "analysis_rgb", analysis_rgb)


def run(missing: set[int], max_rounds: int = 6) -> tuple[segments.SegmentResult, list[list[int]]]:
    rounds: list[list[int]] = []

    def estimate(frame: np.ndarray) -> FakeResponse:
        i = int(frame[0, 0, 0])
        return FakeResponse([] if i in missing else [person(standing_pose(true_x(i)))])

    def track(frame: np.ndarray, hint: np.ndarray) -> FakeResponse:
        i = int(frame[0, 0, 0])
        # the landmark model finds the body only when the hinted region is centred close to it
        ok = abs(float(hint[0, 0]) - true_x(i)) < 1.5 * STEP_PX
        return FakeResponse([person(standing_pose(true_x(i)), tracked=True)] if ok else [])

    def observe_bar(frames: list[np.ndarray], _scale: float, _overlap: bool) -> list[None]:
        return [None] * len(frames)

    probe = cast(
        ProbeResult, SimpleNamespace(t_s=np.arange(N + 1) / 30.0, info=SimpleNamespace(rotation_deg=0))
    )
    original_plan = segments.plan_tracking

    def plan_spy(*args: Any, **kwargs: Any) -> dict[int, np.ndarray]:
        plan = original_plan(*args, **kwargs)
        if plan:
            rounds.append(sorted(k + 1 for k in plan))  # positions in the segment -> frame indices
        return plan

    segments.plan_tracking = plan_spy  # type: ignore[assignment]
    try:
        result = segments.process_segment(
            "unused.mp4", probe, Segment(0, 1, N + 1), (960, 540), 2.0, estimate=estimate,
            observe_bar=observe_bar, track=track, tracking=TrackingConfig(max_rounds=max_rounds),
            detector_stride=1,
        )
    finally:
        segments.plan_tracking = original_plan
    return result, rounds


def test_gap_is_closed_from_both_sides_round_by_round(fake_decode: None) -> None:
    missing = {6, 7, 8, 9}
    result, rounds = run(missing)
    assert rounds[0] == [6, 7, 8, 9]  # all at once first; only 6 and 9 have a hint close enough
    assert rounds[1] == [7, 8]  # then from the frames tracked in round one
    assert result.n_tracked == 4
    for i in range(1, N + 1):
        people = result.people[i]
        assert len(people) == 1 and people[0].tracked == (i in missing)
        # scaled to the original frame like the detected ones
        assert people[0].keypoints_xy_px[0, 0] == pytest.approx(2.0 * true_x(i))


def test_without_tracker_or_rounds_nothing_is_added(fake_decode: None) -> None:
    result, _ = run({6, 7, 8, 9}, max_rounds=1)
    assert result.n_tracked == 2 and [i for i in range(1, N + 1) if not result.people[i]] == [7, 8]
    assert result.bar_observations == [None] * (N + 1)  # the previous frame is decoded for the bar
