"""Named time channels built knot by knot, then frozen into C2 quintic curves."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from pipelines.synth.curves import Knot, QuinticCurve

# What a lifter's body follows besides the bar (see body.py for their meaning).
BODY_CHANNELS = (
    "hip_x",
    "hip_y",
    "lean_deg",
    "lank_x",
    "rank_x",
    "lheel_m",
    "rheel_m",
    "grip",
    "elbow_fwd",
)


class ChannelBuilder:
    """Collects knots per channel. A knot given as a float is at rest (zero rate and acceleration)."""

    def __init__(self) -> None:
        self._knots: dict[str, list[Knot]] = defaultdict(list)

    def key(self, t_s: float, **values: float | tuple[float, float, float]) -> None:
        for name, v in values.items():
            knot = Knot(t_s, *v) if isinstance(v, tuple) else Knot(t_s, float(v))
            knots = self._knots[name]
            if knots and abs(knots[-1].t_s - t_s) < 1e-9:
                knots[-1] = knot
            elif knots and knots[-1].t_s > t_s:
                raise ValueError(
                    f"channel {name}: knot at {t_s:.4f} s before the last one at {knots[-1].t_s:.4f} s"
                )
            else:
                knots.append(knot)

    def last(self, name: str) -> Knot:
        return self._knots[name][-1]

    def value(self, name: str) -> float:
        return self._knots[name][-1].value

    def hold(self, t_s: float, names: tuple[str, ...] | None = None) -> None:
        """Pin channels at rest on their last value at t_s (nothing moves before then)."""
        for name in names or tuple(self._knots):
            if self._knots[name][-1].t_s < t_s - 1e-9:
                self.key(t_s, **{name: self.value(name)})

    def build(self) -> dict[str, QuinticCurve]:
        out: dict[str, QuinticCurve] = {}
        for name, knots in self._knots.items():
            # A constant channel still needs two knots.
            padded = knots if len(knots) > 1 else [knots[0], Knot(knots[0].t_s + 1.0, knots[0].value)]
            out[name] = QuinticCurve(padded)
        return out


def sample(curves: dict[str, QuinticCurve], t_s: np.ndarray) -> dict[str, np.ndarray]:
    """Value of every channel at t_s (n,) -> {name: (n,)}."""
    return {name: curve.evaluate(t_s)[0] for name, curve in curves.items()}
