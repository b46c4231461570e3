"""Find the lifts in a clip from the bar's height: a lift-off followed by a substantial rise.

Walking the bar, setting up and small pulls never raise it far enough; a dropped bar's bounces do not
either, and they are not preceded by the bar resting on the floor. A clean and jerk stays one lift
because the bar never returns to the floor between the clean and the jerk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.phases.onset import fit_onset_s, nearest_frame

FLOOR_PERCENTILE = 2.0  # the bar rests on the floor for part of any clip that holds a lift
DEFAULT_MIN_RISE_M = 0.65  # bar centre must rise this far above its resting height to count as a lift
MIN_RISE_SHARE_OF_HEIGHT = 0.37  # ... or this share of the lifter's height when it is known
NEAR_FLOOR_M = 0.10  # "back on the floor" for ending a lift and for merging broken high stretches
LIFTOFF_RISE_M = 0.03  # the onset search starts below this height above the resting level
# The onset fit's window ends where the bar is this far up (12 cm: worst lift-off error 1.85 frames at
# 60 fps and 0.5 px bar noise; 15 cm: 1.0; on the real gym snatches it moves by at most a frame) ...
ONSET_FIT_RISE_M = 0.15
ONSET_FIT_WINDOW_S = 0.8  # ... and starts this long before (rest, then the first ~0.3 s of the pull)
ONSET_VY_MPS = 0.05  # lift-off: the last frame before the bar's rise speed exceeds this
REST_SPEED_MPS = 0.10  # the bar counts as resting (setup) below this speed, near the floor
MIN_ON_FLOOR_S = 0.2  # a lift starts from a bar seen on the floor this long (a track jump does not)


@dataclass(frozen=True, slots=True)
class LiftWindow:
    """Frame indices of one lift: setup start, lift-off, first frame above the rise, window end."""

    setup_start: int
    liftoff: int
    rise: int
    end: int  # last frame of the lift's window (bar back near the floor, or the clip's last frame)


def floor_level_m(h_m: np.ndarray) -> float:
    """The bar's resting height in the same frame as ``h_m`` (n,): a low percentile of it."""
    known = h_m[np.isfinite(h_m)]
    return float(np.percentile(known, FLOOR_PERCENTILE)) if known.size else float("nan")


def min_rise_m(lifter_height_m: float | None) -> float:
    if lifter_height_m is None or not np.isfinite(lifter_height_m) or lifter_height_m <= 0:
        return DEFAULT_MIN_RISE_M
    return float(np.clip(MIN_RISE_SHARE_OF_HEIGHT * lifter_height_m, 0.5, 0.8))


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open [start, stop) runs where mask (n,) is True."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _merge_runs(runs: list[tuple[int, int]], rel_m: np.ndarray) -> list[tuple[int, int]]:
    """Join high stretches that the bar did not visibly leave for the floor between (lost frames)."""
    merged: list[tuple[int, int]] = []
    for run in runs:
        if merged:
            between = rel_m[merged[-1][1] : run[0]]
            if not np.any(between[np.isfinite(between)] < NEAR_FLOOR_M):
                merged[-1] = (merged[-1][0], run[1])
                continue
        merged.append(run)
    return merged


def _liftoff(
    *, rel_m: np.ndarray, raw_m: np.ndarray, vy_mps: np.ndarray, t_s: np.ndarray, rise: int, earliest: int
) -> int:
    """Lift-off frame: the onset fit on raw heights, else a speed threshold on the filtered rate."""
    hi = rise
    while hi - 1 >= earliest and np.isfinite(rel_m[hi - 1]) and rel_m[hi - 1] > ONSET_FIT_RISE_M:
        hi -= 1
    lo = max(earliest, int(np.searchsorted(t_s, t_s[hi] - ONSET_FIT_WINDOW_S)))
    onset_s = fit_onset_s(t_s[lo : hi + 1], raw_m[lo : hi + 1], direction=1.0)
    if onset_s is not None:
        return nearest_frame(t_s, onset_s, lo, hi)
    return _liftoff_by_speed(rel_m, vy_mps, t_s, rise, earliest)


