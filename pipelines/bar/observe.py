"""Per-segment plate observation, run inside the parallel decode tasks (stateless across calls).

For each frame: circle detector candidates on a half-size image, plus the previous frame's best plates
followed by sparse optical flow; every candidate is refined on the rim at full processing size. One
pyramidal Lucas-Kanade call also measures the background (camera) motion for shake compensation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from pipelines.bar.observation import BarObservation
from pipelines.bar.rim_fit import RimFit, fit_plate_rim

DETECT_LONG_SIDE_PX = 480  # the circle detector runs on this size; rim fitting on the full frame
MAX_CANDIDATES = 5
MIN_RADIUS_FRAC = 0.025  # plate radius range as a share of the long side of the frame
MAX_RADIUS_FRAC = 0.20
DETECT_EVERY_N_FRAMES = 12  # in between, plates are followed by flow; the detector also runs when that fails
GOOD_FOLLOW_SCORE = 0.5
_LK_WIN = (15, 15)
_LK_LEVELS = 2  # 15 px windows over 3 levels follow ~30 px per frame at 480 px: a 2.2 m/s bar at 30 fps
_LK_CRITERIA = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03)


@dataclass(slots=True)
class _Prepared:
    gray: np.ndarray  # (h, w) float32, lightly blurred, processing size
    small: np.ndarray  # (hs, ws) uint8, detector size
    small_scale: float  # processing px per detector px
    bgr: np.ndarray  # (h, w, 3) uint8, processing size (the frame itself, not a copy)


@dataclass(slots=True)
class _Cand:
    fit: RimFit
    from_flow: bool
    prev_disp: np.ndarray  # (2,) processing px, NaN unknown


def _prepare(frame_bgr: np.ndarray) -> _Prepared:
    gray_u8 = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY)
    h, w = gray_u8.shape
    f = min(1.0, DETECT_LONG_SIDE_PX / max(h, w))
    small = (
        cv2.resize(gray_u8, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA) if f < 1 else gray_u8
    )
    gray = cv2.GaussianBlur(gray_u8.astype(np.float32), (5, 5), 1.0)  # 5 taps: half the 9-tap cost
    return _Prepared(gray=gray, small=small, small_scale=1.0 / f, bgr=frame_bgr)


def hough_candidates(small_u8: np.ndarray) -> np.ndarray:
    """Rough circles (k, 3) as x, y, r in the pixels of small_u8 (h, w) uint8, strongest first."""
    long_side = max(small_u8.shape)
    min_r = max(5, round(MIN_RADIUS_FRAC * long_side))
    max_r = round(MAX_RADIUS_FRAC * long_side)
    blurred = cv2.GaussianBlur(small_u8, (5, 5), 1.2)
    # The "ALT" gradient method costs ~20 ms on a cluttered 480 px gym frame; the classic one 10x more.
    circles = cv2.HoughCircles(
        blurred,
        cv2.HOUGH_GRADIENT_ALT,
        dp=1.5,
        minDist=float(min_r),
        param1=150,
        param2=0.6,
        minRadius=min_r,
        maxRadius=max_r,
    )
    if circles is None:
        return np.zeros((0, 3))
    return np.asarray(circles[0, : 3 * MAX_CANDIDATES], dtype=np.float64)


def _plate_points(c: RimFit, n: int = 12) -> np.ndarray:
    """(m, 2) float32 points on the plate face (rings at 0.35, 0.6, 0.8 r) whose motion is the plate's."""
    th = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rings = [
        np.column_stack(
            [c.center_xy[0] + k * c.radius * np.cos(th), c.center_xy[1] + k * c.radius * np.sin(th)]
        )
        for k in (0.35, 0.6, 0.8)
    ]
    return np.vstack([c.center_xy[None, :], *rings]).astype(np.float32)


