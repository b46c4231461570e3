"""Choosing the lifted plate across long gaps (several reps, a bar dropped out of view) without pose."""

from __future__ import annotations

import numpy as np

from pipelines.bar import BarObservation
from pipelines.bar.associate import choose_plate

N = 120
FPS = 30.0


def _obs(plates: list[tuple[float, float, float]]) -> BarObservation:
    if not plates:
        return BarObservation.empty(np.zeros(2))
    p = np.array(plates, dtype=np.float64).reshape(-1, 3)
    k = p.shape[0]
    return BarObservation(
        centers_xy_px=p[:, :2],
        radius_px=p[:, 2],
        semi_axes_hv_px=np.column_stack([p[:, 2], p[:, 2]]),
        score=np.full(k, 0.9),
        mean_bgr=np.zeros((k, 3)),
        from_flow=np.zeros(k, dtype=bool),
        prev_disp_xy_px=np.full((k, 2), np.nan),
        camera_disp_xy_px=np.zeros(2),
    )


def test_track_restarts_after_a_long_gap_and_never_takes_the_other_bar() -> None:
    """Rep 1 (frames 0-39), the bar out of view for 1.5 s, rep 2 (85-119); a second barbell lies at
    x=800 throughout, its detection broken at frames 40-44 so that a piece of it lies inside the gap."""
    lifted: dict[int, tuple[float, float, float]] = {}
    for t in range(40):
        lifted[t] = (400.0, 500.0 - 5.0 * t, 50.0)
    for t in range(85, N):
        lifted[t] = (420.0, 500.0 - 4.0 * (t - 85), 50.0)
    obs = []
    for t in range(N):
        plates = [lifted[t]] if t in lifted else []
        if not 40 <= t < 45:
            plates.append((800.0, 500.0, 49.0))
        obs.append(_obs(plates))
    t_s = np.arange(N) / FPS
    chosen = choose_plate(obs, t_s, np.zeros((N, 2)), np.full((N, 2), np.nan))
    picked_x = np.array([obs[t].centers_xy_px[chosen[t], 0] if chosen[t] >= 0 else np.nan for t in range(N)])
    assert np.all(picked_x[:40] == 400.0)
    assert np.all(picked_x[85:] == 420.0), "the second rep was not picked up again"
    assert np.all(np.isnan(picked_x[40:85])), "the lying barbell was taken while the lifted one was away"
