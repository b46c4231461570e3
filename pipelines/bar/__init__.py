"""Barbell detection, tracking and calibration (near plate centre per frame, metres per pixel)."""

from pipelines.bar.calibrate import DEFAULT_PLATE_DIAMETER_M, m_per_px_from_radius, yaw_deg_from_semi_axes
from pipelines.bar.observation import BarObservation
from pipelines.bar.observe import observe_bar_segment
from pipelines.bar.overlay import draw_bar_overlay
from pipelines.bar.table import bar_table, bar_xy_m
from pipelines.bar.track import StabilizedBarTrack, track_bar

__all__ = [
    "DEFAULT_PLATE_DIAMETER_M",
    "BarObservation",
    "StabilizedBarTrack",
    "bar_table",
    "bar_xy_m",
    "draw_bar_overlay",
    "m_per_px_from_radius",
    "observe_bar_segment",
    "track_bar",
    "yaw_deg_from_semi_axes",
]
