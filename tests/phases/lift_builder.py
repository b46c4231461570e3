"""Analytic lifts for tests: bar and stick-figure keypoints from closed-form pieces (no video).

The bar's vertical motion is built from pieces of linearly changing acceleration, so its true velocity
and the event times are known exactly. The pull's acceleration ramps up from zero at lift-off: the
lifter's force rises continuously and equals the bar's weight at the instant it leaves the floor.
Pixels: 2 mm per pixel, y down, the lifter faces image +x.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipelines.types import BarTrack, Calibration, PoseTrack
from services.inference.joints import JOINT_INDEX, N_JOINTS

M_PER_PX = 0.002
FLOOR_Y_PX = 1000.0
PLATE_R_M = 0.225
BAR_X0_PX = 600.0
G = 9.80665

# (duration_s, vertical acceleration at its start and end, m/s^2) of a snatch pull from lift-off to
# the second pull's end; then free flight to the peak.
PULL = ((0.1, 0.0, 2.5), (0.4, 2.5, 2.5), (0.1, -1.0, -1.0), (0.2, 3.5, 3.5))


@dataclass
class Truth:
    events_t_s: list[dict[str, float]] = field(default_factory=list)
    peak_vy_mps: list[float] = field(default_factory=list)
    peak_h_m: list[float] = field(default_factory=list)
    drop_m: list[float] = field(default_factory=list)


def _pull_profile(t_rel: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Height and vy during the pull (t_rel from lift-off); returns also t_peak and t_fastest."""
    h, v, t0, h0, v0 = np.zeros_like(t_rel), np.zeros_like(t_rel), 0.0, 0.0, 0.0
    pieces = [*PULL, (float("inf"), -G, -G)]
    for piece_s, a0, a1 in pieces:
        dur = v0 / G if piece_s == float("inf") else piece_s
        jerk = 0.0 if piece_s == float("inf") else (a1 - a0) / dur
        m = (t_rel >= t0) & (t_rel < t0 + dur)
        tau = t_rel[m] - t0
        h[m] = h0 + v0 * tau + 0.5 * a0 * tau**2 + jerk * tau**3 / 6.0
        v[m] = v0 + a0 * tau + 0.5 * jerk * tau**2
        h0 = h0 + v0 * dur + 0.5 * a0 * dur**2 + jerk * dur**3 / 6.0
        v0, t0 = v0 + a0 * dur + 0.5 * jerk * dur**2, t0 + dur
    fastest = sum(d for d, _, _ in PULL)
    return h, v, t0, fastest


def snatch_heights(t_s: np.ndarray, liftoff_s: float, truth: Truth) -> np.ndarray:
    """Bar height above its rest (m) for one snatch starting at ``liftoff_s``, then a drop."""
    rel = t_s - liftoff_s
    h = np.zeros_like(t_s)
    pull_h, _, t_peak, t_fast = _pull_profile(np.clip(rel, 0, None))
    peak_h = float(_pull_profile(np.array([t_peak - 1e-9]))[0][0])
    on = (rel >= 0) & (rel < t_peak)
    h[on] = pull_h[on]
    # catch: free fall 0.1 s then braked at +g for 0.1 s -> lowest point 0.2 s after the peak
    c = rel - t_peak
    fall = (c >= 0) & (c < 0.1)
    h[fall] = peak_h - 0.5 * G * c[fall] ** 2
    brake = (c >= 0.1) & (c < 0.2)
    cb = c[brake] - 0.1
    h[brake] = peak_h - 0.5 * G * 0.01 - G * 0.1 * cb + 0.5 * G * cb**2
    low = peak_h - G * 0.01
    hold = (c >= 0.2) & (c < 0.6)
    h[hold] = low
    up = (c >= 0.6) & (c < 1.6)
    s = c[up] - 0.6
    h[up] = low + 0.6 * (10 * s**3 - 15 * s**4 + 6 * s**5)  # minimum-jerk stand-up, 1 s
    stand = low + 0.6
    drop_t = np.sqrt(2 * stand / G)
    top = (c >= 1.6) & (c < 2.6)
    h[top] = stand
    falling = (c >= 2.6) & (c < 2.6 + drop_t)
    h[falling] = stand - 0.5 * G * (c[falling] - 2.6) ** 2
    truth.events_t_s.append({
        "start_of_lifting": liftoff_s,
        "second_pull_end": liftoff_s + t_fast,
        "peak_bar_height": liftoff_s + t_peak,
        "catch_end": liftoff_s + t_peak + 0.2,
        "recovery_end": liftoff_s + t_peak + 1.6,
        "first_pull_end": liftoff_s + 0.5,
        "transition_end": liftoff_s + 0.6,
    })
    truth.peak_vy_mps.append(float(sum(d * (a0 + a1) / 2 for d, a0, a1 in PULL)))
    truth.peak_h_m.append(peak_h)
    truth.drop_m.append(G * 0.01)
    return h


