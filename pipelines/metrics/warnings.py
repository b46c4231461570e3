"""Clip-level warnings ({code, message}) about what limits the analysis."""

from __future__ import annotations

import numpy as np

from pipelines.kinematics.frame import MetricFrame
from pipelines.metrics.model import BodyProfile, LiftWarning, Rep
from pipelines.phases.events import required_events
from pipelines.types import BarTrack, Calibration, PoseTrack
from services.inference.joints import JOINT_INDEX

SIDE_ON_LIMIT_DEG = 15.0
UNCERTAIN_CALIBRATION = 0.5
OUT_OF_FRAME_SHARE = 0.2  # warn when feet or head are unseen in more than this share of lifter frames
LOW_BAR_COVERAGE = 0.8


def clip_warnings(
    *,
    pose: PoseTrack,
    bar: BarTrack,
    calib: Calibration | None,
    frame: MetricFrame,
    body: BodyProfile,
    reps: list[Rep],
    exercise: str,
) -> list[LiftWarning]:
    out: list[LiftWarning] = []
    if calib is None and frame.has_scale:
        message = "no plate calibration; scale from the tracked plate radius"
        out.append(LiftWarning("calibration_uncertain", message))
    elif calib is None:
        message = "no metre scale: distances, speeds and forces unavailable"
        out.append(LiftWarning("no_calibration", message))
    elif calib.confidence < UNCERTAIN_CALIBRATION:
        message = f"plate calibration confidence {calib.confidence:.2f}"
        out.append(LiftWarning("calibration_uncertain", message))
    if np.isfinite(frame.yaw_deg) and abs(frame.yaw_deg) > SIDE_ON_LIMIT_DEG:
        out.append(LiftWarning(
            "camera_not_side_on",
            f"camera {abs(frame.yaw_deg):.0f} deg from side-on: horizontal bar path and angles are skewed",
        ))
    out.extend(_pose_warnings(pose, frame))
    if body.body_mass_kg is None:
        out.append(LiftWarning("body_mass_unknown", "body mass unknown: ground reaction force unavailable"))
    if not reps:
        out.append(LiftWarning("no_lift_found", "no lift-off followed by a full rise of the bar was found"))
    for rep in reps:
        missing = [e for e in required_events(exercise) if e not in rep.events]
        if missing:
            out.append(LiftWarning("incomplete_rep", f"rep {rep.index}: not found: {', '.join(missing)}"))
        lo, hi = rep.start_frame, rep.end_frame
        lost = np.mean(bar.source[lo : hi + 1] == "lost") if hi >= lo else 0.0
        if lost > 1.0 - LOW_BAR_COVERAGE:
            out.append(LiftWarning("bar_lost", f"rep {rep.index}: bar lost in {100 * lost:.0f} % of frames"))
    return out


def _pose_warnings(pose: PoseTrack, frame: MetricFrame) -> list[LiftWarning]:
    out: list[LiftWarning] = []
    found = pose.lifter_found
    if not np.any(found):
        return [LiftWarning("no_lifter", "no lifter keypoints: body angles, heights and force unavailable")]
    edge_joints = [JOINT_INDEX[j] for j in ("nose", "lank", "rank")]
    unseen = (pose.visibility[found][:, edge_joints] < 0.3).all(axis=1)
    if np.mean(unseen) > OUT_OF_FRAME_SHARE or np.mean(~found) > OUT_OF_FRAME_SHARE:
        out.append(LiftWarning("lifter_partly_out_of_frame", "head or feet unseen in many frames"))
    if not frame.facing_known:
        message = "lifter's facing direction unknown: +x taken as image right"
        out.append(LiftWarning("facing_unknown", message))
    return out
