"""Constant-acceleration Kalman filter with a Rauch-Tung-Striebel backward pass, one image axis at a time.

State per axis: [position, velocity, acceleration]. Process noise is white jerk of spectral density
``jerk_psd`` (px^2/s^5); time steps come from the real timestamps, so variable frame rate is fine.
Measurements are positions (NaN = none) and, optionally, the flow displacement since the previous
frame, which measures the mean velocity over the last interval: v - a*dt/2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class SmoothedAxis:
    """RTS-smoothed estimates per frame: pos, vel, acc (n,) and position std (n,)."""

    pos: np.ndarray
    vel: np.ndarray
    acc: np.ndarray
    pos_std: np.ndarray


def _transition(dt: float, jerk_psd: float) -> tuple[np.ndarray, np.ndarray]:
    f = np.array([[1.0, dt, 0.5 * dt * dt], [0.0, 1.0, dt], [0.0, 0.0, 1.0]])
    q = jerk_psd * np.array(
        [
            [dt**5 / 20, dt**4 / 8, dt**3 / 6],
            [dt**4 / 8, dt**3 / 3, dt**2 / 2],
            [dt**3 / 6, dt**2 / 2, dt],
        ]
    )
    return f, q


def _update(x: np.ndarray, p: np.ndarray, h: np.ndarray, z: float, r: float) -> tuple[np.ndarray, np.ndarray]:
    s = float(h @ p @ h) + r
    k = (p @ h) / s
    x = x + k * (z - float(h @ x))
    p = p - np.outer(k, h @ p)
    return x, 0.5 * (p + p.T)


def smooth_axis(
    t_s: np.ndarray,
    pos_meas: np.ndarray,
    pos_std: np.ndarray,
    disp_meas: np.ndarray,
    disp_std: np.ndarray,
    jerk_psd: float,
) -> SmoothedAxis:
    """Filter forward and smooth backward.

    t_s: (n,) increasing timestamps. pos_meas, pos_std: (n,) position measurement and its std (NaN = no
    measurement). disp_meas, disp_std: (n,) displacement since frame i-1 (NaN = none).
    """
    n = t_s.shape[0]
    first = np.flatnonzero(np.isfinite(pos_meas))
    if first.size == 0:
        nan = np.full(n, np.nan)
        return SmoothedAxis(nan, nan.copy(), nan.copy(), nan.copy())
    x = np.array([pos_meas[first[0]], 0.0, 0.0])
    p = np.diag([float(pos_std[first[0]]) ** 2 * 1e2, 1e6, 1e8])
    xs_f = np.zeros((n, 3))
    ps_f = np.zeros((n, 3, 3))
    xs_p = np.zeros((n, 3))
    ps_p = np.zeros((n, 3, 3))
    fs = np.zeros((n, 3, 3))
    h_pos = np.array([1.0, 0.0, 0.0])
    for i in range(n):
        if i > 0:
            dt = float(t_s[i] - t_s[i - 1])
            f, q = _transition(dt, jerk_psd)
            x = f @ x
            p = f @ p @ f.T + q
            fs[i] = f
        xs_p[i], ps_p[i] = x, p
        if i > 0 and np.isfinite(disp_meas[i]):
            dt = float(t_s[i] - t_s[i - 1])
            h_v = np.array([0.0, 1.0, -0.5 * dt])
            x, p = _update(x, p, h_v, float(disp_meas[i]) / dt, (float(disp_std[i]) / dt) ** 2)
        if np.isfinite(pos_meas[i]):
            x, p = _update(x, p, h_pos, float(pos_meas[i]), float(pos_std[i]) ** 2)
        xs_f[i], ps_f[i] = x, p
    xs = xs_f.copy()
    ps = ps_f.copy()
    for i in range(n - 2, -1, -1):
        c = ps_f[i] @ fs[i + 1].T @ np.linalg.inv(ps_p[i + 1])
        xs[i] = xs_f[i] + c @ (xs[i + 1] - xs_p[i + 1])
        ps[i] = ps_f[i] + c @ (ps[i + 1] - ps_p[i + 1]) @ c.T
    return SmoothedAxis(xs[:, 0], xs[:, 1], xs[:, 2], np.sqrt(np.maximum(ps[:, 0, 0], 0.0)))
