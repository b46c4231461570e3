"""The canonical joint set every pose backend maps onto.

Codes follow the export keys of the API (joint code + x/y/v, e.g. ``lknex``); the order here is the
column order of every keypoint array ``(n_frames, N_JOINTS, ...)`` in the project.
"""

from __future__ import annotations

from typing import Final

JOINTS: Final[tuple[str, ...]] = (
    "nose",
    "lsho", "rsho",
    "lelb", "relb",
    "lwri", "rwri",
    "lhip", "rhip",
    "lkne", "rkne",
    "lank", "rank",
    "lhee", "rhee",
    "ltoe", "rtoe",
)
N_JOINTS: Final[int] = len(JOINTS)
JOINT_INDEX: Final[dict[str, int]] = {name: i for i, name in enumerate(JOINTS)}

JOINT_NAMES: Final[dict[str, str]] = {
    "nose": "nose",
    "lsho": "left shoulder", "rsho": "right shoulder",
    "lelb": "left elbow", "relb": "right elbow",
    "lwri": "left wrist", "rwri": "right wrist",
    "lhip": "left hip", "rhip": "right hip",
    "lkne": "left knee", "rkne": "right knee",
    "lank": "left ankle", "rank": "right ankle",
    "lhee": "left heel", "rhee": "right heel",
    "ltoe": "left toe (foot index)", "rtoe": "right toe (foot index)",
}

# Bones drawn on overlays and used for segment lengths.
BONES: Final[tuple[tuple[str, str], ...]] = (
    ("lsho", "rsho"), ("lhip", "rhip"),
    ("lsho", "lelb"), ("lelb", "lwri"), ("rsho", "relb"), ("relb", "rwri"),
    ("lsho", "lhip"), ("rsho", "rhip"),
    ("lhip", "lkne"), ("lkne", "lank"), ("rhip", "rkne"), ("rkne", "rank"),
    ("lank", "lhee"), ("lhee", "ltoe"), ("lank", "ltoe"),
    ("rank", "rhee"), ("rhee", "rtoe"), ("rank", "rtoe"),
)
