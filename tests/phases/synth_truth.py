"""Pose and bar tracks from the synthetic renderer's ground truth (no video is drawn or decoded).

Uses the renderer's timeline and its truth builder directly so a test costs milliseconds; the truth
equals what ``render_lift`` saves beside its video for the same spec.
"""

from __future__ import annotations

import numpy as np

from pipelines.synth.encode import frame_times
from pipelines.synth.render import _Scene, _truth
from pipelines.synth.spec import LiftSpec
from pipelines.synth.timeline import build_timeline
from pipelines.synth.truth import GroundTruth
from pipelines.types import BarTrack, Calibration, PoseTrack
from services.inference.joints import N_JOINTS


def simulate_truth(spec: LiftSpec) -> GroundTruth:
    """The ground truth ``render_lift(spec)`` would save, without drawing or encoding frames."""
    rng = np.random.default_rng(spec.seed)
    timeline = build_timeline(spec)
    scene = _Scene(spec, timeline, rng)
    n = int(np.floor(timeline.duration_s * spec.fps))
    _, t_s, _ = frame_times(n, spec.fps, spec.variable_frame_rate, spec.vfr_jitter_fraction, rng)
    bar, points, offsets = scene.state(t_s)
    return _truth(spec, scene, timeline, t_s, bar, points, offsets)


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
