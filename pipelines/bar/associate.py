"""Which candidate is the lifted bar's near plate in each frame.

1. Link candidates of consecutive frames into tracklets (optical flow says where each came from).
2. Pick the seed tracklet: near the wrists when pose is known (the hands hold the bar); otherwise the
   one that travels furthest vertically (a second barbell lying in the gym does not move).
3. Grow the choice forward and backward from the seed, frame by frame, with a constant-velocity
   prediction and a gate that widens over gaps.

All positions here are stabilised: the camera's accumulated motion is subtracted.
"""

from __future__ import annotations

import numpy as np

from pipelines.bar.observation import BarObservation
from pipelines.types import PoseTrack
from services.inference.joints import JOINT_INDEX

WRIST_MIN_VISIBILITY = 0.3
LINK_GATE_FLOW_R = 0.15  # max distance (in plate radii) between flow-predicted and found previous centre
LINK_GATE_NOFLOW_R = 0.4
RADIUS_TOLERANCE = 0.2


def wrist_centre_px(pose: PoseTrack | None, n: int) -> np.ndarray:
    """(n, 2) mean of the visible wrists per frame; NaN where no wrist is visible or pose is absent."""
    out = np.full((n, 2), np.nan)
    if pose is None or pose.n_frames != n:
        return out
    idx = [JOINT_INDEX["lwri"], JOINT_INDEX["rwri"]]
    xy = pose.keypoints_xy_px[:, idx, :].astype(np.float64)
    vis = (pose.visibility[:, idx] >= WRIST_MIN_VISIBILITY) & np.all(np.isfinite(xy), axis=2)
    vis &= pose.lifter_found[:, None]
    cnt = vis.sum(axis=1)
    total = np.where(vis[:, :, None], xy, 0.0).sum(axis=1)
    has = cnt > 0
    out[has] = total[has] / cnt[has, None]
    return out


def stabilised_centres(obs: list[BarObservation], camera_xy_px: np.ndarray) -> list[np.ndarray]:
    """Per frame (k, 2) candidate centres minus the camera's accumulated displacement."""
    return [o.centers_xy_px - camera_xy_px[i] for i, o in enumerate(obs)]


def link_tracklets(obs: list[BarObservation]) -> list[list[tuple[int, int]]]:
    """Tracklets as lists of (frame, candidate) with one candidate per frame, consecutive frames."""
    open_by_cand: dict[int, int] = {}
    tracklets: list[list[tuple[int, int]]] = []
    for t, o in enumerate(obs):
        new_open: dict[int, int] = {}
        prev = obs[t - 1] if t > 0 else None
        pairs: list[tuple[float, int, int]] = []
        if prev is not None and prev.n_candidates and o.n_candidates:
            for j in range(o.n_candidates):
                d = o.prev_disp_xy_px[j]
                has_flow = bool(np.all(np.isfinite(d)))
                if not has_flow:
                    cam = o.camera_disp_xy_px
                    d = cam if np.all(np.isfinite(cam)) else np.zeros(2)
                q = o.centers_xy_px[j] - d
                gate = LINK_GATE_FLOW_R if has_flow else LINK_GATE_NOFLOW_R
                dist = np.hypot(*(prev.centers_xy_px - q).T) / prev.radius_px
                ratio = np.abs(o.radius_px[j] / prev.radius_px - 1)
                for near in np.flatnonzero((dist < gate) & (ratio < RADIUS_TOLERANCE)):
                    pairs.append((float(dist[near]), int(near), int(j)))
        used_i: set[int] = set()
        for _, i, j in sorted(pairs):
            if i in used_i or j in new_open or i not in open_by_cand:
                continue
            used_i.add(i)
            k = open_by_cand[i]
            tracklets[k].append((t, j))
            new_open[j] = k
        for j in range(o.n_candidates):
            if j not in new_open:
                tracklets.append([(t, j)])
                new_open[j] = len(tracklets) - 1
        open_by_cand = new_open
    return tracklets


def tracklet_score(
    tracklet: list[tuple[int, int]], obs: list[BarObservation], centres: list[np.ndarray], wrists: np.ndarray
) -> float:
    """Evidence that this tracklet is the lifted bar's plate (larger is better)."""
    score = np.array([obs[t].score[j] for t, j in tracklet])
    radius = np.array([obs[t].radius_px[j] for t, j in tracklet])
    xy = np.array([centres[t][j] for t, j in tracklet])
    raw = np.array([obs[t].centers_xy_px[j] for t, j in tracklet])
    w = wrists[[t for t, _ in tracklet]]
    has_w = np.all(np.isfinite(w), axis=1)
    if np.any(np.all(np.isfinite(wrists), axis=1)):
        d_r = np.hypot(*(raw - np.where(has_w[:, None], w, 0.0)).T) / radius
        # The hands hold the bar: in side view the wrists sit within about a plate radius of the hub.
        affinity = np.where(has_w, np.exp(-0.5 * (d_r / 1.2) ** 2), 0.2)
        return float(np.sum(score * affinity))
    travel_r = float((xy[:, 1].max() - xy[:, 1].min()) / np.median(radius))
    return float(np.sum(score) * (1.0 + min(travel_r, 4.0)))


