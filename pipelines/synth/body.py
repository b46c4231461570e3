"""Joint positions of the lifter (3-D, metres) from the body channels and the bar.

World frame: x forward (the lifter faces +x), y up, z toward the camera; the lifter's right side
(+z) is the near side. Legs and arms are two-link chains solved with a pole direction (knees
forward, elbows back in the pull and forward in the rack).
"""

from __future__ import annotations

import numpy as np

from pipelines.synth.anthropometry import Anthropometry
from services.inference.joints import JOINT_INDEX, N_JOINTS

# Extra drawing points beyond the canonical joints, appended after them.
EXTRA_POINTS = ("neck", "head", "lhand", "rhand")
N_POINTS = N_JOINTS + len(EXTRA_POINTS)
POINT_INDEX = {**JOINT_INDEX, **{name: N_JOINTS + i for i, name in enumerate(EXTRA_POINTS)}}


def two_link(
    root: np.ndarray, end: np.ndarray, l1: float, l2: float, pole: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Middle joint of a chain root->end with segment lengths l1, l2, bent toward ``pole``.

    root, end, pole: (n, 3). Returns (middle (n, 3), reached end (n, 3)); an end out of reach is
    pulled in along the root->end line so the chain never stretches.
    """
    d_vec = end - root
    d = np.linalg.norm(d_vec, axis=1, keepdims=True)
    d_safe = np.maximum(d, 1e-9)
    u = d_vec / d_safe
    reach = np.clip(d, abs(l1 - l2) + 1e-6, l1 + l2 - 1e-6)
    end_reached = root + u * reach
    a = (l1**2 - l2**2 + reach**2) / (2 * reach)
    h = np.sqrt(np.maximum(l1**2 - a**2, 0.0))
    w = pole - np.sum(pole * u, axis=1, keepdims=True) * u
    w = w / np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1e-9)
    return root + a * u + h * w, end_reached


def _reachable_lean(
    anthro: Anthropometry, ch: dict[str, np.ndarray], bar_xy_m: np.ndarray, reach_m: float
) -> np.ndarray:
    """Trunk lean (rad, (n,)) nearest the channel's that keeps the gripping hands on the bar.

    Between key poses the interpolated trunk can drift out of arm's reach; the shoulder is kept
    within ``reach_m`` of the bar by clamping the lean to the reachable arc around the hip.
    """
    lean = np.radians(ch["lean_deg"])
    dx, dy = bar_xy_m[:, 0] - ch["hip_x"], bar_xy_m[:, 1] - ch["hip_y"]
    d = np.maximum(np.hypot(dx, dy), 1e-9)
    t = anthro.trunk_m
    phi = np.arctan2(dx, dy)
    cos_lim = (d**2 + t**2 - reach_m**2) / (2 * t * d)
    half_arc = np.arccos(np.clip(cos_lim, -1.0, 1.0))
    off = (lean - phi + np.pi) % (2 * np.pi) - np.pi
    clamped = phi + np.clip(off, -half_arc, half_arc)
    return np.where(ch["grip"] > 0.5, clamped, lean)


def solve_body(
    anthro: Anthropometry,
    ch: dict[str, np.ndarray],
    bar_xy_m: np.ndarray,
    grip_half_m: float,
) -> np.ndarray:
    """All points (canonical joints then EXTRA_POINTS) for n instants.

    ch: body channels sampled at n times, each (n,). bar_xy_m: (n, 2) bar axis position.
    Returns (n, N_POINTS, 3) in metres.
    """
    a = anthro
    n = bar_xy_m.shape[0]
    out = np.zeros((n, N_POINTS, 3))
    lean = _reachable_lean(anthro, ch, bar_xy_m, anthro.sagittal_reach_m(grip_half_m) * 0.995)
    trunk_u = np.stack([np.sin(lean), np.cos(lean), np.zeros(n)], axis=1)
    hip_c = np.stack([ch["hip_x"], ch["hip_y"], np.zeros(n)], axis=1)
    sho_c = hip_c + a.trunk_m * trunk_u
    fwd = np.array([1.0, 0.0, 0.0])
    up = np.array([0.0, 1.0, 0.0])
    for side, sign in (("l", -1.0), ("r", 1.0)):
        lat = np.array([0.0, 0.0, sign])
        hip = hip_c + a.hip_half_m * lat
        sho = sho_c + a.shoulder_half_m * lat
        # Foot: a rigid triangle rolled about the toe by the heel lift.
        toe_x = ch[f"{side}ank_x"] + a.toe_forward_m
        foot_len = a.toe_forward_m + a.heel_back_m
        lift = np.clip(ch[f"{side}heel_m"], 0.0, 0.8 * foot_len)
        beta = np.arcsin(lift / foot_len)
        toe = np.stack([toe_x, np.full(n, 0.012 * a.height_m), np.full(n, sign * a.foot_half_m)], axis=1)
        cb, sb = np.cos(beta), np.sin(beta)

        def rolled(
            dx: float, dy: float, toe: np.ndarray = toe, cb: np.ndarray = cb, sb: np.ndarray = sb
        ) -> np.ndarray:
            return toe + np.stack([dx * cb - dy * sb, dx * sb + dy * cb, np.zeros(n)], axis=1)

        ankle = rolled(-a.toe_forward_m, a.ankle_height_m - 0.012 * a.height_m)
        heel = rolled(-a.toe_forward_m - a.heel_back_m, 0.0)
        knee_pole = np.tile(fwd + 0.25 * lat, (n, 1))
        knee, ankle = two_link(hip, ankle, a.thigh_m, a.shank_m, knee_pole)
        # Hands: on the bar (grip 1) or hanging beside the thigh (grip 0), blended.
        grip = np.clip(ch["grip"], 0.0, 1.0)[:, None]
        bar_pt = np.stack([bar_xy_m[:, 0], bar_xy_m[:, 1], np.full(n, sign * grip_half_m)], axis=1)
        hang = sho + np.array([0.03 * a.height_m, -a.arm_reach_m * 0.97, 0.03 * sign * a.height_m])
        grip_pt = grip * bar_pt + (1 - grip) * hang
        to_sho = sho - grip_pt
        to_sho /= np.maximum(np.linalg.norm(to_sho, axis=1, keepdims=True), 1e-9)
        wrist_target = grip_pt + a.wrist_to_grip_m * to_sho
        e = np.clip(ch["elbow_fwd"], -1.0, 1.0)[:, None]
        elbow_pole = e * fwd - (1 - np.abs(e)) * 0.5 * up + 0.6 * lat
        elbow, wrist = two_link(sho, wrist_target, a.upper_arm_m, a.forearm_m, elbow_pole)
        hand = wrist + (grip_pt - wrist_target) + a.wrist_to_grip_m * 0.3 * -to_sho
        for name, pts in (
            ("sho", sho),
            ("elb", elbow),
            ("wri", wrist),
            ("hip", hip),
            ("kne", knee),
            ("ank", ankle),
            ("hee", heel),
            ("toe", rolled(0.0, 0.0)),
        ):
            out[:, POINT_INDEX[side + name]] = pts
        out[:, POINT_INDEX[side + "hand"]] = hand
    neck = sho_c + 0.045 * a.height_m * trunk_u
    head_lean = np.radians(ch["lean_deg"] * 0.45)
    head_u = np.stack([np.sin(head_lean), np.cos(head_lean), np.zeros(n)], axis=1)
    head = neck + 0.075 * a.height_m * head_u
    face_fwd = np.stack([np.cos(head_lean), -np.sin(head_lean), np.zeros(n)], axis=1)
    out[:, POINT_INDEX["nose"]] = head + 0.058 * a.height_m * face_fwd - 0.004 * a.height_m * head_u
    out[:, POINT_INDEX["neck"]] = neck
    out[:, POINT_INDEX["head"]] = head
    return out
