"""Bar kinematics: position, velocity, acceleration and power of the plate centre in metres."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.kinematics.filtering import (
    BAR_CUTOFF_CAP_HZ,
    cutoff_hz_for_fps,
    median_fps,
    smooth_and_differentiate,
)
from pipelines.kinematics.frame import MetricFrame
from pipelines.types import BarTrack

G_MPS2 = 9.80665


@dataclass(frozen=True, slots=True)
class BarMotion:
    """Filtered bar motion, each (n,), NaN where the bar was lost or the segment too short.

    x_m is along the lifter's facing direction, y_m up; both still in the *absolute* frame (the image
    origin scaled to metres) until ``with_origin`` moves the origin to the bar's start position.
    """

    x_m: np.ndarray
    y_m: np.ndarray
    vx_mps: np.ndarray
    vy_mps: np.ndarray
    ax_mps2: np.ndarray
    ay_mps2: np.ndarray
    cutoff_hz: float

    @property
    def speed_mps(self) -> np.ndarray:
        return np.hypot(self.vx_mps, self.vy_mps)

    def with_origin(self, x0_m: float, y0_m: float) -> BarMotion:
        return BarMotion(
            x_m=self.x_m - x0_m,
            y_m=self.y_m - y0_m,
            vx_mps=self.vx_mps,
            vy_mps=self.vy_mps,
            ax_mps2=self.ax_mps2,
            ay_mps2=self.ay_mps2,
            cutoff_hz=self.cutoff_hz,
        )


def bar_valid(bar: BarTrack) -> np.ndarray:
    """(n,) bool: frames with a usable bar position (anything but 'lost', finite)."""
    return (bar.source != "lost") & np.isfinite(bar.x_px) & np.isfinite(bar.y_px)


def bar_motion(bar: BarTrack, frame: MetricFrame) -> BarMotion:
    """Smooth and differentiate the bar track; all NaN when the clip has no scale."""
    n = bar.t_s.shape[0]
    fps = median_fps(bar.t_s)
    cutoff_hz = cutoff_hz_for_fps(fps, BAR_CUTOFF_CAP_HZ) if np.isfinite(fps) else BAR_CUTOFF_CAP_HZ
    if not frame.has_scale:
        nan = np.full(n, np.nan)
        return BarMotion(nan, nan, nan, nan, nan, nan, cutoff_hz)
    valid = bar_valid(bar)
    x_raw = np.where(valid, frame.forward * bar.x_px * frame.m_per_px, np.nan)
    y_raw = np.where(valid, -bar.y_px * frame.m_per_px, np.nan)
    sx = smooth_and_differentiate(bar.t_s, x_raw, cutoff_hz)
    sy = smooth_and_differentiate(bar.t_s, y_raw, cutoff_hz)
    return BarMotion(
        x_m=sx.value,
        y_m=sy.value,
        vx_mps=sx.d1,
        vy_mps=sy.d1,
        ax_mps2=sx.d2,
        ay_mps2=sy.d2,
        cutoff_hz=cutoff_hz,
    )


def bar_power_w(motion: BarMotion, barbell_mass_kg: float) -> np.ndarray:
    """(n,) power delivered to the bar: P = m (g + a_y) v_y + m a_x v_x, in watts."""
    vertical = barbell_mass_kg * (G_MPS2 + motion.ay_mps2) * motion.vy_mps
    horizontal = barbell_mass_kg * motion.ax_mps2 * motion.vx_mps
    return vertical + horizontal
