"""Pinhole camera for the synthetic scene: world metres (x fwd, y up, z toward camera) -> pixels.

Yaw turns the camera about the vertical axis through the target point, so at yaw 0 it looks
straight along the bar (-z) and the near plate projects to a circle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Camera:
    width_px: int
    height_px: int
    focal_px: float
    target_m: tuple[float, float, float]  # point on the optical axis, at the principal point
    distance_m: float
    yaw_deg: float = 0.0

    @property
    def position_m(self) -> np.ndarray:
        yaw = math.radians(self.yaw_deg)
        tx, ty, tz = self.target_m
        return np.array([tx + self.distance_m * math.sin(yaw), ty, tz + self.distance_m * math.cos(yaw)])

    @property
    def axes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(right, up, forward) unit vectors."""
        yaw = math.radians(self.yaw_deg)
        right = np.array([math.cos(yaw), 0.0, -math.sin(yaw)])
        forward = np.array([-math.sin(yaw), 0.0, -math.cos(yaw)])
        return right, np.array([0.0, 1.0, 0.0]), forward

    def depth_m(self, pts_m: np.ndarray) -> np.ndarray:
        """Distance along the optical axis: (..., 3) -> (...)."""
        _, _, forward = self.axes
        return np.asarray((pts_m - self.position_m) @ forward)

    def project(self, pts_m: np.ndarray, offset_px: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
        """(..., 3) world points -> (..., 2) pixel coordinates (x right, y down).

        offset_px shifts the principal point (hand-held shake).
        """
        right, up, forward = self.axes
        rel = pts_m - self.position_m
        depth = rel @ forward
        u = self.width_px / 2.0 + offset_px[0] + self.focal_px * (rel @ right) / depth
        v = self.height_px / 2.0 + offset_px[1] - self.focal_px * (rel @ up) / depth
        return np.stack([u, v], axis=-1)

    def scale_px_per_m(self, pts_m: np.ndarray) -> np.ndarray:
        """Pixels per metre for a small length facing the camera at each point."""
        return self.focal_px / self.depth_m(pts_m)


def frame_camera(
    width_px: int,
    height_px: int,
    distance_m: float,
    yaw_deg: float,
    lifter_height_m: float,
    plate_z_m: float,
    plate_radius_m: float,
) -> Camera:
    """A camera that keeps the whole lift (bar overhead included) in frame at the plate's depth."""
    scale = lifter_height_m / 1.75
    y_top, y_bottom = 2.12 * scale + plate_radius_m + 0.05, -0.08
    x_left, x_right = -1.15 * scale, 0.95 * scale
    target = ((x_left + x_right) / 2.0, (y_top + y_bottom) / 2.0, 0.0)
    near_depth = distance_m - plate_z_m
    f_v = 0.95 * (height_px / 2.0) * near_depth / ((y_top - y_bottom) / 2.0)
    f_h = 0.95 * (width_px / 2.0) * distance_m / ((x_right - x_left) / 2.0)
    return Camera(width_px, height_px, min(f_v, f_h), target, distance_m, yaw_deg)
