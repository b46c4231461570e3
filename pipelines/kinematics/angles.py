"""2D sagittal joint angles from keypoints (degrees). Definitions are in docs/metrics.md.

Flexion angles are the interior angle at the joint between its two segments, 0-180 degrees:
knee (hip-knee-ankle), hip (shoulder-hip-knee) and elbow (shoulder-elbow-wrist) read 180 when straight;
shoulder (hip-shoulder-elbow) reads 0 with the arm along the trunk and 180 with it straight overhead;
ankle (knee-ankle-toe) reads about 90 standing, less when the shin leans over the foot.
Segment angles to the vertical are signed by the facing direction: positive leans forward.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from pipelines.kinematics.frame import bilateral_xy, joint_xy
from pipelines.types import PoseTrack

# joint code -> (proximal point, vertex, distal point), for both sides via the "l"/"r" prefix.
ANGLE_TRIPLETS: Final[dict[str, tuple[str, str, str]]] = {
    "ank": ("kne", "ank", "toe"),
    "kne": ("hip", "kne", "ank"),
    "hip": ("sho", "hip", "kne"),
    "elb": ("sho", "elb", "wri"),
    "sho": ("hip", "sho", "elb"),
}
# body_joint_angles choice -> joint code
JOINT_CHOICES: Final[dict[str, str]] = {
    "ankle": "ank",
    "knee": "kne",
    "hip": "hip",
    "elbow": "elb",
    "shoulder": "sho",
}
ANGLE_COLUMNS: Final[tuple[str, ...]] = tuple(
    f"{side}{code}_angle_deg" for code in ("ank", "kne", "hip", "elb", "sho") for side in ("l", "r")
)


def interior_angle_deg(a: np.ndarray, vertex: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(n,) angle a-vertex-b in degrees in [0, 180] from three (n, 2) point arrays; NaN if unknown."""
    u = a - vertex
    v = b - vertex
    cross = u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
    dot = np.sum(u * v, axis=1)
    return np.degrees(np.abs(np.arctan2(cross, dot)))


def angle_to_vertical_deg(lower: np.ndarray, upper: np.ndarray, forward: int) -> np.ndarray:
    """(n,) signed angle of the segment lower->upper from image vertical (pixels, y down).

    0 = upper point straight above the lower one; positive = upper point ahead in the facing direction.
    """
    dx = forward * (upper[:, 0] - lower[:, 0])
    up = lower[:, 1] - upper[:, 1]
    return np.degrees(np.arctan2(dx, up))


def joint_angle_deg(pose: PoseTrack, side: str, code: str) -> np.ndarray:
    """(n,) raw (unfiltered) angle for one side ("l"/"r") and joint code (e.g. "kne")."""
    prox, vertex, dist = ANGLE_TRIPLETS[code]
    return interior_angle_deg(
        joint_xy(pose, side + prox), joint_xy(pose, side + vertex), joint_xy(pose, side + dist)
    )


def selected_codes(joint_angles: list[str] | tuple[str, ...]) -> set[str]:
    """Joint codes for the session's body_joint_angles choice; 'all' selects every joint."""
    chosen: set[str] = set()
    for name in joint_angles:
        key = name.strip().lower()
        if key == "all":
            return set(JOINT_CHOICES.values())
        if key not in JOINT_CHOICES:
            expected = f"one of {sorted(JOINT_CHOICES)} or 'all'"
            raise ValueError(f"body_joint_angles: expected {expected}, got {name!r}")
        chosen.add(JOINT_CHOICES[key])
    return chosen


def torso_angle_deg(pose: PoseTrack, forward: int) -> np.ndarray:
    """(n,) mid-hip -> mid-shoulder angle to vertical; positive = trunk leaning forward."""
    return angle_to_vertical_deg(bilateral_xy(pose, "hip"), bilateral_xy(pose, "sho"), forward)


def shin_angle_deg(pose: PoseTrack, forward: int) -> np.ndarray:
    """(n,) mid-ankle -> mid-knee angle to vertical; positive = knees ahead of the ankles."""
    return angle_to_vertical_deg(bilateral_xy(pose, "ank"), bilateral_xy(pose, "kne"), forward)
