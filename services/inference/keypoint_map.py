"""Map a model's own keypoint layout onto the canonical joints (services/inference/joints.py)."""

from __future__ import annotations

import numpy as np

from services.inference.joints import N_JOINTS


def to_canonical(
    layout_xy_px: np.ndarray, layout_scores: np.ndarray, index_per_joint: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """layout_xy_px: (K, 2), layout_scores: (K,), index_per_joint: (N_JOINTS,) with -1 for joints the
    model lacks. Returns ((N_JOINTS, 2) float32 with NaN for missing joints, (N_JOINTS,) float32 scores in
    [0, 1], 0 for missing): a missing joint is reported missing, never guessed from its neighbours."""
    if index_per_joint.shape != (N_JOINTS,):
        raise ValueError(f"index_per_joint: expected ({N_JOINTS},), got {index_per_joint.shape}")
    have = index_per_joint >= 0
    xy = np.full((N_JOINTS, 2), np.nan, dtype=np.float32)
    scores = np.zeros(N_JOINTS, dtype=np.float32)
    xy[have] = layout_xy_px[index_per_joint[have]]
    scores[have] = np.clip(layout_scores[index_per_joint[have]], 0.0, 1.0)
    return xy, scores
