"""Events and phases of one lift from the bar's height and rate and the knee angle.

Bar-based events (lift-off, peak velocity, peak height, catch, recovery, the jerk's) need only the bar;
the first pull's end and the transition need the knee angle (double knee bend, Musser et al. 2014)
and fall back to the bar passing the knee when no double knee bend is seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy.signal import find_peaks

from pipelines.phases.onset import SINGLE_POWERS, fit_arrival_s, fit_onset_s, nearest_frame
from pipelines.phases.reps import LiftWindow

PULL_EVENTS: Final[tuple[str, ...]] = (
    "start_of_lifting",
    "first_pull_end",
    "transition_end",
    "second_pull_end",
    "peak_bar_height",
    "catch_end",
    "recovery_end",
)
JERK_EVENTS: Final[tuple[str, ...]] = (
    "jerk_dip_start",
    "jerk_drive_start",
    "jerk_drive_end",
    "jerk_catch",
    "jerk_recovery_end",
)
# phase -> (start event, end event); "setup" starts at the rep's start.
PHASES: Final[dict[str, tuple[str, str]]] = {
    "first_pull": ("start_of_lifting", "first_pull_end"),
    "transition": ("first_pull_end", "transition_end"),
    "second_pull": ("transition_end", "second_pull_end"),
    "turnover": ("second_pull_end", "peak_bar_height"),
    "catch": ("peak_bar_height", "catch_end"),
    "recovery": ("catch_end", "recovery_end"),
    "jerk_dip": ("jerk_dip_start", "jerk_drive_start"),
    "jerk_drive": ("jerk_drive_start", "jerk_drive_end"),
    "jerk_split": ("jerk_drive_end", "jerk_catch"),
    "jerk_recovery": ("jerk_catch", "jerk_recovery_end"),
}
EXERCISES: Final[tuple[str, ...]] = ("snatch", "clean", "clean_and_jerk")

CATCH_REBOUND_M = 0.03  # the catch ends at the lowest point before the bar rises this much again
JERK_CATCH_REBOUND_M = 0.01
STAND_BAND_M = 0.01  # the standing height: median of the bar heights within this of its top ...
STAND_TOLERANCE_M = 0.003  # recovered: bar within this of the standing height ...
STAND_STILL_MPS = 0.05  # ... and moving slower than this
STAND_FIT_DEFICIT_M = 0.10  # the stand-up's arrival is fitted from this far below the standing height ...
STAND_FIT_WINDOW_S = 1.0  # ... over this long (the approach and some standing still)
PEAK_SHARE = 0.98
# The knee's first extension maximum is broad and flat: the middle of the frames within this of it is
# steadier under keypoint noise than its single top frame (2 px joint noise at 60 fps: worst error vs
# the noise-free event 5 -> 3 frames, bench/metrics_accuracy.py `t=ours:first_pull_end`).
KNEE_PEAK_BAND_DEG = 2.0
DIP_FIT_WINDOW_S = 0.5  # the dip's onset is fitted over this long before its fastest descent
LOW_TOLERANCE_M = 0.01  # the catch ends when the bar, this close to its lowest point, ...
LOW_STILL_MPS = 0.05  # ... has stopped descending faster than this
MISSED_BELOW_M = 0.30  # a bar back below this height after its peak was dropped, not caught
KNEE_PEAK_PROMINENCE_DEG = 3.0
DIP_ONSET_VY_MPS = -0.02
MIN_JERK_DRIVE_MPS = 0.8


@dataclass(frozen=True, slots=True)
class LiftSignals:
    """Per-frame inputs, each (n,): bar height above its resting level and its rate, the mean knee
    angle (NaN without pose) and the knee height in the same frame as the bar height."""

    t_s: np.ndarray
    h_m: np.ndarray
    vy_mps: np.ndarray
    knee_angle_deg: np.ndarray
    knee_h_m: np.ndarray
    raw_h_m: np.ndarray | None = None  # unfiltered bar height, same origin as h_m, for onset fits


def _first(mask: np.ndarray, start: int) -> int | None:
    hits = np.flatnonzero(mask[start:])
    return start + int(hits[0]) if hits.size else None


def _argmax(values: np.ndarray, lo: int, hi: int) -> int | None:
    window = values[lo : hi + 1]
    if hi < lo or not np.any(np.isfinite(window)):
        return None
    return lo + int(np.nanargmax(window))


def _lowest_before_rebound(
    h_m: np.ndarray, vy_mps: np.ndarray, start: int, stop: int, rebound_m: float
) -> int:
    """The bar's arrival at its lowest point after ``start`` (before it rises ``rebound_m`` again).

    A bar can rest at its low (a pause in the bottom); the arrival is the first frame near the low
    where it no longer descends, so noise along a flat bottom does not move the event.
    """
    low = start
    for i in range(start, stop + 1):
        if not np.isfinite(h_m[i]):
            continue
        if h_m[i] < h_m[low]:
            low = i
        elif h_m[i] > h_m[low] + rebound_m:
            break
    near = np.nan_to_num(h_m[start : low + 1], nan=np.inf) <= h_m[low] + LOW_TOLERANCE_M
    still = np.nan_to_num(vy_mps[start : low + 1], nan=-np.inf) >= -LOW_STILL_MPS
    arrived = np.flatnonzero(near & still)
    return start + int(arrived[0]) if arrived.size else low


def _stood_up(h_m: np.ndarray, vy_mps: np.ndarray, t_s: np.ndarray, start: int, stop: int) -> int | None:
    """Arrival at the standing height after ``start``: the stand-up's end fitted as a cubic approach to
    rest (``fit_arrival_s``), else the first frame within 3 mm of it and slower than 0.05 m/s."""
    top = _argmax(h_m, start, stop)
    if top is None:
        return None
    window = h_m[start : stop + 1]
    standing_m = float(np.median(window[np.nan_to_num(window, nan=-np.inf) >= h_m[top] - STAND_BAND_M]))
    fitted = _arrival_by_fit(h_m, t_s, start, stop, standing_m)
    if fitted is not None:
        return fitted
    high = np.nan_to_num(h_m, nan=-np.inf) >= standing_m - STAND_TOLERANCE_M
    still = np.nan_to_num(np.abs(vy_mps), nan=np.inf) < STAND_STILL_MPS
    hit = _first(high & still, start)
    return hit if hit is not None and hit <= stop else top


def _arrival_by_fit(h_m: np.ndarray, t_s: np.ndarray, start: int, stop: int, standing_m: float) -> int | None:
    """Fit the last STAND_FIT_DEFICIT_M of the stand-up and up to STAND_FIT_REST_S of standing still."""
    below = np.nan_to_num(h_m, nan=-np.inf) < standing_m - STAND_FIT_DEFICIT_M
    up = np.flatnonzero(~below[start : stop + 1])
    if not up.size:
        return None
    lo = start + int(up[0])
    while lo - 1 >= start and not below[lo - 1]:
        lo -= 1
    lo = max(start, lo - 1)  # one frame still below: the window starts inside the movement
    hi = min(stop, int(np.searchsorted(t_s, t_s[lo] + STAND_FIT_WINDOW_S)))
    dropped = np.flatnonzero(below[lo + 1 : hi + 1])
    if dropped.size:
        hi = lo + int(dropped[0])  # the bar is dropped or lowered again: stop before it
    arrival_s = fit_arrival_s(t_s[lo : hi + 1], h_m[lo : hi + 1], direction=1.0)
    if arrival_s is None or not t_s[lo] < arrival_s < t_s[hi]:
        return None
    return nearest_frame(t_s, arrival_s, lo, hi)


def _velocity_peak(s: LiftSignals, lo: int, hi: int) -> int | None:
    """Frame of peak upward bar velocity: the middle of the frames within 2 % of the maximum.

    The bar's velocity peak is flat-topped; the middle of its top is steadier under noise than the
    single highest frame.
    """
    top = _argmax(s.vy_mps, lo, hi)
    if top is None:
        return None
    near = np.nan_to_num(s.vy_mps, nan=-np.inf) >= PEAK_SHARE * s.vy_mps[top]
    a = top
    while a - 1 >= lo and near[a - 1]:
        a -= 1
    b = top
    while b + 1 <= hi and near[b + 1]:
        b += 1
    return nearest_frame(s.t_s, 0.5 * (s.t_s[a] + s.t_s[b]), a, b)


def pull_events(s: LiftSignals, lift: LiftWindow, stop: int) -> dict[str, int]:
    """Frame index of each snatch/clean event found between lift-off and ``stop`` (inclusive)."""
    events = {"start_of_lifting": lift.liftoff}
    falling = _first(np.nan_to_num(s.vy_mps, nan=1.0) <= 0.0, lift.rise)
    top_end = stop if falling is None else min(falling, stop)
    peak = _argmax(s.h_m, lift.rise, top_end)
    if peak is None:
        return events
    events["peak_bar_height"] = peak
    fastest = _velocity_peak(s, lift.liftoff, peak)
    if fastest is not None:
        events["second_pull_end"] = fastest
        events.update(_knee_events(s, lift.liftoff, fastest))
    catch = _lowest_before_rebound(s.h_m, s.vy_mps, peak, stop, CATCH_REBOUND_M)
    if catch == peak or s.h_m[catch] < MISSED_BELOW_M:
        return events  # never received, or dropped to the floor
    events["catch_end"] = catch
    return events


def _knee_events(s: LiftSignals, liftoff: int, fastest: int) -> dict[str, int]:
    knee = s.knee_angle_deg[liftoff : fastest + 1]
    found: dict[str, int] = {}
    if np.isfinite(knee).sum() >= 0.8 * knee.size and knee.size >= 5:
        filled = np.interp(np.arange(knee.size), np.flatnonzero(np.isfinite(knee)), knee[np.isfinite(knee)])
        peaks, _ = find_peaks(filled, prominence=KNEE_PEAK_PROMINENCE_DEG)
        if peaks.size:
            first = liftoff + _band_middle(filled, int(peaks[0]), KNEE_PEAK_BAND_DEG)
            found["first_pull_end"] = first
            rebend = liftoff + int(peaks[0]) + int(np.argmin(filled[peaks[0] :]))
            if first < rebend < fastest:
                found["transition_end"] = rebend
            return found
    # No double knee bend seen: the first pull ends as the bar passes the knee.
    passed = bar_past_knee(s, liftoff, fastest)
    if passed is not None:
        found["first_pull_end"] = passed
    return found


def _band_middle(values: np.ndarray, top: int, band: float) -> int:
    """Middle index of the contiguous run around ``top`` of ``values`` (n,) within ``band`` of its value."""
    near = values >= values[top] - band
    a, b = top, top
    while a - 1 >= 0 and near[a - 1]:
        a -= 1
    while b + 1 < values.size and near[b + 1]:
        b += 1
    return (a + b) // 2


def bar_past_knee(s: LiftSignals, liftoff: int, stop: int) -> int | None:
    """First frame after lift-off where the bar centre is at or above the knee's height."""
    above = np.nan_to_num(s.h_m - s.knee_h_m, nan=-np.inf) >= 0.0
    hit = _first(above[: stop + 1], liftoff)
    return hit


