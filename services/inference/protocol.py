"""The pose port: a batch of frames in, per frame a list of people with canonical keypoints out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from services.inference.joints import N_JOINTS


@dataclass(frozen=True, slots=True)
class PersonPose:
    """One person in one frame.

    keypoints_xy_px: (N_JOINTS, 2) float32, pixel coordinates of the frame that was passed in
        (origin top-left, y down); NaN where the model has no such joint.
    scores: (N_JOINTS,) float32 in [0, 1]; 0 where the joint is missing.
    box_xyxy_px: (4,) float32, the person's box in the same coordinates.
    score: the person's detection score in [0, 1].
    tracked: True when the person was not detected in this frame but found by the landmark model on a
        region derived from a neighbouring frame (``roi_hint``), as BlazePose's tracking mode does.
    interpolated: True when no model ran on this frame: the pose lies between two measured poses of a
        body that stood still (pipelines.pose.tracking.plan_still_frames).
    """

    keypoints_xy_px: np.ndarray
    scores: np.ndarray
    box_xyxy_px: np.ndarray
    score: float
    tracked: bool = False
    interpolated: bool = False

    def __post_init__(self) -> None:
        if self.keypoints_xy_px.shape != (N_JOINTS, 2):
            raise ValueError(f"keypoints_xy_px: expected ({N_JOINTS}, 2), got {self.keypoints_xy_px.shape}")
        if self.scores.shape != (N_JOINTS,):
            raise ValueError(f"scores: expected ({N_JOINTS},), got {self.scores.shape}")
        if self.box_xyxy_px.shape != (4,):
            raise ValueError(f"box_xyxy_px: expected (4,), got {self.box_xyxy_px.shape}")

    def scaled(self, factor: float) -> PersonPose:
        """The same pose in a frame ``factor`` times larger (e.g. back to the original resolution)."""
        return PersonPose(
            keypoints_xy_px=(self.keypoints_xy_px * factor).astype(np.float32),
            scores=self.scores,
            box_xyxy_px=(self.box_xyxy_px * factor).astype(np.float32),
            score=self.score,
            tracked=self.tracked,
            interpolated=self.interpolated,
        )


@runtime_checkable
class PoseEstimator(Protocol):
    """Stateless across calls: frames of different videos may be interleaved in one batch."""

    name: str

    def estimate(self, frames_rgb: list[np.ndarray]) -> list[list[PersonPose]]:
        """frames_rgb: HxWx3 uint8 RGB, C-contiguous. Returns one list of people per frame, same order."""
        ...


@runtime_checkable
class RoiTracker(Protocol):
    """Optional capability of a backend: find a person the detector missed, from a hint per frame.

    A roi hint is (2, 2) float32 in the pixels of the frame passed in: row 0 the body centre (mid-hip),
    row 1 a point on the circle around the whole body, in the direction of the head (BlazePose's
    detector keypoints 0 and 1). The caller derives it from a neighbouring frame (the service keeps no
    state); people returned carry ``tracked=True``.
    """

    def track(self, frames_rgb: list[np.ndarray], roi_hints: list[np.ndarray]) -> list[list[PersonPose]]:
        """One list (empty, or the one person found in the hinted region) per frame, same order."""
        ...


def track_with_flags(
    estimator: object, frames_rgb: list[np.ndarray], roi_hints: list[np.ndarray], always_refine: list[bool]
) -> list[list[PersonPose]]:
    """``track`` as both pose executions call it (the Serve deployment and the in-task estimator).

    always_refine: one flag per frame; all True is the protocol's two-argument form (any RoiTracker),
    otherwise BlazePose's optional third argument (the detector-stride frames' conditional re-crop).
    Backends without the capability find nobody."""
    if not isinstance(estimator, RoiTracker):
        return [[] for _ in frames_rgb]
    if all(always_refine):
        return estimator.track(frames_rgb, roi_hints)
    track: Any = estimator.track
    return list(track(frames_rgb, roi_hints, always_refine))
