"""The metric frame of a clip: scale, facing direction, floor line and the bar's origin.

Image pixels have y down and x to the right. Every metric series uses y up (metres) and x positive
in the direction the lifter faces, so "toward the lifter" is negative x whichever side the camera is on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.types import BarTrack, Calibration, PoseTrack
from services.inference.joints import JOINT_INDEX

DEFAULT_PLATE_DIAMETER_M = 0.450
FALLBACK_SCALE_CONFIDENCE = 0.3  # scale taken from the tracked plate radius, not a calibrated fit
MIN_VISIBILITY = 0.3  # keypoints seen less surely than this are treated as unknown


@dataclass(frozen=True, slots=True)
class MetricFrame:
    """Pixel -> metre mapping. ``forward`` is +1 when the lifter faces image +x, else -1."""

    m_per_px: float  # NaN when no scale is known
    scale_confidence: float
    plate_diameter_m: float
    yaw_deg: float
    forward: int
    facing_known: bool

    @property
    def has_scale(self) -> bool:
        return bool(np.isfinite(self.m_per_px) and self.m_per_px > 0)


def scale_from_inputs(calib: Calibration | None, bar: BarTrack) -> tuple[float, float, float, float]:
    """(m_per_px, confidence, plate_diameter_m, yaw_deg) from the calibration, else the plate radius."""
    if calib is not None and np.isfinite(calib.m_per_px) and calib.m_per_px > 0:
        return calib.m_per_px, float(calib.confidence), calib.plate_diameter_m, float(calib.yaw_deg)
    radius = bar.radius_px[np.isfinite(bar.radius_px) & (bar.radius_px > 0)]
    if radius.size == 0:
        return float("nan"), 0.0, DEFAULT_PLATE_DIAMETER_M, float("nan")
    m_per_px = 0.5 * DEFAULT_PLATE_DIAMETER_M / float(np.median(radius))
    return m_per_px, FALLBACK_SCALE_CONFIDENCE, DEFAULT_PLATE_DIAMETER_M, float("nan")


def joint_xy(pose: PoseTrack, code: str) -> np.ndarray:
    """(n, 2) pixel position of one joint, NaN where unknown or seen with low visibility."""
    i = JOINT_INDEX[code]
    xy = pose.keypoints_xy_px[:, i, :].astype(float)
    low = ~(pose.visibility[:, i] >= MIN_VISIBILITY)
    xy[low] = np.nan
    return xy


def bilateral_xy(pose: PoseTrack, name: str) -> np.ndarray:
    """(n, 2) mean of the left and right joint (e.g. name="hip"), or whichever side is known."""
    left = joint_xy(pose, "l" + name)
    right = joint_xy(pose, "r" + name)
    both = np.stack([left, right])
    out = np.full(left.shape, np.nan)
    known = np.isfinite(both).any(axis=0)
    out[known] = np.nanmean(both[:, known], axis=0)
    return out


def facing_direction(pose: PoseTrack, bar: BarTrack) -> tuple[int, bool]:
    """+1 if the lifter faces image +x. From heel->toe vectors, else from hip->bar at the start."""
    toe_dx = bilateral_xy(pose, "toe")[:, 0] - bilateral_xy(pose, "hee")[:, 0]
    toe_dx = toe_dx[np.isfinite(toe_dx)]
    if toe_dx.size >= 5 and abs(float(np.median(toe_dx))) > 1.0:
        return (1 if np.median(toe_dx) > 0 else -1), True
    # At the start position the bar is in front of the hips.
    hip_x = bilateral_xy(pose, "hip")[:, 0]
    both = np.isfinite(hip_x) & np.isfinite(bar.x_px)
    if np.any(both):
        first = np.flatnonzero(both)[: max(5, int(both.sum() // 10))]
        dx = float(np.median(bar.x_px[first] - hip_x[first]))
        if abs(dx) > 1.0:
            return (1 if dx > 0 else -1), True
    return 1, False


def build_frame(pose: PoseTrack, bar: BarTrack, calib: Calibration | None) -> MetricFrame:
    m_per_px, confidence, plate_m, yaw_deg = scale_from_inputs(calib, bar)
    forward, known = facing_direction(pose, bar)
    return MetricFrame(
        m_per_px=m_per_px,
        scale_confidence=confidence,
        plate_diameter_m=plate_m,
        yaw_deg=yaw_deg,
        forward=forward,
        facing_known=known,
    )
