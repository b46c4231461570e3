"""Draw the barbell: plates (face, rim, side, hub), sleeves and the shaft, in projection.

Geometry (metres, z along the bar from its middle): bar 2.2 m long, collars at +/-0.655 m,
plate stack faces at +/-PLATE_FACE_Z_M, shaft radius 14 mm, sleeve radius 25 mm.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from pipelines.synth.camera import Camera
from pipelines.synth.raster import Colour, capsule, disc, polygon, shade

PLATE_INNER_Z_M = 0.655
PLATE_FACE_Z_M = 0.72
SLEEVE_END_Z_M = 1.05
SHAFT_RADIUS_M = 0.014
SLEEVE_RADIUS_M = 0.025
HUB_RADIUS_M = 0.065
_N_CIRCLE = 96
_STEEL: Colour = (188, 190, 196)


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
    hull = cv2.convexHull(np.concatenate([face, inner]).astype(np.float32)).reshape(-1, 2)
    polygon(img, hull, shade(colour, 0.55))
    rim = camera.project(circle_points_m(face_c, radius_m * 0.93), offset)
    polygon(img, face, shade(colour, 0.78) if sum(colour) > 200 else shade(colour, 1.6))
    polygon(img, rim, colour)
    hub = camera.project(circle_points_m(face_c, HUB_RADIUS_M), offset)
    polygon(img, hub, _STEEL)
    hub_in = camera.project(circle_points_m(face_c, HUB_RADIUS_M * 0.62), offset)
    polygon(img, hub_in, shade(_STEEL, 0.8))


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