def _background_points(prev: _Prepared, plates: list[RimFit]) -> np.ndarray:
    """(m, 2) float32 textured points (processing px) in the frame's border band, away from plates.

    Corners, not a fixed grid: gym walls and floors are largely flat, and Lucas-Kanade on a flat patch
    returns noise, so a grid seldom agreed on a camera motion. The lifter is central; the band is not.
    """
    small = prev.small
    h, w = small.shape
    mask = np.full((h, w), 255, np.uint8)
    mask[int(0.2 * h) : int(0.8 * h), int(0.2 * w) : int(0.8 * w)] = 0
    s = prev.small_scale
    for p in plates:
        cx, cy, r = p.center_xy[0] / s, p.center_xy[1] / s, 1.5 * p.radius / s
        cv2.circle(mask, (round(cx), round(cy)), max(1, round(r)), 0, -1)
    pts = cv2.goodFeaturesToTrack(small, maxCorners=48, qualityLevel=0.02, minDistance=12, mask=mask)
    if pts is None:
        return np.zeros((0, 2), np.float32)
    return (pts.reshape(-1, 2) * s).astype(np.float32)


def _flow(prev: _Prepared, cur: _Prepared, prev_plates: list[RimFit]) -> tuple[list[np.ndarray], np.ndarray]:
    """Median LK displacement (processing px) of each previous plate, and of the background (2,).

    NaN where unknown.
    """
    s = prev.small_scale
    groups = [_plate_points(p) for p in prev_plates]
    bg = _background_points(prev, prev_plates)
    allp = np.vstack([*groups, bg]) if groups else bg
    if allp.shape[0] == 0:
        return [], np.full(2, np.nan)
    p0 = (allp / s).reshape(-1, 1, 2).astype(np.float32)
    p1, st, _err = cv2.calcOpticalFlowPyrLK(
        prev.small, cur.small, p0, np.empty_like(p0), winSize=_LK_WIN, maxLevel=_LK_LEVELS,
        criteria=_LK_CRITERIA,
    )
    d = (p1 - p0).reshape(-1, 2) * s
    ok = st.reshape(-1).astype(bool)
    out: list[np.ndarray] = []
    start = 0
    for g in groups:
        sl = slice(start, start + g.shape[0])
        okg = ok[sl]
        out.append(np.median(d[sl][okg], axis=0) if okg.sum() >= 5 else np.full(2, np.nan))
        start += g.shape[0]
    okb = ok[start:]
    dbg = d[start:][okb]
    cam = np.full(2, np.nan)
    if dbg.shape[0] >= 8:
        med = np.median(dbg, axis=0)
        # Only trust a background motion most points agree on (a moving lifter must not count as shake).
        agree = np.hypot(*(dbg - med).T) < 0.5
        if agree.mean() > 0.5:
            cam = np.median(dbg[agree], axis=0)
    return out, cam


def _dedupe(cands: list[_Cand]) -> list[_Cand]:
    cands = sorted(cands, key=lambda c: -c.fit.score)
    kept: list[_Cand] = []
    for c in cands:
        dup = next(
            (
                k
                for k in kept
                if np.hypot(*(k.fit.center_xy - c.fit.center_xy)) < 0.3 * k.fit.radius
                and abs(k.fit.radius / c.fit.radius - 1) < 0.25
            ),
            None,
        )
        if dup is None:
            kept.append(c)
        elif not np.all(np.isfinite(dup.prev_disp)) and np.all(np.isfinite(c.prev_disp)):
            dup.prev_disp = c.prev_disp  # the detector's fit, with the flow's motion
    return kept[:MAX_CANDIDATES]


def _mean_bgr(frame_bgr: np.ndarray, fit: RimFit) -> np.ndarray:
    th = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    pts = [
        (fit.center_xy[0] + k * fit.radius * np.cos(t), fit.center_xy[1] + k * fit.radius * np.sin(t))
        for k in (0.45, 0.6, 0.8)
        for t in th
    ]
    xy = np.round(np.array(pts)).astype(int)
    h, w = frame_bgr.shape[:2]
    xy[:, 0] = np.clip(xy[:, 0], 0, w - 1)
    xy[:, 1] = np.clip(xy[:, 1], 0, h - 1)
    return frame_bgr[xy[:, 1], xy[:, 0]].astype(np.float64).mean(axis=0)


