"""Confidences of a rep's metrics from its inputs: bar coverage, calibration, camera yaw, visibility."""

from __future__ import annotations

import numpy as np

from pipelines.kinematics.frame import MetricFrame
from pipelines.metrics.rep_metrics import RepConfidence
from pipelines.types import BarTrack, PoseTrack
from services.inference.joints import JOINT_INDEX

YAW_FREE_DEG = 10.0  # a camera this close to side-on costs nothing
YAW_ZERO_DEG = 60.0  # ... and the factor falls linearly to its floor by here
YAW_FLOOR = 0.3
UNKNOWN_YAW_FACTOR = 0.8
FORCE_FACTOR = 0.6  # double-differentiated keypoints: GRF from video is off by ~8 % per lift (Sandau 2021)
_SOURCE_WEIGHT = {"detected": 1.0, "tracked": 1.0, "interpolated": 0.5, "lost": 0.0}
_BODY_JOINTS = ("lsho", "rsho", "lhip", "rhip", "lkne", "rkne", "lank", "rank")


def yaw_factor(yaw_deg: float) -> float:
    if not np.isfinite(yaw_deg):
        return UNKNOWN_YAW_FACTOR
    excess = max(0.0, abs(yaw_deg) - YAW_FREE_DEG) / (YAW_ZERO_DEG - YAW_FREE_DEG)
    return float(max(YAW_FLOOR, 1.0 - excess * (1.0 - YAW_FLOOR)))


def bar_coverage(bar: BarTrack, lo: int, hi: int) -> float:
    """Share of frames lo..hi with a bar position, interpolated frames counting half."""
    sources = bar.source[lo : hi + 1]
    if sources.size == 0:
        return 0.0
    return float(np.mean([_SOURCE_WEIGHT.get(str(s), 0.0) for s in sources]))


def pose_visibility(pose: PoseTrack, lo: int, hi: int) -> float:
    """Mean visibility of the trunk and leg joints over frames lo..hi."""
    cols = [JOINT_INDEX[j] for j in _BODY_JOINTS]
    window = pose.visibility[lo : hi + 1][:, cols]
    return float(np.mean(window)) if window.size else 0.0


def rep_confidence(pose: PoseTrack, bar: BarTrack, frame: MetricFrame, lo: int, hi: int) -> RepConfidence:
    coverage = bar_coverage(bar, lo, hi)
    bar_metric = coverage * frame.scale_confidence * yaw_factor(frame.yaw_deg)
    visibility = pose_visibility(pose, lo, hi)
    return RepConfidence(
        bar_time=coverage,
        bar_metric=bar_metric,
        pose=visibility,
        force=FORCE_FACTOR * min(bar_metric, visibility),
    )
