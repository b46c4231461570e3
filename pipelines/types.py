"""Core value types shared by the stages. Arrays carry their layout and units in their names."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from services.inference.joints import N_JOINTS


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What probing a video tells. Sizes are of the *displayed* frame (rotation applied)."""

    width_px: int
    height_px: int
    fps: float  # average frame rate as a float (29.97 stays 29.97); time comes from pts, not from this
    duration_s: float
    n_frames: int
    rotation_deg: int  # clockwise rotation applied for display (0, 90, 180, 270)
    codec: str
    variable_frame_rate: bool
    size_bytes: int = 0


@dataclass(frozen=True, slots=True)
class PoseTrack:
    """The chosen lifter's keypoints over the whole clip, in original (displayed) frame pixels.

    t_s: (n,) presentation time of each frame in seconds from the first frame.
    keypoints_xy_px: (n, N_JOINTS, 2) float32, NaN where unknown.
    visibility: (n, N_JOINTS) float32 in [0, 1] (the ``v`` of the export keys); 0 where unknown.
    lifter_found: (n,) bool, whether the lifter was found in that frame.
    filled: (n,) bool, frames whose keypoints were interpolated, not measured: across a short gap (then
        lifter_found is false and visibility 0), or between two measured poses of a body standing still
        (lifter_found true, visibility the lower of the two ends).
    """

    t_s: np.ndarray
    keypoints_xy_px: np.ndarray
    visibility: np.ndarray
    lifter_found: np.ndarray
    filled: np.ndarray

    def __post_init__(self) -> None:
        n = self.t_s.shape[0]
        expect = {
            "keypoints_xy_px": (n, N_JOINTS, 2),
            "visibility": (n, N_JOINTS),
            "lifter_found": (n,),
            "filled": (n,),
        }
        for name, shape in expect.items():
            got = getattr(self, name).shape
            if got != shape:
                raise ValueError(f"PoseTrack.{name}: expected {shape}, got {got}")

    @property
    def n_frames(self) -> int:
        return int(self.t_s.shape[0])

    @property
    def mean_markers_validity(self) -> float:
        return float(np.mean(self.visibility)) if self.visibility.size else 0.0


BAR_SOURCES = ("detected", "tracked", "interpolated", "lost")


@dataclass(frozen=True, slots=True)
class BarTrack:
    """Centre of the near plate per frame, in displayed-frame pixels (origin top-left, y down).

    source: (n,) object array of strings from BAR_SOURCES. x/y/radius are NaN where source == "lost".
    """

    t_s: np.ndarray
    x_px: np.ndarray
    y_px: np.ndarray
    radius_px: np.ndarray
    confidence: np.ndarray
    source: np.ndarray


@dataclass(frozen=True, slots=True)
class Calibration:
    """Pixel-to-metre scale from the plate, and how far the camera is from side-on."""

    m_per_px: float
    plate_diameter_m: float
    plate_radius_px: float
    yaw_deg: float  # 0 = camera perpendicular to the bar (side-on)
    confidence: float
    warnings: list[str] = field(default_factory=list)