def observe_frame(
    cur: _Prepared, prev: _Prepared | None, prev_plates: list[RimFit], run_detector: bool
) -> tuple[list[_Cand], np.ndarray]:
    """Candidates of one frame (processing px) and the camera displacement since prev (2,)."""
    cands: list[_Cand] = []
    cam = np.full(2, np.nan)
    if prev is not None and prev_plates:
        disps, cam = _flow(prev, cur, prev_plates)
        for p, d in zip(prev_plates, disps, strict=True):
            guess = p.center_xy + (d if np.all(np.isfinite(d)) else 0.0)
            fit = fit_plate_rim(cur.gray, guess, p.radius, step=1.0)
            if fit is not None and abs(fit.radius / p.radius - 1) < 0.15:
                cands.append(_Cand(fit, True, d))
    elif prev is not None:
        _, cam = _flow(prev, cur, [])
    # Detect again when a followed plate was lost, not only when all were: a static disc in the
    # background follows perfectly and must not hide that the lifted plate slipped away.
    n_good_before = sum(p.score >= GOOD_FOLLOW_SCORE for p in prev_plates)
    lost_one = sum(c.fit.score >= GOOD_FOLLOW_SCORE for c in cands) < n_good_before
    if run_detector or lost_one:
        for x, y, r in hough_candidates(cur.small)[:8]:
            s = cur.small_scale
            fit = fit_plate_rim(cur.gray, np.array([x * s, y * s]), r * s, step=1.0)
            if fit is not None:
                cands.append(_Cand(fit, False, np.full(2, np.nan)))
    kept = _dedupe(cands)
    # A side-on camera looks along the bar: the bar axis points at the image centre.
    vanish = 0.5 * np.array([cur.gray.shape[1] - 1, cur.gray.shape[0] - 1], dtype=np.float64)
    for c in kept:
        # Second, narrow pass at a finer step: the wide pass may have started a few pixels off.
        c.fit = (
            fit_plate_rim(
                cur.gray, c.fit.center_xy, c.fit.radius, search=(0.88, 1.12), vanish_xy=vanish, bgr=cur.bgr
            )
            or c.fit
        )
    return kept, cam


def observe_bar_segment(
    frames_bgr: Sequence[np.ndarray], scale_to_original: float, overlap_first: bool
) -> list[BarObservation]:
    """Plate candidates for each frame of one decoded segment (see BarObservation).

    frames_bgr: frames (h, w, 3) uint8 BGR at processing size (long side <= 960 px).
    scale_to_original: original displayed-frame px per processing px.
    overlap_first: frames_bgr[0] is the previous segment's last frame, used only as the flow reference;
        no observation is returned for it.
    """
    out: list[BarObservation] = []
    prev: _Prepared | None = None
    prev_plates: list[RimFit] = []
    k = scale_to_original
    for i, frame in enumerate(frames_bgr):
        cur = _prepare(frame)
        cands, cam = observe_frame(cur, prev, prev_plates, run_detector=i % DETECT_EVERY_N_FRAMES == 0)
        prev, prev_plates = cur, [c.fit for c in cands[:3]]
        if i == 0 and overlap_first:
            continue
        if not cands:
            out.append(BarObservation.empty(cam * k))
            continue
        out.append(
            BarObservation(
                # Processing pixel i spans original [i k, (i + 1) k): its centre is (i + 0.5) k - 0.5.
                centers_xy_px=(np.array([c.fit.center_xy for c in cands]) + 0.5) * k - 0.5,
                radius_px=np.array([c.fit.radius for c in cands]) * k,
                semi_axes_hv_px=np.array([c.fit.semi_axes_hv for c in cands]) * k,
                score=np.array([c.fit.score for c in cands]),
                mean_bgr=np.array([_mean_bgr(frame, c.fit) for c in cands]),
                from_flow=np.array([c.from_flow for c in cands], dtype=bool),
                prev_disp_xy_px=np.array([c.prev_disp for c in cands]) * k,
                camera_disp_xy_px=cam * k,
            )
        )
    return out
