"""The static gym: floor, back wall with fittings, the lifting platform, an optional second barbell."""

from __future__ import annotations

import numpy as np

from pipelines.synth.camera import Camera
from pipelines.synth.draw_barbell import draw_far_end, draw_near_end
from pipelines.synth.raster import Colour, disc, polygon, shade

WALL_Z_M = -3.5


def _quad(camera: Camera, x0: float, x1: float, y0: float, y1: float, z: float) -> np.ndarray:
    pts = np.array([[x0, y0, z], [x1, y0, z], [x1, y1, z], [x0, y1, z]])
    return camera.project(pts)


def _floor_quad(camera: Camera, x0: float, x1: float, z0: float, z1: float, y: float = 0.0) -> np.ndarray:
    pts = np.array([[x0, y, z0], [x1, y, z0], [x1, y, z1], [x0, y, z1]])
    return camera.project(pts)


def render_background(
    camera: Camera,
    dark_floor: bool,
    second_barbell: bool,
    plate_radius_m: float,
    rng: np.random.Generator,
    pad_px: int = 0,
) -> np.ndarray:
    """BGR image (H + 2 pad, W + 2 pad, 3) of the empty gym; pad leaves room for shake."""
    w, h = camera.width_px + 2 * pad_px, camera.height_px + 2 * pad_px
    img = np.empty((h, w, 3), np.uint8)
    wall: Colour = (196, 200, 204)
    img[:] = wall
    cam = Camera(w, h, camera.focal_px, camera.target_m, camera.distance_m, camera.yaw_deg)
    big = 40.0
    floor: Colour = (34, 34, 36) if dark_floor else (70, 78, 88)
    polygon(img, _floor_quad(cam, -big, big, WALL_Z_M, camera.distance_m - 0.5), floor)
    # Skirting board and a painted band on the wall.
    polygon(img, _quad(cam, -big, big, 0.0, 0.12, WALL_Z_M), (90, 95, 100))
    polygon(img, _quad(cam, -big, big, 1.1, 1.25, WALL_Z_M), (150, 120, 60))
    # Wall bars / racks and a mirror panel for texture.
    for x in np.arange(-6.0, 6.0, 2.4):
        polygon(img, _quad(cam, x, x + 1.2, 1.5, 2.6, WALL_Z_M), (175, 170, 165))
        polygon(img, _quad(cam, x + 0.05, x + 1.15, 1.55, 2.55, WALL_Z_M), (205, 196, 185))
    for x in np.arange(-5.0, 5.0, 3.1):
        for k in range(3):
            c = np.array([x, 0.35 + 0.3 * k, WALL_Z_M + 0.2])
            disc(img, cam.project(c), 0.11 * float(cam.scale_px_per_m(c)), (30 + 40 * k, 40, 140 - 30 * k))
    # Platform: wood centre, rubber sides.
    rubber: Colour = (28, 28, 30) if dark_floor else (45, 45, 48)
    wood: Colour = (40, 52, 62) if dark_floor else (105, 150, 190)
    polygon(img, _floor_quad(cam, -1.9, 1.9, -1.3, 1.3, 0.002), rubber)
    polygon(img, _floor_quad(cam, -0.95, 0.95, -1.3, 1.3, 0.003), wood)
    for z in np.arange(-1.3, 1.3, 0.4):  # boards
        a, b = cam.project(np.array([[-0.95, 0.003, z], [0.95, 0.003, z]]))
        down = np.array([0.0, 1.0])
        polygon(img, np.array([a, b, b + down, a + down]), shade(wood, 0.85))
    if second_barbell:
        bar = np.array([1.6, plate_radius_m])
        draw_far_end(img, cam, bar, plate_radius_m, (60, 60, 170), (0.0, 0.0), z0=-2.2)
        draw_near_end(img, cam, bar, plate_radius_m, (60, 60, 170), (0.0, 0.0), z0=-2.2)
    _ = rng
    return img
