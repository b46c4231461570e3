"""Key poses of the lifter as body-channel values, solved so that the hands stay on the bar.

World frame: x forward (the lifter faces +x, image right), y up from the floor, metres.
``lean_deg`` is the trunk angle from vertical, positive leaning forward.
"""

from __future__ import annotations

import math

from pipelines.synth.anthropometry import Anthropometry

Point = tuple[float, float]


def trunk_dir(lean_deg: float) -> Point:
    rad = math.radians(lean_deg)
    return math.sin(rad), math.cos(rad)


def straight_arm_lean(hip: Point, bar: Point, trunk_m: float, reach_m: float, hint_deg: float) -> float:
    """Trunk lean that puts the shoulder at ``reach_m`` from the bar (arms straight).

    Two solutions exist (circle intersections); the one nearest ``hint_deg`` wins. When the bar is
    out of reach the trunk points at it (the closest the lifter can get).
    """
    dx, dy = bar[0] - hip[0], bar[1] - hip[1]
    d = math.hypot(dx, dy)
    if d < 1e-9:
        return hint_deg
    if d >= trunk_m + reach_m or d <= abs(trunk_m - reach_m):
        return math.degrees(math.atan2(dx, dy))
    a = (trunk_m**2 - reach_m**2 + d**2) / (2 * d)
    h = math.sqrt(max(trunk_m**2 - a**2, 0.0))
    ux, uy = dx / d, dy / d
    candidates = []
    for sign in (1.0, -1.0):
        sx, sy = a * ux - sign * h * uy, a * uy + sign * h * ux
        candidates.append(math.degrees(math.atan2(sx, sy)))
    return min(candidates, key=lambda c: abs(c - hint_deg))


def pull_pose(
    anthro: Anthropometry,
    bar: Point,
    hip: Point,
    hint_deg: float,
    reach_m: float,
    ankle_x: float,
    heel_m: float = 0.0,
) -> dict[str, float]:
    """A pulling pose: hip where asked, trunk solved for straight arms, hands on the bar."""
    lean = straight_arm_lean(hip, bar, anthro.trunk_m, reach_m * 0.995, hint_deg)
    return {
        "hip_x": hip[0],
        "hip_y": hip[1],
        "lean_deg": lean,
        "lank_x": ankle_x,
        "rank_x": ankle_x,
        "lheel_m": heel_m,
        "rheel_m": heel_m,
        "grip": 1.0,
        "elbow_fwd": -0.6,
    }


def overhead_pose(
    anthro: Anthropometry,
    bar: Point,
    reach_m: float,
    lean_deg: float,
    arm_deg: float,
    ankle_x: float,
    min_hip_y: float,
) -> dict[str, float]:
    """Bar locked out overhead: the shoulder hangs under the bar, the hip under the shoulder.

    arm_deg: arm angle from vertical, negative when the shoulder is ahead of the bar.
    """
    ax, ay = math.sin(math.radians(arm_deg)), math.cos(math.radians(arm_deg))
    sx, sy = bar[0] - reach_m * 0.99 * ax, bar[1] - reach_m * 0.99 * ay
    tx, ty = trunk_dir(lean_deg)
    hip_x, hip_y = sx - anthro.trunk_m * tx, max(sy - anthro.trunk_m * ty, min_hip_y)
    return {
        "hip_x": hip_x,
        "hip_y": hip_y,
        "lean_deg": lean_deg,
        "lank_x": ankle_x,
        "rank_x": ankle_x,
        "lheel_m": 0.0,
        "rheel_m": 0.0,
        "grip": 1.0,
        "elbow_fwd": -0.3,
    }


def rack_offset(anthro: Anthropometry) -> Point:
    """Bar centre relative to the shoulder joint in the front rack (on the front deltoids)."""
    return 0.045 * anthro.height_m, 0.015 * anthro.height_m


def rack_pose(
    anthro: Anthropometry, bar: Point, lean_deg: float, ankle_x: float, min_hip_y: float
) -> dict[str, float]:
    """Bar resting on the shoulders, elbows high and forward."""
    ox, oy = rack_offset(anthro)
    tx, ty = trunk_dir(lean_deg)
    sx, sy = bar[0] - ox, bar[1] - oy
    return {
        "hip_x": sx - anthro.trunk_m * tx,
        "hip_y": max(sy - anthro.trunk_m * ty, min_hip_y),
        "lean_deg": lean_deg,
        "lank_x": ankle_x,
        "rank_x": ankle_x,
        "lheel_m": 0.0,
        "rheel_m": 0.0,
        "grip": 1.0,
        "elbow_fwd": 1.0,
    }


def standing_pose(anthro: Anthropometry, ankle_x: float, grip: float = 0.0) -> dict[str, float]:
    """Standing tall, arms hanging (grip 0) or holding the bar (grip 1)."""
    return {
        "hip_x": ankle_x + 0.005 * anthro.height_m,
        "hip_y": anthro.standing_hip_m - 0.004 * anthro.height_m,
        "lean_deg": 2.0,
        "lank_x": ankle_x,
        "rank_x": ankle_x,
        "lheel_m": 0.0,
        "rheel_m": 0.0,
        "grip": grip,
        "elbow_fwd": -0.2,
    }


def standing_overhead_bar(anthro: Anthropometry, reach_m: float, ankle_x: float) -> Point:
    """Where the bar is when the lifter stands tall with it locked out overhead."""
    pose = standing_pose(anthro, ankle_x)
    tx, ty = trunk_dir(-2.0)
    sx = pose["hip_x"] + anthro.trunk_m * tx
    sy = pose["hip_y"] + anthro.trunk_m * ty
    arm = math.radians(-4.0)  # bar slightly behind the shoulder joint, over the mid-foot
    return sx + reach_m * 0.99 * math.sin(arm), sy + reach_m * 0.99 * math.cos(arm)


def standing_rack_bar(anthro: Anthropometry, ankle_x: float) -> Point:
    pose = standing_pose(anthro, ankle_x)
    tx, ty = trunk_dir(3.0)
    ox, oy = rack_offset(anthro)
    return pose["hip_x"] + anthro.trunk_m * tx + ox, pose["hip_y"] + anthro.trunk_m * ty + oy
