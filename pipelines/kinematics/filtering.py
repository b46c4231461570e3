"""Zero-phase low-pass filtering and derivatives on real timestamps, segment by segment.

A series is split into *valid segments*: runs of finite samples with no timestamp gap wider than
``MAX_GAP_FACTOR`` median frame intervals. Each segment is resampled onto a uniform grid (this is what
makes variable-frame-rate video safe: the filter and the derivative see a constant dt), low-pass
filtered with a zero-phase Butterworth (``scipy.signal.sosfiltfilt``), differentiated twice with
``np.gradient`` on the grid's real times, and interpolated back to the original timestamps. Nothing is
interpolated, filtered or differentiated across a gap: samples outside valid segments stay NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, sosfiltfilt

FILTER_ORDER = 4  # per pass; filtfilt doubles the effective order and squares the gain
MAX_GAP_FACTOR = 2.5  # a timestamp step wider than this many median dt splits a segment
MIN_SEGMENT_SAMPLES = 7  # shorter runs give no derivative (too few points to filter honestly)
BAR_CUTOFF_CAP_HZ = 8.0
BODY_CUTOFF_CAP_HZ = 6.0
CUTOFF_FRACTION_OF_FPS = 0.2


def cutoff_hz_for_fps(fps: float, cap_hz: float) -> float:
    """The documented cut-off rule: ``min(cap_hz, 0.2 * fps)``.

    0.2 * fps keeps the cut-off at 40 % of Nyquist, where a 4th-order Butterworth run forwards and
    backwards is well conditioned; the caps (8 Hz bar, 6 Hz body keypoints) sit above the content of
    the lift (the bar's velocity curve has almost no energy above ~5 Hz) and below keypoint jitter.
    """
    if not np.isfinite(fps) or fps <= 0:
        raise ValueError(f"fps must be positive and finite, got {fps}")
    return float(min(cap_hz, CUTOFF_FRACTION_OF_FPS * fps))


def median_fps(t_s: np.ndarray) -> float:
    """Frame rate from the median timestamp step of ``t_s`` (n,); NaN with fewer than two frames."""
    steps = np.diff(t_s[np.isfinite(t_s)])
    steps = steps[steps > 0]
    return float(1.0 / np.median(steps)) if steps.size else float("nan")


def valid_segments(t_s: np.ndarray, valid: np.ndarray) -> list[tuple[int, int]]:
    """Half-open index ranges [start, stop) of runs where ``valid`` (n,) holds and time has no gap."""
    steps = np.diff(t_s)
    typical = np.median(steps[steps > 0]) if np.any(steps > 0) else 0.0
    segments: list[tuple[int, int]] = []
    start: int | None = None
    for i in range(t_s.shape[0]):
        if not valid[i]:
            if start is not None:
                segments.append((start, i))
                start = None
            continue
        if start is None:
            start = i
        elif t_s[i] - t_s[i - 1] > MAX_GAP_FACTOR * typical:
            segments.append((start, i))
            start = i
    if start is not None:
        segments.append((start, t_s.shape[0]))
    return segments


@dataclass(frozen=True, slots=True)
class Smoothed:
    """A filtered series and its first two time derivatives, each (n,), NaN outside valid segments."""

    value: np.ndarray
    d1: np.ndarray
    d2: np.ndarray


def smooth_and_differentiate(t_s: np.ndarray, y: np.ndarray, cutoff_hz: float) -> Smoothed:
    """Filter ``y`` (n,) sampled at ``t_s`` (n,) seconds and differentiate it per valid segment.

    Units: d1 is y-units per second, d2 y-units per second squared.
    """
    n = t_s.shape[0]
    value = np.full(n, np.nan)
    d1 = np.full(n, np.nan)
    d2 = np.full(n, np.nan)
    for start, stop in valid_segments(t_s, np.isfinite(y) & np.isfinite(t_s)):
        if stop - start < MIN_SEGMENT_SAMPLES:
            continue
        seg_t = t_s[start:stop]
        v, a, b = _smooth_segment(seg_t, y[start:stop], cutoff_hz)
        value[start:stop], d1[start:stop], d2[start:stop] = v, a, b
    return Smoothed(value=value, d1=d1, d2=d2)


def _smooth_segment(
    t_s: np.ndarray, y: np.ndarray, cutoff_hz: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    steps = np.diff(t_s)
    dt_s = float(np.median(steps))
    n_grid = round((t_s[-1] - t_s[0]) / dt_s) + 1
    grid_t = t_s[0] + dt_s * np.arange(n_grid)
    grid_t[-1] = t_s[-1]  # exact end so interpolating back never extrapolates
    grid_y = np.interp(grid_t, t_s, y)
    nyquist_hz = 0.5 / dt_s
    if cutoff_hz < nyquist_hz:
        sos = butter(FILTER_ORDER, cutoff_hz / nyquist_hz, btype="low", output="sos")
        # The default pad length (3 * (2 * sections + 1)) would exceed short segments.
        padlen = min(3 * (2 * sos.shape[0] + 1), n_grid - 1)
        grid_y = sosfiltfilt(sos, grid_y, padlen=padlen)
    grid_v = np.gradient(grid_y, grid_t)
    grid_a = np.gradient(grid_v, grid_t)
    return (
        np.interp(t_s, grid_t, grid_y),
        np.interp(t_s, grid_t, grid_v),
        np.interp(t_s, grid_t, grid_a),
    )
