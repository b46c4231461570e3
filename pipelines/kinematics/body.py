"""Body series: joint angles, torso and shin angles, hip/shoulder/centre-of-mass heights."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.kinematics.angles import (
    ANGLE_TRIPLETS,
    joint_angle_deg,
    shin_angle_deg,
    torso_angle_deg,
)
from pipelines.kinematics.com import body_com_px
from pipelines.kinematics.filtering import (
    BODY_CUTOFF_CAP_HZ,
    cutoff_hz_for_fps,
    median_fps,
    smooth_and_differentiate,
)
from pipelines.kinematics.frame import MetricFrame, bilateral_xy
from pipelines.types import PoseTrack


@dataclass(frozen=True, slots=True)
class BodySeries:
    """Each array (n,), NaN where unknown. Heights in metres above ``floor_m`` (absolute frame)."""

    angles_deg: dict[str, np.ndarray]  # "<side><code>_angle_deg" for every joint, filtered
    knee_angle_deg: np.ndarray  # mean of both knees, for event detection
    torso_angle_deg: np.ndarray
    shin_angle_deg: np.ndarray
    hip_height_m: np.ndarray
    hip_vy_mps: np.ndarray
    shoulder_height_m: np.ndarray
    knee_height_m: np.ndarray
    com_y_m: np.ndarray
    com_ay_mps2: np.ndarray
    cutoff_hz: float


def _nan(n: int) -> np.ndarray:
    return np.full(n, np.nan)


def body_series(pose: PoseTrack, frame: MetricFrame, floor_m: float, female: bool) -> BodySeries:
    """Filtered body series; ``floor_m`` is the floor's height in the absolute metric frame (y up)."""
    t_s = pose.t_s.astype(float)
    n = t_s.shape[0]
    fps = median_fps(t_s)
    # Under two frames there is no rate and no segment long enough to filter; the cap is then moot.
    cutoff_hz = cutoff_hz_for_fps(fps, BODY_CUTOFF_CAP_HZ) if np.isfinite(fps) else BODY_CUTOFF_CAP_HZ

    def smooth(raw: np.ndarray) -> np.ndarray:
        return smooth_and_differentiate(t_s, raw, cutoff_hz).value

    angles = {
        f"{side}{code}_angle_deg": smooth(joint_angle_deg(pose, side, code))
        for code in ANGLE_TRIPLETS
        for side in ("l", "r")
    }
    knees = np.stack([angles["lkne_angle_deg"], angles["rkne_angle_deg"]])
    knee_mean = np.full(n, np.nan)
    known = np.isfinite(knees).any(axis=0)
    knee_mean[known] = np.nanmean(knees[:, known], axis=0)

    def height_m(y_px: np.ndarray) -> np.ndarray:
        if not frame.has_scale or not np.isfinite(floor_m):
            return _nan(n)
        return -y_px * frame.m_per_px - floor_m

    hip = smooth_and_differentiate(t_s, height_m(bilateral_xy(pose, "hip")[:, 1]), cutoff_hz)
    com = smooth_and_differentiate(t_s, height_m(body_com_px(pose, female)[:, 1]), cutoff_hz)
    return BodySeries(
        angles_deg=angles,
        knee_angle_deg=knee_mean,
        torso_angle_deg=smooth(torso_angle_deg(pose, frame.forward)),
        shin_angle_deg=smooth(shin_angle_deg(pose, frame.forward)),
        hip_height_m=hip.value,
        hip_vy_mps=hip.d1,
        shoulder_height_m=smooth(height_m(bilateral_xy(pose, "sho")[:, 1])),
        knee_height_m=smooth(height_m(bilateral_xy(pose, "kne")[:, 1])),
        com_y_m=com.value,
        com_ay_mps2=com.d2,
        cutoff_hz=cutoff_hz,
    )
