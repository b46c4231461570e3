"""The sequential bar tracker: choose the lifted plate, fuse detections and flow, smooth, calibrate."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from pipelines.bar.associate import choose_plate, wrist_centre_px
from pipelines.bar.calibrate import calibrate_from_plate
from pipelines.bar.kalman import smooth_axis
from pipelines.bar.observation import BarObservation
from pipelines.types import BarTrack, Calibration, PoseTrack

MAX_GAP_S = 0.25  # longer gaps without a plate measurement are marked lost, never filled
JERK_PSD_M2_S5 = 4000.0  # process noise: white jerk; a snatch changes acceleration by ~20 m/s^2 in 0.1 s
NO_POSE_CONFIDENCE = 0.85
TRACKED_CONFIDENCE = 0.9
INTERPOLATED_CONFIDENCE = 0.3


@dataclass(frozen=True, slots=True)
class StabilizedBarTrack(BarTrack):
    """A BarTrack that also carries the camera's accumulated motion, so metres exclude camera shake.

    camera_xy_px: (n, 2) background displacement since the first frame (0 where unknown).
    """

    camera_xy_px: np.ndarray


def camera_path_px(obs: list[BarObservation]) -> np.ndarray:
    """(n, 2) accumulated background displacement since the first frame (unknown steps count as 0)."""
    steps = np.array([o.camera_disp_xy_px for o in obs]).reshape(-1, 2)
    steps = np.where(np.isfinite(steps), steps, 0.0)
    steps[0] = 0.0
    return np.cumsum(steps, axis=0)


def _gap_sources(t_s: np.ndarray, measured: np.ndarray) -> np.ndarray:
    """(n,) bool: frames without a measurement inside a gap short enough to fill."""
    fill = np.zeros(measured.shape[0], dtype=bool)
    idx = np.flatnonzero(measured)
    for a, b in itertools.pairwise(idx):
        if b - a > 1 and t_s[b] - t_s[a] <= MAX_GAP_S:
            fill[a + 1 : b] = True
    return fill


def track_bar(
    t_s: np.ndarray,
    observations: list[BarObservation],
    pose: PoseTrack | None,
    frame_size_wh: tuple[int, int],
    plate_diameter_m: float,
) -> tuple[BarTrack, Calibration, list[dict[str, str]]]:
    """Track the lifted bar's near plate through the clip.

    t_s: (n,) frame timestamps; observations: n BarObservation (one per frame, original pixels).
    Returns the per-frame track (StabilizedBarTrack), the calibration and {code, message} warnings.
    """
    n = t_s.shape[0]
    if len(observations) != n:
        raise ValueError(f"track_bar: expected {n} observations (one per timestamp), got {len(observations)}")
    t_s = np.asarray(t_s, dtype=np.float64)
    warnings: list[dict[str, str]] = []
    cam = camera_path_px(observations) if n else np.zeros((0, 2))
    wrists = wrist_centre_px(pose, n)
    has_pose = bool(np.any(np.all(np.isfinite(wrists), axis=1)))
    if not has_pose:
        warnings.append(
            {
                "code": "bar_without_pose",
                "message": "no wrists to tell the lifted bar: chose the plate that moves most",
            }
        )
    chosen = choose_plate(observations, t_s, cam, wrists) if n else np.zeros(0, dtype=np.int64)
    measured = chosen >= 0
    pos = np.full((n, 2), np.nan)
    radius = np.full(n, np.nan)
    semi = np.full((n, 2), np.nan)
    score = np.zeros(n)
    from_flow = np.zeros(n, dtype=bool)
    disp = np.full((n, 2), np.nan)
    for t in np.flatnonzero(measured):
        o, j = observations[t], chosen[t]
        pos[t] = o.centers_xy_px[j] - cam[t]
        radius[t], semi[t], score[t], from_flow[t] = (
            o.radius_px[j],
            o.semi_axes_hv_px[j],
            o.score[j],
            o.from_flow[j],
        )
        if t > 0 and measured[t - 1]:
            cam_step = cam[t] - cam[t - 1]
            disp[t] = o.prev_disp_xy_px[j] - cam_step
    r_ref = float(np.nanmedian(radius)) if measured.any() else 1.0
    pos_std = r_ref * (0.004 + 0.012 * (1.0 - score))
    disp_std = np.full(n, 0.01 * r_ref)
    jerk_psd = JERK_PSD_M2_S5 * (r_ref / (plate_diameter_m / 2.0)) ** 2
    sx = smooth_axis(t_s, pos[:, 0], pos_std, disp[:, 0], disp_std, jerk_psd)
    sy = smooth_axis(t_s, pos[:, 1], pos_std, disp[:, 1], disp_std, jerk_psd)
    fill = _gap_sources(t_s, measured)
    source = np.full(n, "lost", dtype=object)
    source[measured] = np.where(from_flow[measured], "tracked", "detected")
    source[fill] = "interpolated"
    known = measured | fill
    conf_scale = 1.0 if has_pose else NO_POSE_CONFIDENCE
    confidence = np.where(measured, score * np.where(from_flow, TRACKED_CONFIDENCE, 1.0), 0.0)
    confidence = np.where(fill, INTERPOLATED_CONFIDENCE, confidence) * conf_scale
    x_px = np.where(known, sx.pos + cam[:, 0], np.nan)
    y_px = np.where(known, sy.pos + cam[:, 1], np.nan)
    r_track = np.full(n, np.nan)
    if measured.sum() >= 1:
        r_track[known] = np.interp(t_s[known], t_s[measured], radius[measured])
    speed = np.hypot(sx.vel, sy.vel)
    fps = 1.0 / float(np.median(np.diff(t_s))) if n > 1 else 30.0
    calib, cal_warnings = calibrate_from_plate(
        semi, np.where(measured, speed, np.nan), sy.pos + cam[:, 1], plate_diameter_m, fps, score
    )
    warnings.extend(cal_warnings)
    lost_share = 1.0 - float(known.mean()) if n else 1.0
    if n and lost_share > 0.05:
        warnings.append(
            {
                "code": "bar_lost_frames",
                "message": f"bar not found on {100 * lost_share:.0f}% of frames (marked lost)",
            }
        )
    w, h = frame_size_wh
    if measured.any() and (np.nanmax(x_px) > w * 1.05 or np.nanmax(y_px) > h * 1.05):
        warnings.append({"code": "bar_outside_frame", "message": "tracked bar centre left the frame"})
    track = StabilizedBarTrack(
        t_s=t_s,
        x_px=x_px,
        y_px=y_px,
        radius_px=r_track,
        confidence=np.clip(confidence, 0.0, 1.0),
        source=source,
        camera_xy_px=cam,
    )
    return track, calib, warnings