def recovery_end(s: LiftSignals, catch: int, stop: int) -> int | None:
    """The bar's arrival at its standing height after the catch (see ``_stood_up``)."""
    return _stood_up(s.h_m, s.vy_mps, s.t_s, catch, stop)


def jerk_events(s: LiftSignals, after: int, stop: int) -> dict[str, int]:
    """The jerk's events between the clean's catch (``after``) and ``stop``; empty when none is seen."""
    drive_end = _argmax(s.vy_mps, after, stop)
    if drive_end is None or s.vy_mps[drive_end] < MIN_JERK_DRIVE_MPS:
        return {}
    events = {"jerk_drive_end": drive_end}
    i = drive_end
    while i - 1 > after and np.isfinite(s.vy_mps[i - 1]) and s.vy_mps[i - 1] > 0.0:
        i -= 1
    events["jerk_drive_start"] = i
    fastest_down = after + int(np.nanargmin(s.vy_mps[after : i + 1]))
    lo = max(after, int(np.searchsorted(s.t_s, s.t_s[fastest_down] - DIP_FIT_WINDOW_S)))
    raw = s.raw_h_m if s.raw_h_m is not None else s.h_m
    onset_s = fit_onset_s(s.t_s[lo : fastest_down + 1], raw[lo : fastest_down + 1], -1.0, SINGLE_POWERS)
    if onset_s is not None:
        events["jerk_dip_start"] = nearest_frame(s.t_s, onset_s, lo, fastest_down)
    else:
        while i - 1 > after and np.isfinite(s.vy_mps[i - 1]) and s.vy_mps[i - 1] < DIP_ONSET_VY_MPS:
            i -= 1
        events["jerk_dip_start"] = i
    falling = _first(np.nan_to_num(s.vy_mps, nan=1.0) <= 0.0, drive_end)
    if falling is None or falling > stop:
        return events
    catch = _lowest_before_rebound(s.h_m, s.vy_mps, falling, stop, JERK_CATCH_REBOUND_M)
    if s.h_m[catch] < MISSED_BELOW_M:
        return events
    events["jerk_catch"] = catch
    done = _stood_up(s.h_m, s.vy_mps, s.t_s, catch, stop)
    if done is not None:
        events["jerk_recovery_end"] = done
    return events


