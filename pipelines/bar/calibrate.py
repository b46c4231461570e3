"""Metres per pixel from the plate's known diameter, and camera yaw from the plate ellipse.

A plate seen side-on is a circle. Turning the camera about the vertical axis by yaw shrinks the plate's
horizontal extent by cos(yaw) and keeps its vertical one, so the vertical semi-axis gives the scale and
the ratio of the two gives yaw. Motion blur stretches the plate vertically too, so only frames where
the bar is nearly still count, and of those the ones with the bar resting low (on the floor, before
the lift): overhead, hands and arms cover the plate rim and bend the ellipse.
"""

from __future__ import annotations

import numpy as np

from pipelines.types import Calibration

DEFAULT_PLATE_DIAMETER_M = 0.450
YAW_WARN_DEG = 15.0
MIN_SCORE_SHARE = 0.7  # calibration frames: fit score at least this share of the clip's 90th percentile


def m_per_px_from_radius(plate_diameter_m: float, plate_radius_px: float) -> float:
    """Scale of the plate plane: a plate of diameter D imaged with radius r px gives D / (2 r) m/px."""
    if plate_radius_px <= 0:
        raise ValueError(f"plate_radius_px must be > 0, got {plate_radius_px}")
    return plate_diameter_m / (2.0 * plate_radius_px)


def yaw_deg_from_semi_axes(semi_h_px: float, semi_v_px: float) -> float:
    """Camera yaw from the plate ellipse: cos(yaw) = horizontal / vertical half extent (0 = side-on)."""
    ratio = float(np.clip(semi_h_px / semi_v_px, 0.0, 1.0))
    return float(np.rad2deg(np.arccos(ratio)))


def calibrate_from_plate(
    semi_axes_hv_px: np.ndarray,
    speed_px_s: np.ndarray,
    y_px: np.ndarray,
    plate_diameter_m: float,
    frame_rate_hz: float,
    score: np.ndarray | None = None,
) -> tuple[Calibration, list[dict[str, str]]]:
    """Calibration from the chosen plate's ellipse on the frames where it is detected.

    semi_axes_hv_px: (n, 2) half extents along x, y of detected frames (NaN rows allowed).
    speed_px_s: (n,) smoothed bar speed on those frames, to pick the frames free of motion blur.
    y_px: (n,) bar centre height in the image (y down), to prefer the frames with the bar on the floor.
    score: (n,) rim fit score (share of rays on the rim x edge sharpness), optional. Frames well below
        the clip's best are left out: a black plate on a black floor shows only its painted inner ring
        (a weak, smaller circle) while on the floor, and its true outline once it rises.
    """
    ok = np.all(np.isfinite(semi_axes_hv_px), axis=1) & np.isfinite(speed_px_s) & np.isfinite(y_px)
    if score is not None and ok.sum() >= 3:
        good = ok & (score >= MIN_SCORE_SHARE * float(np.percentile(score[ok], 90)))
        if good.sum() >= 3:
            ok = good
    warnings: list[dict[str, str]] = []
    if ok.sum() == 0:
        cal = Calibration(
            m_per_px=float("nan"),
            plate_diameter_m=plate_diameter_m,
            plate_radius_px=float("nan"),
            yaw_deg=float("nan"),
            confidence=0.0,
            warnings=["no plate detected"],
        )
        warnings.append({"code": "bar_calibration_unavailable", "message": "no plate was detected: no scale"})
        return cal, warnings
    semi = semi_axes_hv_px[ok]
    speed = speed_px_s[ok]
    y = y_px[ok]
    radius_guess = float(np.median(semi[:, 1]))
    # Blur under 3 % of the radius per exposure (exposure assumed <= one frame interval).
    still = speed / max(frame_rate_hz, 1.0) < 0.03 * radius_guess
    low = still & (y > float(np.max(y[still], initial=-np.inf)) - 0.3 * radius_guess)
    if low.sum() >= 3:
        still = low
    n_still = int(still.sum())
    use = semi[still] if n_still >= 3 else semi
    semi_v = float(np.median(use[:, 1]))
    semi_h = float(np.median(use[:, 0]))
    yaw = yaw_deg_from_semi_axes(semi_h, semi_v)
    spread = float(np.std(use[:, 1]) / semi_v) if use.shape[0] > 1 else 0.1
    confidence = float(np.clip(1.0 - 10.0 * spread, 0.2, 1.0)) * (1.0 if n_still >= 3 else 0.6)
    notes: list[str] = []
    if n_still < 3:
        notes.append("the bar was never still: scale measured on moving (blurred) frames")
        warnings.append({"code": "bar_calibration_blurred", "message": notes[-1]})
    if yaw > YAW_WARN_DEG:
        confidence *= 0.6
        notes.append(
            f"camera about {yaw:.0f} deg from side-on: horizontal bar motion corrected by 1/cos(yaw), "
            "perspective not corrected"
        )
        warnings.append({"code": "camera_not_side_on", "message": notes[-1]})
    cal = Calibration(
        m_per_px=m_per_px_from_radius(plate_diameter_m, semi_v),
        plate_diameter_m=plate_diameter_m,
        plate_radius_px=semi_v,
        yaw_deg=yaw,
        confidence=confidence,
        warnings=notes,
    )
    return cal, warnings