def knee_angles(t_s: np.ndarray, liftoffs: list[float]) -> np.ndarray:
    """Knee angle (deg): double knee bend in each pull (max at +0.5 s, re-bend min at +0.6 s)."""
    knee = np.full_like(t_s, 80.0)
    for t0 in liftoffs:
        r = t_s - t0
        knots_t = [0.0, 0.5, 0.6, 0.8, 1.2, 1.6, 2.8, 3.2]
        knots_a = [80.0, 150.0, 135.0, 175.0, 60.0, 60.0, 175.0, 175.0]
        m = (r >= 0) & (r <= 3.2)
        knee[m] = np.interp(r[m], knots_t, knots_a)
    return knee


def build_clip(
    fps: float = 60.0,
    liftoffs: tuple[float, ...] = (1.0,),
    walk_s: float | None = None,
    noise_px: float = 0.0,
    seed: int = 0,
) -> tuple[PoseTrack, BarTrack, Calibration, Truth]:
    """A clip of snatches lifted at ``liftoffs``; optionally the bar is rolled along the floor."""
    duration = max(liftoffs) + 5.0
    t_s = np.arange(0.0, duration, 1.0 / fps)
    truth = Truth()
    h = np.zeros_like(t_s)
    for t0 in liftoffs:
        h = h + snatch_heights(t_s, t0, truth)
    x_m = np.zeros_like(t_s)
    if walk_s is not None:  # roll the bar 0.3 m forward and back on the floor over 2 s
        r = np.clip((t_s - walk_s) / 2.0, 0, 1)
        x_m = 0.3 * np.sin(np.pi * r)
    rng = np.random.default_rng(seed)
    n = t_s.shape[0]
    bar_x = BAR_X0_PX + x_m / M_PER_PX + rng.normal(0, noise_px, n)
    bar_y = FLOOR_Y_PX - (h + PLATE_R_M) / M_PER_PX + rng.normal(0, noise_px, n)
    bar = BarTrack(
        t_s=t_s, x_px=bar_x, y_px=bar_y, radius_px=np.full(n, PLATE_R_M / M_PER_PX),
        confidence=np.ones(n), source=np.array(["detected"] * n, dtype=object),
    )
    pose = stick_figure(t_s, knee_angles(t_s, list(liftoffs)), rng, noise_px)
    calib = Calibration(m_per_px=M_PER_PX, plate_diameter_m=0.45, plate_radius_px=PLATE_R_M / M_PER_PX,
                        yaw_deg=0.0, confidence=0.95)
    return pose, bar, calib, truth


def stick_figure(
    t_s: np.ndarray, knee_deg: np.ndarray, rng: np.random.Generator, noise_px: float
) -> PoseTrack:
    """Side-view keypoints: fixed feet, shin 20 deg forward, thigh from the knee angle, trunk 30 deg."""
    n = t_s.shape[0]
    kp = np.zeros((n, N_JOINTS, 2))
    ankle = np.array([BAR_X0_PX - 0.05 / M_PER_PX, FLOOR_Y_PX - 0.08 / M_PER_PX])

    def along(start: np.ndarray, length_m: float, angle_deg: np.ndarray) -> np.ndarray:
        a = np.radians(angle_deg)
        return start + np.stack([np.sin(a), -np.cos(a)], axis=-1) * (length_m / M_PER_PX)

    shin = np.full(n, 20.0)
    knee = along(np.broadcast_to(ankle, (n, 2)), 0.45, shin)
    hip = along(knee, 0.45, shin - (180.0 - knee_deg))
    shoulder = along(hip, 0.55, np.full(n, 30.0))
    elbow = along(shoulder, 0.3, np.full(n, 170.0))
    wrist = along(elbow, 0.28, np.full(n, 175.0))
    nose = along(shoulder, 0.25, np.full(n, 20.0))
    points = {
        "nose": nose, "sho": shoulder, "elb": elbow, "wri": wrist, "hip": hip, "kne": knee,
        "ank": np.broadcast_to(ankle, (n, 2)),
        "hee": np.broadcast_to(ankle + np.array([-0.06 / M_PER_PX, 0.06 / M_PER_PX]), (n, 2)),
        "toe": np.broadcast_to(ankle + np.array([0.16 / M_PER_PX, 0.07 / M_PER_PX]), (n, 2)),
    }
    for name, xy in points.items():
        codes = [name] if name == "nose" else ["l" + name, "r" + name]
        for code in codes:
            kp[:, JOINT_INDEX[code]] = xy + rng.normal(0, noise_px, (n, 2))
    return PoseTrack(
        t_s=t_s, keypoints_xy_px=kp.astype(np.float32), visibility=np.full((n, N_JOINTS), 0.9, np.float32),
        lifter_found=np.ones(n, bool), filled=np.zeros(n, bool),
    )
