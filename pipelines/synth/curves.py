"""Piecewise quintic Hermite curves: C2 by construction, with analytic velocity and acceleration.

Each knot fixes position, velocity and acceleration, so neighbouring pieces agree up to the second
derivative. Between knots the curve is the unique quintic matching both ends.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Knot:
    """One knot of a 1-D curve: time (s), value, first and second time derivative."""

    t_s: float
    value: float
    rate: float = 0.0
    accel: float = 0.0


def rise_between(duration_s: float, v0: float, a0: float, v1: float, a1: float) -> float:
    """Displacement when the *velocity* is the cubic Hermite through (v0, a0) and (v1, a1).

    Using this as the position difference keeps the quintic's velocity free of overshoot.
    """
    return duration_s * (v0 + v1) / 2.0 + duration_s**2 * (a0 - a1) / 12.0


class QuinticCurve:
    """A C2 curve through knots; ``evaluate`` gives value, rate and acceleration at times t_s."""

    def __init__(self, knots: list[Knot]) -> None:
        if len(knots) < 2:
            raise ValueError(f"QuinticCurve needs at least 2 knots, got {len(knots)}")
        times = np.array([k.t_s for k in knots], dtype=np.float64)
        if np.any(np.diff(times) <= 0):
            raise ValueError(f"knot times must increase strictly, got {times.tolist()}")
        self.knots = list(knots)
        self.t_knots_s = times
        # coeffs[i] holds c0..c5 of piece i in the local variable tau = t - t_i.
        self._coeffs = np.array([_piece_coeffs(a, b) for a, b in itertools.pairwise(knots)])

    def evaluate(self, t_s: np.ndarray | float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Value, rate, acceleration at t_s (any shape); held constant outside the knot range."""
        t = np.asarray(t_s, dtype=np.float64)
        first, last = self.knots[0], self.knots[-1]
        clamped = np.clip(t, self.t_knots_s[0], self.t_knots_s[-1])
        idx = np.clip(np.searchsorted(self.t_knots_s, clamped, side="right") - 1, 0, len(self._coeffs) - 1)
        tau = clamped - self.t_knots_s[idx]
        c = self._coeffs[idx]
        c0, c1, c2, c3, c4, c5 = (c[..., i] for i in range(6))
        value = c0 + tau * (c1 + tau * (c2 + tau * (c3 + tau * (c4 + tau * c5))))
        rate = c1 + tau * (2 * c2 + tau * (3 * c3 + tau * (4 * c4 + tau * 5 * c5)))
        accel = 2 * c2 + tau * (6 * c3 + tau * (12 * c4 + tau * 20 * c5))
        # Outside the knots the curve continues at the end value with the end rate extrapolated
        # only if it is zero; lifts start and end at rest, so hold position.
        before, after = t < self.t_knots_s[0], t > self.t_knots_s[-1]
        value = np.where(before, first.value, np.where(after, last.value, value))
        rate = np.where(before | after, 0.0, rate)
        accel = np.where(before | after, 0.0, accel)
        return value, rate, accel


def _piece_coeffs(a: Knot, b: Knot) -> np.ndarray:
    """Coefficients c0..c5 of the quintic matching (value, rate, accel) at both ends."""
    h = b.t_s - a.t_s
    c0, c1, c2 = a.value, a.rate, a.accel / 2.0
    # Solve the 3x3 system for c3, c4, c5 from the end conditions.
    m = np.array([[h**3, h**4, h**5], [3 * h**2, 4 * h**3, 5 * h**4], [6 * h, 12 * h**2, 20 * h**3]])
    rhs = np.array(
        [
            b.value - (c0 + c1 * h + c2 * h**2),
            b.rate - (c1 + 2 * c2 * h),
            b.accel - 2 * c2,
        ]
    )
    c3, c4, c5 = np.linalg.solve(m, rhs)
    return np.array([c0, c1, c2, c3, c4, c5])
