"""Sub-frame onset of a movement from rest, by fitting rest-then-power-law to unfiltered heights.

A threshold on a filtered signal fires late (the bar must first rise past the noise) or early (a
zero-phase filter spreads the onset backwards). Fitting ``h = r + c * max(0, t - t0)^p`` for p = 2
(the bar breaks off with a jump in acceleration) and p = 3 (acceleration builds up from zero) over a
short window before the movement is clear of the noise finds t0 without either bias.
"""

from __future__ import annotations

import numpy as np

POWERS = (2.0, 3.0)
STEPS_PER_FRAME = 4


def fit_onset_s(t_s: np.ndarray, h_m: np.ndarray, direction: float) -> float | None:
    """Onset time (s) of a rise (direction +1) or fall (-1) in samples ``t_s``, ``h_m`` (n,) from rest.

    The window should hold some rest and end while the movement is still accelerating. NaN samples
    are ignored; None when fewer than six samples are known.
    """
    known = np.isfinite(h_m) & np.isfinite(t_s)
    t, h = t_s[known], direction * h_m[known]
    if t.size < 6:
        return None
    dt = float(np.median(np.diff(t)))
    candidates = np.arange(t[0], t[-1] - 2 * dt, dt / STEPS_PER_FRAME)
    best_t, best_cost = None, np.inf
    ones = np.ones_like(t)
    for t0 in candidates:
        lag = np.clip(t - t0, 0.0, None)
        for p in POWERS:
            basis = np.stack([ones, lag**p], axis=1)
            coef, *_ = np.linalg.lstsq(basis, h, rcond=None)
            if coef[1] <= 0:
                continue
            cost = float(np.sum((basis @ coef - h) ** 2))
            if cost < best_cost:
                best_t, best_cost = float(t0), cost
    return best_t


def nearest_frame(t_s: np.ndarray, time_s: float, lo: int, hi: int) -> int:
    """Index in [lo, hi] of the frame nearest ``time_s``."""
    return lo + int(np.argmin(np.abs(t_s[lo : hi + 1] - time_s)))
