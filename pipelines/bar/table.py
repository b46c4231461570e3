"""bar.parquet: the tracked plate centre per frame in pixels and in metres."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from pipelines.bar.track import StabilizedBarTrack
from pipelines.types import BarTrack, Calibration


def bar_xy_m(track: BarTrack, calib: Calibration) -> tuple[np.ndarray, np.ndarray]:
    """(n,), (n,) bar position in metres: x right, y up, origin at the first tracked position.

    Camera motion is removed when the track carries it; horizontal motion is divided by cos(yaw)
    because a yawed camera foreshortens the plate plane's horizontal axis. NaN where lost.
    """
    x = track.x_px.astype(np.float64)
    y = track.y_px.astype(np.float64)
    if isinstance(track, StabilizedBarTrack):
        x = x - track.camera_xy_px[:, 0]
        y = y - track.camera_xy_px[:, 1]
    known = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if known.size == 0 or not np.isfinite(calib.m_per_px):
        nan = np.full(x.shape, np.nan)
        return nan, nan.copy()
    x0, y0 = x[known[0]], y[known[0]]
    yaw = calib.yaw_deg if np.isfinite(calib.yaw_deg) else 0.0
    x_m = (x - x0) * calib.m_per_px / np.cos(np.deg2rad(yaw))
    y_m = -(y - y0) * calib.m_per_px
    return x_m, y_m


def bar_table(track: BarTrack, calib: Calibration) -> pa.Table:
    """The bar.parquet table: t_s, x_px, y_px, radius_px, x_m, y_m, confidence, source."""
    x_m, y_m = bar_xy_m(track, calib)
    return pa.table(
        {
            "t_s": pa.array(track.t_s, type=pa.float64()),
            "x_px": pa.array(track.x_px, type=pa.float64()),
            "y_px": pa.array(track.y_px, type=pa.float64()),
            "radius_px": pa.array(track.radius_px, type=pa.float64()),
            "x_m": pa.array(x_m, type=pa.float64()),
            "y_m": pa.array(y_m, type=pa.float64()),
            "confidence": pa.array(track.confidence, type=pa.float64()),
            "source": pa.array([str(s) for s in track.source], type=pa.string()),
        }
    )