def _liftoff_by_speed(
    rel_m: np.ndarray, vy_mps: np.ndarray, t_s: np.ndarray, rise: int, earliest: int
) -> int:
    i = rise
    while i - 1 >= earliest and np.isfinite(rel_m[i - 1]) and rel_m[i - 1] > LIFTOFF_RISE_M:
        i -= 1
    while i - 1 >= earliest and np.isfinite(vy_mps[i - 1]) and vy_mps[i - 1] > ONSET_VY_MPS:
        i -= 1
    # i is the first frame rising faster than the onset speed. Extrapolate its speed back to zero
    # along the slope of the next frames: the frame nearest that instant is the lift-off.
    j = min(i + 2, rel_m.shape[0] - 1)
    if j > i and np.isfinite(vy_mps[j]) and vy_mps[j] > vy_mps[i]:
        slope = (vy_mps[j] - vy_mps[i]) / (t_s[j] - t_s[i])
        onset_s = t_s[i] - vy_mps[i] / slope
        i = int(np.argmin(np.abs(t_s[earliest : i + 1] - onset_s))) + earliest
    return i


def _setup_start(rel_m: np.ndarray, speed_mps: np.ndarray, liftoff: int, earliest: int) -> int:
    i = liftoff
    while (
        i - 1 >= earliest
        and np.isfinite(rel_m[i - 1])
        and rel_m[i - 1] < NEAR_FLOOR_M
        and speed_mps[i - 1] < REST_SPEED_MPS
    ):
        i -= 1
    return i


def _seen_on_floor(rel_m: np.ndarray, t_s: np.ndarray, liftoff: int, earliest: int) -> bool:
    """Whether the bar was seen near the floor for MIN_ON_FLOOR_S before lift-off (or since the start)."""
    i = liftoff
    while i - 1 >= earliest and np.isfinite(rel_m[i - 1]) and rel_m[i - 1] < NEAR_FLOOR_M:
        i -= 1
    return i == 0 or t_s[liftoff] - t_s[i] >= MIN_ON_FLOOR_S


def _seen_rising(rel_m: np.ndarray, liftoff: int, rise: int) -> bool:
    """Whether the bar was seen on its way up between the floor and the high stretch (not a jump)."""
    between = rel_m[liftoff:rise]
    return int(np.sum((between > NEAR_FLOOR_M) & np.isfinite(between))) >= 2


def find_lifts(
    t_s: np.ndarray,
    h_m: np.ndarray,
    raw_h_m: np.ndarray,
    vy_mps: np.ndarray,
    speed_mps: np.ndarray,
    *,
    lifter_height_m: float | None,
) -> list[LiftWindow]:
    """Lifts in order. All (n,): times, filtered and raw bar height (any origin), its rate and speed."""
    floor_m = floor_level_m(h_m)
    if not np.isfinite(floor_m):
        return []
    rel_m = h_m - floor_m
    high = np.nan_to_num(rel_m, nan=-1.0) > min_rise_m(lifter_height_m)
    lifts: list[LiftWindow] = []
    previous_end = 0
    for rise, stop in _merge_runs(_runs(high), rel_m):
        if rise < previous_end:
            continue
        liftoff = _liftoff(
            rel_m=rel_m, raw_m=raw_h_m, vy_mps=vy_mps, t_s=t_s, rise=rise, earliest=previous_end
        )
        near_floor = np.flatnonzero(np.nan_to_num(rel_m[stop:], nan=np.inf) < NEAR_FLOOR_M)
        end = stop + int(near_floor[0]) if near_floor.size else h_m.shape[0] - 1
        setup = _setup_start(rel_m, speed_mps, liftoff, previous_end)
        if not _seen_on_floor(rel_m, t_s, liftoff, previous_end) or not _seen_rising(rel_m, liftoff, rise):
            continue  # not lifted from the floor: the track jumped (e.g. to a plate on a rack)
        lifts.append(LiftWindow(setup_start=setup, liftoff=liftoff, rise=rise, end=end))
        previous_end = end + 1
    return lifts
