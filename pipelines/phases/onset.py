"""Sub-frame onset of a movement from rest, by fitting rest-then-polynomial to unfiltered heights.

A threshold on a filtered signal fires late (the bar must first rise past the noise) or early (a
zero-phase filter spreads the onset backwards). The force on the bar changes continuously, so its
acceleration builds up from zero when it leaves rest: near the onset the height follows
``h = r + c3 * lag^3 + c4 * lag^4`` with ``lag = max(0, t - t0)`` (the quartic term absorbs the
acceleration's bend over a window long enough to beat the noise). t0 is searched on a quarter-frame
grid with a linear least-squares fit of r, c3, c4 at each candidate.

The same fit, run backwards in time, finds the arrival at rest (``fit_arrival_s``): a stand-up that
ends at zero velocity and zero acceleration approaches its final height as a cubic.
"""

from __future__ import annotations

import numpy as np

POWERS = (3.0, 4.0)
# The jerk's dip is short (~10 frames to its fastest descent): two shape terms over so few moving
# samples trade off against t0, so it is fitted with one power, the better of 2 and 3.
SINGLE_POWERS: tuple[tuple[float, ...], ...] = ((2.0,), (3.0,))
STEPS_PER_FRAME = 4
MIN_SAMPLES = 8


def fit_onset_s(
    t_s: np.ndarray,
    h_m: np.ndarray,
    direction: float,
    bases: tuple[tuple[float, ...], ...] = (POWERS,),
) -> float | None:
    """Onset time (s) of a rise (direction +1) or fall (-1) in samples ``t_s``, ``h_m`` (n,) from rest.

    The window should hold some rest and then the movement's start. NaN samples are ignored; None
    when fewer than MIN_SAMPLES samples are known or no candidate moves the right way. ``bases``: the
    sets of powers of the lag tried (the best fit over all sets wins).
    """
    known = np.isfinite(h_m) & np.isfinite(t_s)
    t, h = t_s[known], direction * h_m[known]
    if t.size < MIN_SAMPLES:
        return None
    dt = float(np.median(np.diff(t)))
    candidates = np.arange(t[0], t[-1] - 3 * dt, dt / STEPS_PER_FRAME)
    best_t, best_cost = None, np.inf
    ones = np.ones_like(t)
    for t0 in candidates:
        lag = np.clip(t - t0, 0.0, None)
        for powers in bases:
            basis = np.stack([ones] + [lag**p for p in powers], axis=1)
            coef, *_ = np.linalg.lstsq(basis, h, rcond=None)
            if coef[1] <= 0:  # the lowest power sets the direction of the movement's start
                continue
            cost = float(np.sum((basis @ coef - h) ** 2))
            if cost < best_cost:
                best_t, best_cost = float(t0), cost
    return best_t


def fit_arrival_s(t_s: np.ndarray, h_m: np.ndarray, direction: float) -> float | None:
    """Time (s) a rise (direction +1) or fall (-1) in ``t_s``, ``h_m`` (n,) comes to rest.

    The window should hold the movement's end and then some rest (time-reversed ``fit_onset_s``).
    """
    onset = fit_onset_s(-t_s[::-1], h_m[::-1], -direction)
    return None if onset is None else -onset


def nearest_frame(t_s: np.ndarray, time_s: float, lo: int, hi: int) -> int:
    """Index in [lo, hi] of the frame nearest ``time_s``."""
    return lo + int(np.argmin(np.abs(t_s[lo : hi + 1] - time_s)))
