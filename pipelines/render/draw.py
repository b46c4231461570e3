"""Drawing one annotated frame in place with OpenCV: skeleton, bar trail coloured by speed, readouts.

Frames are RGB uint8 (h, w, 3); colours below are RGB. Overlay coordinates are displayed-frame pixels of
the source and are multiplied by ``scale`` (output size / source size).
"""

from __future__ import annotations

import cv2
import numpy as np

from pipelines.render.overlay import OverlayData
from pipelines.render.units import display_unit
from services.inference.joints import BONES, JOINT_INDEX

LEFT_RGB = (64, 160, 255)
RIGHT_RGB = (255, 140, 40)
CENTRE_RGB = (230, 230, 230)
PANEL_RGB = (20, 20, 20)
TEXT_RGB = (255, 255, 255)
WARN_RGB = (255, 200, 0)
N_SPEED_COLOURS = 16

_BONE_INDEX = np.array([(JOINT_INDEX[a], JOINT_INDEX[b]) for a, b in BONES], dtype=np.int64)
_BONE_RGB = [
    LEFT_RGB
    if a.startswith("l") and b.startswith("l")
    else RIGHT_RGB
    if a.startswith("r") and b.startswith("r")
    else CENTRE_RGB
    for a, b in BONES
]


def speed_rgb(fraction: np.ndarray) -> np.ndarray:
    """(k,) speed fractions in [0, 1] -> (k, 3) uint8 RGB: blue (slow) - green - yellow - red (fast)."""
    f = np.clip(np.nan_to_num(np.asarray(fraction, dtype=np.float64)), 0.0, 1.0)
    stops = np.array([[40, 90, 255], [0, 200, 120], [255, 220, 0], [255, 40, 30]], dtype=np.float64)
    pos = f * (len(stops) - 1)
    lo = np.minimum(pos.astype(np.int64), len(stops) - 2)
    w = (pos - lo)[:, None]
    return np.round(stops[lo] * (1 - w) + stops[lo + 1] * w).astype(np.uint8)


def _thickness(frame: np.ndarray) -> int:
    return max(1, round(min(frame.shape[:2]) / 240))


def draw_skeleton(frame: np.ndarray, overlay: OverlayData, i: int, scale: float) -> None:
    """Bones and joints of frame i where both ends are visible enough."""
    if not overlay.lifter_found[i]:
        return
    xy = overlay.keypoints_xy_px[i].astype(np.float64) * scale
    ok = np.isfinite(xy).all(axis=1) & (overlay.visibility[i] >= overlay.min_visibility)
    t = _thickness(frame)
    for (a, b), rgb in zip(_BONE_INDEX, _BONE_RGB, strict=True):
        if ok[a] and ok[b]:
            p = (round(xy[a, 0]), round(xy[a, 1]))
            q = (round(xy[b, 0]), round(xy[b, 1]))
            cv2.line(frame, p, q, rgb, t + 1, cv2.LINE_AA)
    for j in np.flatnonzero(ok):
        cv2.circle(frame, (round(xy[j, 0]), round(xy[j, 1])), t + 2, TEXT_RGB, -1, cv2.LINE_AA)


def draw_bar_trail(frame: np.ndarray, overlay: OverlayData, i: int, scale: float) -> None:
    """The bar path from (t_i - trail_window_s) to frame i, each segment coloured by bar speed,
    then the plate centre of frame i. Segments across lost frames are not drawn (no invented path)."""
    t0 = overlay.t_s[i] - overlay.trail_window_s
    first = int(np.searchsorted(overlay.t_s, t0))
    xy = overlay.bar_xy_px[first : i + 1] * scale
    if xy.shape[0] >= 2:
        seg_ok = np.isfinite(xy[:-1]).all(axis=1) & np.isfinite(xy[1:]).all(axis=1)
        speed = overlay.bar_speed_mps[first + 1 : i + 1]
        bucket = np.clip(
            np.nan_to_num(speed / overlay.speed_scale_mps) * (N_SPEED_COLOURS - 1), 0, N_SPEED_COLOURS - 1
        ).astype(np.int64)
        palette = speed_rgb(np.linspace(0.0, 1.0, N_SPEED_COLOURS))
        pts = np.round(np.nan_to_num(xy)).astype(np.int32)  # NaN rows are excluded by seg_ok
        t = _thickness(frame) + 1
        # One polylines call per colour bucket keeps a long trail cheap (thousands of segments); the
        # (k, 2, 2) segment array is built in one step (a per-segment np.stack cost ~4 ms a frame).
        segments = np.stack([pts[:-1], pts[1:]], axis=1)
        for k in np.unique(bucket[seg_ok]):
            lines = segments[seg_ok & (bucket == k)]
            cv2.polylines(frame, list(lines), False, tuple(int(c) for c in palette[k]), t, cv2.LINE_AA)
    centre = overlay.bar_xy_px[i] * scale
    if np.isfinite(centre).all():
        r = 3 * _thickness(frame) + 2
        cv2.circle(frame, (round(centre[0]), round(centre[1])), r, TEXT_RGB, _thickness(frame), cv2.LINE_AA)


