"""What one decoded frame tells about plates: a few candidate circles and the motion since the last frame.

Observations are produced inside parallel decode tasks and shipped to the sequential tracker, so they
stay small (no pixels). All coordinates are in original displayed-frame pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class BarObservation:
    """Plate candidates of one frame (k candidates, best first).

    centers_xy_px: (k, 2) float64 fitted centre (x right, y down).
    radius_px: (k,) float64 radius of the fitted circle.
    semi_axes_hv_px: (k, 2) float64 half extent of the fitted ellipse along x and along y.
    score: (k,) float64 in [0, 1]: share of the rim supported by edges times edge sharpness.
    mean_bgr: (k, 3) float64 mean colour of the plate face (between 0.45 r and 0.8 r).
    from_flow: (k,) bool: the candidate was found by following a previous-frame plate with optical
        flow (then refined on edges), not by the circle detector of this frame.
    prev_disp_xy_px: (k, 2) float64 displacement of the candidate since the previous frame measured by
        optical flow on the plate face; NaN where unknown (first frame, plate not followed).
    camera_disp_xy_px: (2,) float64 displacement of the background since the previous frame (camera
        shake / pan); NaN where unknown.
    """

    centers_xy_px: np.ndarray
    radius_px: np.ndarray
    semi_axes_hv_px: np.ndarray
    score: np.ndarray
    mean_bgr: np.ndarray
    from_flow: np.ndarray
    prev_disp_xy_px: np.ndarray
    camera_disp_xy_px: np.ndarray

    def __post_init__(self) -> None:
        k = self.radius_px.shape[0]
        expect = {
            "centers_xy_px": (k, 2),
            "radius_px": (k,),
            "semi_axes_hv_px": (k, 2),
            "score": (k,),
            "mean_bgr": (k, 3),
            "from_flow": (k,),
            "prev_disp_xy_px": (k, 2),
            "camera_disp_xy_px": (2,),
        }
        for name, shape in expect.items():
            got = getattr(self, name).shape
            if got != shape:
                raise ValueError(f"BarObservation.{name}: expected {shape}, got {got}")

    @property
    def n_candidates(self) -> int:
        return int(self.radius_px.shape[0])

    @staticmethod
    def empty(camera_disp_xy_px: np.ndarray | None = None) -> BarObservation:
        cam = np.full(2, np.nan) if camera_disp_xy_px is None else np.asarray(camera_disp_xy_px, float)
        return BarObservation(
            centers_xy_px=np.zeros((0, 2)),
            radius_px=np.zeros(0),
            semi_axes_hv_px=np.zeros((0, 2)),
            score=np.zeros(0),
            mean_bgr=np.zeros((0, 3)),
            from_flow=np.zeros(0, dtype=bool),
            prev_disp_xy_px=np.zeros((0, 2)),
            camera_disp_xy_px=cam,
        )
