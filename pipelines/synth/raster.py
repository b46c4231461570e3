"""Anti-aliased sub-pixel drawing primitives on BGR uint8 images (OpenCV ``shift`` fixed point)."""

from __future__ import annotations

import cv2
import numpy as np

SHIFT = 4  # 1/16 px precision
_ONE = 1 << SHIFT

Colour = tuple[int, int, int]


def _fx(pts_px: np.ndarray) -> np.ndarray:
    # Fixed-point coordinates of pixel centres: OpenCV's pixel (i, j) centre is at integer (i, j).
    return np.round(np.asarray(pts_px, dtype=np.float64) * _ONE).astype(np.int32)


def disc(img: np.ndarray, centre_px: np.ndarray, radius_px: float, colour: Colour) -> None:
    if radius_px <= 0:
        return
    c = _fx(centre_px)
    cv2.circle(img, (int(c[0]), int(c[1])), max(1, round(radius_px * _ONE)), colour, -1, cv2.LINE_AA, SHIFT)


def polygon(img: np.ndarray, pts_px: np.ndarray, colour: Colour) -> None:
    """Filled polygon (n, 2); convex or not."""
    cv2.fillPoly(img, [_fx(pts_px).reshape(-1, 1, 2)], colour, cv2.LINE_AA, SHIFT)


def capsule(
    img: np.ndarray, a_px: np.ndarray, b_px: np.ndarray, ra_px: float, rb_px: float, colour: Colour
) -> None:
    """A limb: round ends of radii ra, rb joined by a tapered band."""
    a, b = np.asarray(a_px, dtype=np.float64), np.asarray(b_px, dtype=np.float64)
    d = b - a
    length = float(np.hypot(d[0], d[1]))
    if length > 1e-6:
        nrm = np.array([-d[1], d[0]]) / length
        quad = np.array([a + nrm * ra_px, b + nrm * rb_px, b - nrm * rb_px, a - nrm * ra_px])
        cv2.fillConvexPoly(img, _fx(quad).reshape(-1, 1, 2), colour, cv2.LINE_AA, SHIFT)
    disc(img, a, ra_px, colour)
    disc(img, b, rb_px, colour)


def ellipse(
    img: np.ndarray,
    centre_px: np.ndarray,
    axes_px: tuple[float, float],
    angle_deg: float,
    colour: Colour,
    thickness: int = -1,
) -> None:
    c = _fx(centre_px)
    axes = (max(1, round(axes_px[0] * _ONE)), max(1, round(axes_px[1] * _ONE)))
    cv2.ellipse(img, (int(c[0]), int(c[1])), axes, angle_deg, 0, 360, colour, thickness, cv2.LINE_AA, SHIFT)


def line(img: np.ndarray, a_px: np.ndarray, b_px: np.ndarray, colour: Colour, thickness: int = 1) -> None:
    a, b = _fx(a_px), _fx(b_px)
    cv2.line(img, (int(a[0]), int(a[1])), (int(b[0]), int(b[1])), colour, thickness, cv2.LINE_AA, SHIFT)


def shade(colour: Colour, factor: float) -> Colour:
    return (
        min(255, int(colour[0] * factor)),
        min(255, int(colour[1] * factor)),
        min(255, int(colour[2] * factor)),
    )
