"""Draw the barbell: plates (face, rim, side, hub), sleeves and the shaft, in projection.

Geometry (metres, z along the bar from its middle): bar 2.2 m long, collars at +/-0.655 m,
plate stack faces at +/-PLATE_FACE_Z_M, shaft radius 14 mm, sleeve radius 25 mm.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipelines.synth.camera import Camera
from pipelines.synth.raster import Colour, capsule, disc, shade

PLATE_INNER_Z_M = 0.655
PLATE_FACE_Z_M = 0.72
SLEEVE_END_Z_M = 1.05
SHAFT_RADIUS_M = 0.014
SLEEVE_RADIUS_M = 0.025
HUB_RADIUS_M = 0.065
_N_CIRCLE = 96
_STEEL: Colour = (188, 190, 196)


def _blend(img: np.ndarray, x0: int, y0: int, coverage: np.ndarray, colour: Colour) -> None:
    """Composite colour over img[y0:, x0:] with per-pixel coverage (h, w) in [0, 1]."""
    h, w = coverage.shape
    region = img[y0 : y0 + h, x0 : x0 + w]
    cov = coverage[..., None]
    region[:] = (region * (1.0 - cov) + np.asarray(colour, np.float32) * cov + 0.5).astype(np.uint8)


def _bbox(pts_px: np.ndarray, shape_hw: tuple[int, ...], pad: int) -> tuple[int, int, int, int] | None:
    h, w = shape_hw[0], shape_hw[1]
    x0, y0 = np.floor(pts_px.min(axis=0)).astype(int) - pad
    x1, y1 = np.ceil(pts_px.max(axis=0)).astype(int) + pad + 1
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def fill_conic_exact(img: np.ndarray, ring_px: np.ndarray, colour: Colour) -> None:
    """Fill the ellipse through ring_px (n, 2) (a projected circle) with exact area coverage.

    OpenCV's anti-aliased fillPoly spreads ~0.6 px beyond the outline, so a drawn plate looked ~0.7 %
    larger than its ground truth. Here each pixel (centre at integer coordinates) gets coverage
    0.5 - d from its signed distance d to the ellipse (first order, exact for straight edges), so the
    drawn area equals the true one and the edge's 50 % point lies on the true outline.
    """
    box = _bbox(ring_px, img.shape, 2)
    if box is None:
        return
    x0, y0, x1, y1 = box
    (cx, cy), (ew, eh), ang = cv2.fitEllipse(ring_px.astype(np.float32))
    a, b = max(ew / 2.0, 1e-3), max(eh / 2.0, 1e-3)
    th = np.deg2rad(ang)
    dx = np.arange(x0, x1, dtype=np.float32)[None, :] - np.float32(cx)
    dy = np.arange(y0, y1, dtype=np.float32)[:, None] - np.float32(cy)
    u = dx * np.float32(np.cos(th)) + dy * np.float32(np.sin(th))
    v = -dx * np.float32(np.sin(th)) + dy * np.float32(np.cos(th))
    f = (u / a) ** 2 + (v / b) ** 2 - 1.0
    grad = 2.0 * np.sqrt((u / a**2) ** 2 + (v / b**2) ** 2)
    d = f / np.maximum(grad, 1e-6)
    _blend(img, x0, y0, np.clip(0.5 - d, 0.0, 1.0), colour)


def fill_convex_exact(img: np.ndarray, pts_px: np.ndarray, colour: Colour) -> None:
    """Fill the convex hull of pts_px (n, 2) with coverage 0.5 - signed distance (no fringe outside)."""
    hull = cv2.convexHull(pts_px.astype(np.float32)).reshape(-1, 2).astype(np.float64)
    box = _bbox(hull, img.shape, 2)
    if box is None or hull.shape[0] < 3:
        return
    x0, y0, x1, y1 = box
    edge = np.roll(hull, -1, axis=0) - hull
    length = np.hypot(edge[:, 0], edge[:, 1])
    ok = length > 1e-9
    hull, edge, length = hull[ok], edge[ok], length[ok]
    normal = np.column_stack([edge[:, 1], -edge[:, 0]]) / length[:, None]
    if np.sum(normal * (hull - hull.mean(axis=0)), axis=1).mean() < 0:  # make the normals point outward
        normal = -normal
    offset = np.sum(normal * hull, axis=1)
    gx = np.arange(x0, x1, dtype=np.float32)
    gy = np.arange(y0, y1, dtype=np.float32)
    # Inside a convex polygon the signed distance is the max over edges of the half-plane distances;
    # outside it is exact near the edges (what the coverage needs).
    d = np.full((y1 - y0, x1 - x0), -np.inf, np.float32)
    for (nx, ny), c in zip(normal.astype(np.float32), offset.astype(np.float32), strict=True):
        np.maximum(d, gy[:, None] * ny + (gx[None, :] * nx - c), out=d)
    _blend(img, x0, y0, np.clip(0.5 - d, 0.0, 1.0), colour)


def circle_points_m(centre_m: np.ndarray, radius_m: float, n: int = _N_CIRCLE) -> np.ndarray:
    """(n, 3) points of a circle in the plane z = centre z (the plate's plane)."""
    ang = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    return centre_m + radius_m * np.stack([np.cos(ang), np.sin(ang), np.zeros(n)], axis=1)


@dataclass(frozen=True, slots=True)
class PlateView:
    """The near plate face as the camera sees it (ground truth for one frame)."""

    centre_px: np.ndarray  # (2,) projected bar axis at the plate face
    radius_px: float  # mean projected radius
    ellipse: tuple[float, float, float, float, float]  # cx, cy, semi-major, semi-minor, angle_deg


def near_plate_view(
    camera: Camera, bar_xy_m: np.ndarray, radius_m: float, offset_px: tuple[float, float]
) -> PlateView:
    centre = np.array([bar_xy_m[0], bar_xy_m[1], PLATE_FACE_Z_M])
    ring = camera.project(circle_points_m(centre, radius_m), offset_px)
    c = camera.project(centre, offset_px)
    (ex, ey), (w, h), ang = cv2.fitEllipse(ring.astype(np.float32))
    major, minor = max(w, h) / 2.0, min(w, h) / 2.0
    radius = float(np.mean(np.hypot(ring[:, 0] - c[0], ring[:, 1] - c[1])))
    return PlateView(c, radius, (float(ex), float(ey), float(major), float(minor), float(ang)))


def _plate(
    img: np.ndarray,
    camera: Camera,
    bar_xy_m: np.ndarray,
    face_z: float,
    inner_z: float,
    radius_m: float,
    colour: Colour,
    offset: tuple[float, float],
) -> None:
    face_c = np.array([bar_xy_m[0], bar_xy_m[1], face_z])
    inner_c = np.array([bar_xy_m[0], bar_xy_m[1], inner_z])
    face = camera.project(circle_points_m(face_c, radius_m), offset)
    inner = camera.project(circle_points_m(inner_c, radius_m), offset)
    fill_convex_exact(img, np.concatenate([face, inner]), shade(colour, 0.55))
    rim = camera.project(circle_points_m(face_c, radius_m * 0.93), offset)
    fill_conic_exact(img, face, shade(colour, 0.78) if sum(colour) > 200 else shade(colour, 1.6))
    fill_conic_exact(img, rim, colour)
    hub = camera.project(circle_points_m(face_c, HUB_RADIUS_M), offset)
    fill_conic_exact(img, hub, _STEEL)
    hub_in = camera.project(circle_points_m(face_c, HUB_RADIUS_M * 0.62), offset)
    fill_conic_exact(img, hub_in, shade(_STEEL, 0.8))


def draw_far_end(
    img: np.ndarray,
    camera: Camera,
    bar_xy_m: np.ndarray,
    radius_m: float,
    colour: Colour,
    offset: tuple[float, float],
    z0: float = 0.0,
) -> None:
    """Far sleeve, far plate (its inner face looks at the camera) and the shaft. z0: bar middle."""
    x, y = bar_xy_m
    scale = float(camera.scale_px_per_m(np.array([x, y, z0])))
    far_end = camera.project(np.array([x, y, z0 - SLEEVE_END_Z_M]), offset)
    far_face = camera.project(np.array([x, y, z0 - PLATE_FACE_Z_M]), offset)
    capsule(img, far_end, far_face, SLEEVE_RADIUS_M * scale * 0.9, SLEEVE_RADIUS_M * scale * 0.9, _STEEL)
    _plate(
        img,
        camera,
        bar_xy_m,
        z0 - PLATE_INNER_Z_M,
        z0 - PLATE_FACE_Z_M,
        radius_m,
        shade(colour, 0.85),
        offset,
    )
    a = camera.project(np.array([x, y, z0 - PLATE_INNER_Z_M]), offset)
    b = camera.project(np.array([x, y, z0 + PLATE_INNER_Z_M]), offset)
    capsule(img, a, b, SHAFT_RADIUS_M * scale, SHAFT_RADIUS_M * scale, shade(_STEEL, 0.9))


def draw_near_end(
    img: np.ndarray,
    camera: Camera,
    bar_xy_m: np.ndarray,
    radius_m: float,
    colour: Colour,
    offset: tuple[float, float],
    z0: float = 0.0,
) -> None:
    """Near plate (outer face toward the camera) and the near sleeve sticking out of it."""
    x, y = bar_xy_m
    _plate(img, camera, bar_xy_m, z0 + PLATE_FACE_Z_M, z0 + PLATE_INNER_Z_M, radius_m, colour, offset)
    face = camera.project(np.array([x, y, z0 + PLATE_FACE_Z_M]), offset)
    end = camera.project(np.array([x, y, z0 + SLEEVE_END_Z_M]), offset)
    s_face = float(camera.scale_px_per_m(np.array([x, y, z0 + PLATE_FACE_Z_M])))
    s_end = float(camera.scale_px_per_m(np.array([x, y, z0 + SLEEVE_END_Z_M])))
    capsule(img, face, end, SLEEVE_RADIUS_M * s_face, SLEEVE_RADIUS_M * s_end, shade(_STEEL, 0.85))
    disc(img, end, SLEEVE_RADIUS_M * s_end, _STEEL)
