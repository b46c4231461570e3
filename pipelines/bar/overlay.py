"""Debug overlay: the tracked plate circle, its centre and the recent bar path on one frame."""

from __future__ import annotations

import cv2
import numpy as np

from pipelines.types import BarTrack

_COLOURS = {
    "detected": (0, 255, 0),
    "tracked": (0, 200, 255),
    "interpolated": (255, 128, 0),
    "lost": (0, 0, 255),
}


def draw_bar_overlay(frame_bgr: np.ndarray, track: BarTrack, i: int, trail: int = 60) -> np.ndarray:
    """A copy of frame_bgr (h, w, 3) uint8 in original pixels with frame i of the track drawn on it."""
    out = frame_bgr.copy()
    lo = max(0, i - trail)
    path = np.column_stack([track.x_px[lo : i + 1], track.y_px[lo : i + 1]])
    path = path[np.all(np.isfinite(path), axis=1)]
    if path.shape[0] >= 2:
        cv2.polylines(out, [np.round(path).astype(np.int32)], False, (255, 0, 255), 2, cv2.LINE_AA)
    src = str(track.source[i])
    colour = _COLOURS.get(src, (255, 255, 255))
    if np.isfinite(track.x_px[i]) and np.isfinite(track.y_px[i]):
        c = (round(float(track.x_px[i])), round(float(track.y_px[i])))
        if np.isfinite(track.radius_px[i]):
            cv2.circle(out, c, round(float(track.radius_px[i])), colour, 2, cv2.LINE_AA)
        cv2.drawMarker(out, c, colour, cv2.MARKER_CROSS, 16, 2)
    cv2.putText(
        out,
        f"{i} {src} {float(track.confidence[i]):.2f}",
        (10, 30),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.8,
        colour,
        2,
        cv2.LINE_AA,
    )
    return out