def _text_block(frame: np.ndarray, lines: list[tuple[str, tuple[int, int, int]]], x: int, y_top: int) -> None:
    """Left-aligned lines on an opaque dark panel starting at (x, y_top)."""
    if not lines:
        return
    font_scale = max(0.4, min(frame.shape[:2]) / 720)
    th = max(1, round(font_scale * 1.6))
    sizes = [cv2.getTextSize(s, cv2.FONT_HERSHEY_SIMPLEX, font_scale, th)[0] for s, _ in lines]
    line_h = max(h for _, h in sizes) + round(10 * font_scale)
    width = max(w for w, _ in sizes) + round(16 * font_scale)
    pad = round(8 * font_scale)
    y_bottom = min(frame.shape[0], y_top + line_h * len(lines) + pad)
    cv2.rectangle(frame, (x, y_top), (min(frame.shape[1] - 1, x + width), y_bottom), PANEL_RGB, -1)
    for k, (text, rgb) in enumerate(lines):
        baseline_y = y_top + pad + line_h * (k + 1) - round(6 * font_scale)
        cv2.putText(
            frame, text, (x + pad, baseline_y), cv2.FONT_HERSHEY_SIMPLEX, font_scale, rgb, th, cv2.LINE_AA
        )


def readout_lines(overlay: OverlayData, i: int) -> list[tuple[str, tuple[int, int, int]]]:
    """Readout text of frame i: phase, bar speed, bar height, per-frame tracking flags."""
    speed_u = display_unit("m/s", overlay.units)
    height_u = display_unit("m", overlay.units)
    lines: list[tuple[str, tuple[int, int, int]]] = []
    if overlay.phase[i]:
        lines.append((str(overlay.phase[i]).replace("_", " ").upper(), TEXT_RGB))
    speed = overlay.bar_speed_mps[i]
    height = overlay.bar_height_m[i]
    speed_txt = f"{speed * speed_u.factor:.2f} {speed_u.label}" if np.isfinite(speed) else "n/a"
    height_txt = f"{height * height_u.factor:.2f} {height_u.label}" if np.isfinite(height) else "n/a"
    lines.append((f"bar speed {speed_txt}".replace("²", "2"), TEXT_RGB))
    lines.append((f"bar height {height_txt}", TEXT_RGB))
    if not overlay.lifter_found[i]:
        lines.append(("lifter not found", WARN_RGB))
    elif float(np.mean(overlay.visibility[i])) < 0.5:
        lines.append(("low pose confidence", WARN_RGB))
    if overlay.bar_lost[i]:
        lines.append(("bar lost", WARN_RGB))
    return lines


def draw_frame(frame: np.ndarray, overlay: OverlayData, i: int, scale: float) -> np.ndarray:
    """Draw everything for frame i onto ``frame`` (modified in place, also returned)."""
    draw_bar_trail(frame, overlay, i, scale)
    draw_skeleton(frame, overlay, i, scale)
    margin = max(4, round(min(frame.shape[:2]) / 60))
    _text_block(frame, readout_lines(overlay, i), margin, margin)
    if overlay.warnings:
        # Hershey fonts are ASCII only; warnings are shown ASCII-folded.
        warn = [("! " + w.encode("ascii", "replace").decode()[:70], WARN_RGB) for w in overlay.warnings]
        font_scale = max(0.4, min(frame.shape[:2]) / 720)
        block_h = round((24 * font_scale + 4) * len(warn) + 16 * font_scale)
        _text_block(frame, warn, margin, max(0, frame.shape[0] - margin - block_h))
    return frame