def lift_events(s: LiftSignals, lift: LiftWindow, exercise: str) -> dict[str, int]:
    """All events of one lift, as frame indices, for 'snatch', 'clean' or 'clean_and_jerk'."""
    if exercise not in EXERCISES:
        raise ValueError(f"exercise: expected one of {EXERCISES}, got {exercise!r}")
    events = pull_events(s, lift, lift.end)
    if "catch_end" not in events:
        return events
    catch = events["catch_end"]
    stand_stop = lift.end
    if exercise == "clean_and_jerk":
        jerk = jerk_events(s, catch, lift.end)
        events.update(jerk)
        stand_stop = jerk.get("jerk_dip_start", lift.end)
    done = recovery_end(s, catch, stand_stop)
    if done is not None:
        events["recovery_end"] = done
    return events


def required_events(exercise: str) -> tuple[str, ...]:
    """Events a complete lift must have (bar-based; the knee events are reported when seen)."""
    bar_events = ("start_of_lifting", "second_pull_end", "peak_bar_height", "catch_end", "recovery_end")
    return bar_events + (JERK_EVENTS if exercise == "clean_and_jerk" else ())


def phase_bounds(events: dict[str, int], setup_start: int) -> list[tuple[str, int, int]]:
    """(phase, start frame, end frame) for each phase whose two events were found, in lift order."""
    out = [("setup", setup_start, events["start_of_lifting"])] if "start_of_lifting" in events else []
    for name, (a, b) in PHASES.items():
        if a in events and b in events and events[b] >= events[a]:
            out.append((name, events[a], events[b]))
    return out
