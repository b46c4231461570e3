"""Pose and bar tracks from the synthetic renderer's ground truth (no video is drawn or decoded).

``pipelines.synth.simulate_truth`` builds the truth ``render_lift`` would save without drawing frames,
so a test costs milliseconds.
"""

from __future__ import annotations

import numpy as np

from pipelines.synth import GroundTruth, simulate_truth
from pipelines.types import BarTrack, Calibration, PoseTrack
from services.inference.joints import N_JOINTS

__all__ = ["simulate_truth", "tracks_from_truth"]


def tracks_from_truth(
    truth: GroundTruth, bar_noise_px: float = 0.5, joint_noise_px: float = 2.0, seed: int = 0
) -> tuple[PoseTrack, BarTrack, Calibration]:
    """Truth -> the tracks the pose and bar stages would hand over, with Gaussian pixel noise."""
    rng = np.random.default_rng(seed)
    n = truth.n_frames
    joints = truth.joints_xy_px + rng.normal(0.0, joint_noise_px, truth.joints_xy_px.shape)
    bar_xy = truth.bar_xy_px + rng.normal(0.0, bar_noise_px, truth.bar_xy_px.shape)
    pose = PoseTrack(
        t_s=truth.t_s,
        keypoints_xy_px=joints.astype(np.float32),
        visibility=np.full((n, N_JOINTS), 0.9, np.float32),
        lifter_found=np.ones(n, bool),
        filled=np.zeros(n, bool),
    )
    bar = BarTrack(
        t_s=truth.t_s,
        x_px=bar_xy[:, 0],
        y_px=bar_xy[:, 1],
        radius_px=truth.plate_radius_px,
        confidence=np.ones(n),
        source=np.array(["detected"] * n, dtype=object),
    )
    m_per_px = float(np.median(truth.m_per_px))
    calib = Calibration(
        m_per_px=m_per_px,
        plate_diameter_m=2 * truth.plate_radius_m,
        plate_radius_px=truth.plate_radius_m / m_per_px,
        yaw_deg=truth.spec.camera_yaw_deg,
        confidence=0.9,
    )
    return pose, bar, calib
