"""Whole-body centre of mass from a segment model (de Leva 1996) and the ground reaction force.

Segment mass fractions and centre-of-mass positions (share of the segment length from the proximal
end) follow de Leva (1996, J Biomech 29:1223), adjusting Zatsiorsky-Seluyanov's data. The keypoints
stand in for de Leva's landmarks: the trunk runs from the shoulder midpoint (for suprasternale) to the
hip midpoint; the head's centre of mass is put at the nose; the hand's at the wrist.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from pipelines.kinematics.bar import G_MPS2
from pipelines.kinematics.frame import bilateral_xy, joint_xy
from pipelines.types import PoseTrack

# segment -> (proximal joint, distal joint, mass fraction male, female, CM fraction male, female)
_BILATERAL: Final[dict[str, tuple[str, str, float, float, float, float]]] = {
    "upper_arm": ("sho", "elb", 0.0271, 0.0255, 0.5772, 0.5754),
    "forearm": ("elb", "wri", 0.0162, 0.0138, 0.4574, 0.4559),
    "hand": ("wri", "wri", 0.0061, 0.0056, 0.0, 0.0),
    "thigh": ("hip", "kne", 0.1416, 0.1478, 0.4095, 0.3612),
    "shank": ("kne", "ank", 0.0433, 0.0481, 0.4459, 0.4416),
    "foot": ("hee", "toe", 0.0137, 0.0129, 0.4415, 0.4014),
}
_TRUNK: Final[tuple[float, float, float, float]] = (0.4346, 0.4257, 0.5138, 0.4964)
_HEAD: Final[tuple[float, float]] = (0.0694, 0.0668)


def _side_or_other(pose: PoseTrack, side: str, prox: str, dist: str) -> tuple[np.ndarray, np.ndarray]:
    """Segment end points on one side; where that side is unknown, the other side's (sagittal view)."""
    other = "r" if side == "l" else "l"
    p, d = joint_xy(pose, side + prox), joint_xy(pose, side + dist)
    op, od = joint_xy(pose, other + prox), joint_xy(pose, other + dist)
    missing = ~(np.isfinite(p).all(axis=1) & np.isfinite(d).all(axis=1))
    p[missing], d[missing] = op[missing], od[missing]
    return p, d


def body_com_px(pose: PoseTrack, female: bool = False) -> np.ndarray:
    """(n, 2) whole-body centre of mass in pixels; NaN in frames where any segment is unknown."""
    k = 1 if female else 0
    total = np.zeros((pose.n_frames, 2))
    mass = 0.0
    for prox, dist, *fractions in _BILATERAL.values():
        m_frac, c_frac = fractions[k], fractions[2 + k]
        for side in ("l", "r"):
            p, d = _side_or_other(pose, side, prox, dist)
            total += m_frac * (p + c_frac * (d - p))
            mass += m_frac
    shoulders, hips = bilateral_xy(pose, "sho"), bilateral_xy(pose, "hip")
    total += _TRUNK[k] * (shoulders + _TRUNK[2 + k] * (hips - shoulders))
    mass += _TRUNK[k]
    total += _HEAD[k] * joint_xy(pose, "nose")
    mass += _HEAD[k]
    return total / mass


def ground_reaction_force_n(
    body_mass_kg: float, com_ay_mps2: np.ndarray, barbell_mass_kg: float, bar_ay_mps2: np.ndarray
) -> np.ndarray:
    """(n,) vertical GRF of lifter plus bar: m_body (g + a_com,y) + m_bar (g + a_bar,y), newtons.

    Equal to (m_body + m_bar)(g + a_sys,y) for the system centre of mass; valid only while the lifter
    alone supports the bar.
    """
    return body_mass_kg * (G_MPS2 + com_ay_mps2) + barbell_mass_kg * (G_MPS2 + bar_ay_mps2)
