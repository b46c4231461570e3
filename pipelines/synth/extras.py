"""Scene extras: hand-held camera shake and a bystander walking through behind the lifter."""

from __future__ import annotations

import numpy as np

from pipelines.synth.anthropometry import Anthropometry
from pipelines.synth.body import solve_body
from pipelines.synth.channels import ChannelBuilder, sample
from pipelines.synth.curves import QuinticCurve

BYSTANDER_Z_M = -2.2


class Shake:
    """Smooth random image translation (sum of a few sinusoids, 0.4-3 Hz) with a given RMS in px."""

    def __init__(self, rms_px: float, rng: np.random.Generator) -> None:
        self.rms_px = rms_px
        self.freq_hz = rng.uniform(0.4, 3.0, (2, 4))
        self.phase = rng.uniform(0, 2 * np.pi, (2, 4))
        self.amp = rng.uniform(0.5, 1.0, (2, 4))

    def offsets_px(self, t_s: np.ndarray) -> np.ndarray:
        """(n,) times -> (n, 2) translations in px."""
        t = np.asarray(t_s, dtype=np.float64)[:, None, None]
        waves = self.amp * np.sin(2 * np.pi * self.freq_hz * t + self.phase)  # (n, 2, 4)
        norm = np.sqrt(np.sum(self.amp**2, axis=1) / 2.0)  # RMS of each axis' sum
        return self.rms_px * np.sum(waves, axis=2) / norm / np.sqrt(2.0)


def bystander_channels(
    start_t_s: float, x_from_m: float, x_to_m: float, height_m: float
) -> dict[str, QuinticCurve]:
    """A person walking in +x at about 1.3 m/s (alternate steps), hands hanging."""
    a = Anthropometry(height_m)
    b = ChannelBuilder()
    step_m, step_s = 0.7, 0.5
    t = start_t_s
    feet = {"lank_x": x_from_m, "rank_x": x_from_m}
    b.key(
        t,
        hip_x=x_from_m,
        hip_y=a.standing_hip_m - 0.01 * height_m,
        lean_deg=4.0,
        grip=0.0,
        elbow_fwd=-0.2,
        lheel_m=0.0,
        rheel_m=0.0,
        **feet,
    )
    side = "rank_x"
    while feet[side] < x_to_m:
        t += step_s
        feet[side] = max(feet.values()) + step_m
        b.key(t, **{side: feet[side]})
        b.key(t, hip_x=(feet["lank_x"] + feet["rank_x"]) / 2 + 0.15)
        side = "lank_x" if side == "rank_x" else "rank_x"
    return b.build()


def bystander_points(curves: dict[str, QuinticCurve], t_s: np.ndarray, height_m: float) -> np.ndarray:
    """(n,) times -> (n, N_POINTS, 3) world points of the bystander."""
    ch = sample(curves, t_s)
    # Feet off the floor while they swing: lift proportional to foot speed.
    for side in ("l", "r"):
        speed = np.abs(curves[f"{side}ank_x"].evaluate(t_s)[1])
        ch[f"{side}heel_m"] = np.minimum(0.05 * speed, 0.08)
    bar = np.stack([ch["hip_x"], ch["hip_y"]], axis=1)
    pts = solve_body(Anthropometry(height_m), ch, bar, 0.3)
    pts[..., 2] += BYSTANDER_Z_M
    return pts