def _grow(
    chosen: np.ndarray, order: range, t_s: np.ndarray, obs: list[BarObservation], centres: list[np.ndarray]
) -> None:
    """Extend ``chosen`` (n,) candidate indices (-1 = none) along ``order`` from the last chosen frame."""
    hist: list[int] = []
    for t in order:
        if chosen[t] >= 0:
            hist.append(t)
            continue
        if not hist:
            continue
        last = hist[-1]
        p_last = centres[last][chosen[last]]
        r_ref = float(np.median([obs[k].radius_px[chosen[k]] for k in hist[-15:]]))
        vel = np.zeros(2)
        if len(hist) >= 2 and abs(t_s[hist[-1]] - t_s[hist[-2]]) < 0.1:
            prev = hist[-2]
            vel = (p_last - centres[prev][chosen[prev]]) / (t_s[last] - t_s[prev])
        gap_s = abs(float(t_s[t] - t_s[last]))
        if gap_s > 1.0:
            break
        pred = p_last + vel * (t_s[t] - t_s[last])
        o = obs[t]
        if o.n_candidates == 0:
            continue
        dist = np.hypot(*(centres[t] - pred).T) / r_ref
        ratio = np.abs(o.radius_px / r_ref - 1)
        gate = 0.3 + min(1.0, 3.0 * gap_s + 0.3 * float(np.hypot(*vel)) * gap_s / r_ref)
        ok = (dist < gate) & (ratio < RADIUS_TOLERANCE)
        if ok.any():
            cost = np.where(ok, dist - 0.2 * o.score, np.inf)
            chosen[t] = int(np.argmin(cost))
            hist.append(t)


RESEED_MIN_FRAMES = 5
CONTENDER_SHARE = 0.5  # tracklets scoring at least this share of the best compete on plate size too
RESEED_RIVAL_R = 0.5  # a tracklet this close (in radii) to where another plate sat beside the chosen one


def _rivals(obs: list[BarObservation], centres: list[np.ndarray], chosen: np.ndarray) -> np.ndarray:
    """(m, 3) x, y, r of candidates seen beside the chosen plate (a second barbell, the far plate...)."""
    out = []
    for t in np.flatnonzero(chosen >= 0):
        c, r = centres[t][chosen[t]], obs[t].radius_px[chosen[t]]
        for j in range(obs[t].n_candidates):
            if j != chosen[t] and np.hypot(*(centres[t][j] - c)) > r:
                out.append([*centres[t][j], obs[t].radius_px[j]])
    return np.array(out).reshape(-1, 3)


def _reseed_ok(
    tr: list[tuple[int, int]],
    obs: list[BarObservation],
    centres: list[np.ndarray],
    chosen: np.ndarray,
    r_ref: float,
    rivals: np.ndarray,
) -> bool:
    """May this tracklet restart the track in frames the growth could not reach?"""
    frames = [t for t, _ in tr]
    if len(tr) < RESEED_MIN_FRAMES or np.any(chosen[frames] >= 0):
        return False  # it coexisted with the chosen plate: another object
    radius = float(np.median([obs[t].radius_px[j] for t, j in tr]))
    if abs(radius / r_ref - 1) > RADIUS_TOLERANCE:
        return False
    if rivals.shape[0]:
        xy = np.median(np.array([centres[t][j] for t, j in tr]), axis=0)
        near = np.hypot(rivals[:, 0] - xy[0], rivals[:, 1] - xy[1]) < RESEED_RIVAL_R * r_ref
        if near.any():
            return False  # where a plate sat while the lifted one was elsewhere: the other bar
    return True


def choose_plate(
    obs: list[BarObservation], t_s: np.ndarray, camera_xy_px: np.ndarray, wrists: np.ndarray
) -> np.ndarray:
    """(n,) index of the lifted plate's candidate in each frame, -1 where none is acceptable.

    The best tracklet seeds the track, which grows both ways. Where growth stops (the bar left the
    frame, was dropped, or a fast lift-off defeated the detector for longer than the growth gate
    allows), the best remaining tracklet of the same plate size that never coexisted with the chosen
    plate, nor sat where a rival plate was seen, seeds again: a clip with several reps is covered.
    """
    n = len(obs)
    chosen = np.full(n, -1, dtype=np.int64)
    centres = stabilised_centres(obs, camera_xy_px)
    tracklets = [tr for tr in link_tracklets(obs) if len(tr) >= 3] or link_tracklets(obs)
    if not tracklets:
        return chosen
    raw = {id(tr): tracklet_score(tr, obs, centres, wrists) for tr in tracklets}
    top = max(raw.values())
    # Seen off side-on, the far plate shows beside the near one, moves with it and sits as far from
    # the wrists (they hold the bar's middle): among close contenders prefer the larger, nearer plate.
    radius = {id(tr): float(np.median([obs[t].radius_px[j] for t, j in tr])) for tr in tracklets}
    r_max = max(radius[id(tr)] for tr in tracklets if raw[id(tr)] >= CONTENDER_SHARE * top)
    ranked = sorted(
        tracklets,
        key=lambda tr: -raw[id(tr)] * min(1.0, radius[id(tr)] / r_max) ** 4
        if raw[id(tr)] >= CONTENDER_SHARE * top
        else -raw[id(tr)] * 1e-3,
    )
    seeds = [ranked[0]]
    while seeds:
        best = seeds.pop()
        for t, j in best:
            chosen[t] = j
        _grow(chosen, range(best[0][0], n), t_s, obs, centres)
        _grow(chosen, range(best[-1][0], -1, -1), t_s, obs, centres)
        r_ref = float(np.median([obs[t].radius_px[chosen[t]] for t in np.flatnonzero(chosen >= 0)]))
        rivals = _rivals(obs, centres, chosen)
        nxt = next((tr for tr in ranked if _reseed_ok(tr, obs, centres, chosen, r_ref, rivals)), None)
        if nxt is not None:
            seeds.append(nxt)
    return chosen
