"""Per-segment plate observation, run inside the parallel decode tasks (stateless across calls).

For each frame: circle detector candidates on a half-size image, plus the previous frame's best plates
followed by sparse optical flow; every candidate is refined on the rim at full processing size. One
pyramidal Lucas-Kanade call also measures the background (camera) motion for shake compensation, on
corners carried forward from frame to frame (found again every few frames or when too few survive).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from pipelines.bar.observation import BarObservation
from pipelines.bar.rim_fit import RimFit, fit_plate_rim, median_axis0

DETECT_LONG_SIDE_PX = 480  # the circle detector runs on this size; rim fitting on the full frame
MAX_CANDIDATES = 5
MIN_RADIUS_FRAC = 0.025  # plate radius range as a share of the long side of the frame
MAX_RADIUS_FRAC = 0.20
DETECT_EVERY_N_FRAMES = 12  # in between, plates are followed by flow; the detector also runs when that fails
GOOD_FOLLOW_SCORE = 0.5
_LK_WIN = (15, 15)
_LK_LEVELS = 2  # 15 px windows over 3 levels follow ~30 px per frame at 480 px: a 2.2 m/s bar at 30 fps
_LK_CRITERIA = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03)
BG_MAX_CORNERS = 48
BG_REDETECT_EVERY_N_FRAMES = 8  # background corners are carried on by the flow, and found again this often
BG_MIN_CARRIED_SHARE = 0.6  # ... or once fewer than this share of them survive (lost, on a plate, moving)
BG_MIN_CARRIED = 12  # ... or fewer than this many (the camera motion needs 8 points)
BG_AGREE_PX = 0.5  # a background point moving this close to the median counts as agreeing


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


@dataclass(slots=True)
class _Background:
    """Background corners carried to the next frame: their positions in the frame just observed."""

    pts: np.ndarray  # (m, 2) float32 processing px
    age_frames: int  # frames since goodFeaturesToTrack found them
    n_found: int  # how many it found then


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
    pts = cv2.goodFeaturesToTrack(
        small, maxCorners=BG_MAX_CORNERS, qualityLevel=0.02, minDistance=12, mask=mask
    )
    if pts is None:
        return np.zeros((0, 2), np.float32)
    return (pts.reshape(-1, 2) * s).astype(np.float32)


def in_background_band(
    pts_xy: np.ndarray, small_shape_hw: tuple[int, int], small_scale: float, plates: list[RimFit]
) -> np.ndarray:
    """(m,) bool: points (m, 2) processing px that lie where _background_points looks for corners.

    The same places as its mask: inside the detector-size image, outside its central 60 % x 60 %, and
    further than 1.5 radii from every plate (a carried corner that a rising plate now covers would
    report the plate's motion as the camera's).
    """
    h, w = small_shape_hw
    x, y = pts_xy[:, 0] / small_scale, pts_xy[:, 1] / small_scale
    inside = (x >= 0) & (x <= w - 1) & (y >= 0) & (y <= h - 1)
    central = (x >= int(0.2 * w)) & (x < int(0.8 * w)) & (y >= int(0.2 * h)) & (y < int(0.8 * h))
    ok = inside & ~central
    for p in plates:
        ok &= np.hypot(pts_xy[:, 0] - p.center_xy[0], pts_xy[:, 1] - p.center_xy[1]) > 1.5 * p.radius
    return ok


def median_xy(d: np.ndarray) -> np.ndarray:
    """(2,) per-column median of (n, 2) displacements (n >= 1): np.median's value, a fraction of its cost."""
    return median_axis0(d).astype(np.float64)


def _camera_displacement(dbg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Camera displacement (2,) from background point displacements (n, 2), NaN unless most agree,
    and which points agree (n,) bool (all False when it is NaN).
    """
    agree = np.zeros(dbg.shape[0], bool)
    if dbg.shape[0] < 8:
        return np.full(2, np.nan), agree
    med = median_xy(dbg)
    # Only trust a background motion most points agree on (a moving lifter must not count as shake).
    agree = np.hypot(dbg[:, 0] - med[0], dbg[:, 1] - med[1]) < BG_AGREE_PX
    if agree.mean() <= 0.5:
        return np.full(2, np.nan), np.zeros(dbg.shape[0], bool)
    return median_xy(dbg[agree]), agree


def _flow(
    prev: _Prepared, cur: _Prepared, prev_plates: list[RimFit], bg_prev: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Median LK displacement (processing px) of each previous plate, of the background (2,), and where
    the background points bg_prev (m, 2) of prev went in cur (those worth carrying on: tracked, and
    agreeing with the camera motion when that is known).

    NaN where unknown.
    """
    s = prev.small_scale
    groups = [_plate_points(p) for p in prev_plates]
    allp = np.vstack([*groups, bg_prev]) if groups else bg_prev
    if allp.shape[0] == 0:
        return [], np.full(2, np.nan), np.zeros((0, 2), np.float32)
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
        out.append(median_xy(d[sl][okg]) if okg.sum() >= 5 else np.full(2, np.nan))
        start += g.shape[0]
    okb = ok[start:]
    dbg = d[start:][okb]
    cam, agree = _camera_displacement(dbg)
    moved = (p1.reshape(-1, 2)[start:][okb] * s).astype(np.float32)
    # With no agreed camera motion keep every tracked point: the next re-detection sorts them out.
    carried = moved[agree] if np.isfinite(cam[0]) else moved
    return out, cam, carried


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


_FACE_RING_K = np.repeat(np.array([0.45, 0.6, 0.8]), 16)  # face samples: 16 angles on each of 3 rings
_FACE_RING_TH = np.tile(np.linspace(0, 2 * np.pi, 16, endpoint=False), 3)
_FACE_RING_COS, _FACE_RING_SIN = np.cos(_FACE_RING_TH), np.sin(_FACE_RING_TH)


def _mean_bgr(frame_bgr: np.ndarray, fit: RimFit) -> np.ndarray:
    """(3,) mean colour of the plate face at 48 points on rings at 0.45, 0.6 and 0.8 r."""
    h, w = frame_bgr.shape[:2]
    kr = _FACE_RING_K * fit.radius
    x = np.clip(np.round(fit.center_xy[0] + kr * _FACE_RING_COS).astype(int), 0, w - 1)
    y = np.clip(np.round(fit.center_xy[1] + kr * _FACE_RING_SIN).astype(int), 0, h - 1)
    return frame_bgr[y, x].astype(np.float64).mean(axis=0)


def _narrow_fit(cur: _Prepared, center_xy: np.ndarray, radius: float) -> RimFit | None:
    """The final rim fit: narrow radial window, fine step, with the away-arc / yawed-plate corrections."""
    # A side-on camera looks along the bar: the bar axis points at the image centre.
    vanish = 0.5 * np.array([cur.gray.shape[1] - 1, cur.gray.shape[0] - 1], dtype=np.float64)
    return fit_plate_rim(cur.gray, center_xy, radius, search=(0.88, 1.12), vanish_xy=vanish, bgr=cur.bgr)


def observe_frame(
    cur: _Prepared,
    prev: _Prepared | None,
    prev_plates: list[RimFit],
    run_detector: bool,
    bg: _Background | None = None,
) -> tuple[list[_Cand], np.ndarray, _Background | None]:
    """Candidates of one frame (processing px), the camera displacement since prev (2,), and the
    background corners to carry to the next frame.

    bg: corners carried from prev (None, or too old / too few: found again in prev).
    """
    cands: list[_Cand] = []
    cam = np.full(2, np.nan)
    carried: _Background | None = None
    if prev is not None:
        if bg is not None and bg.age_frames < BG_REDETECT_EVERY_N_FRAMES:
            keep = in_background_band(bg.pts, prev.small.shape[:2], prev.small_scale, prev_plates)
            n = int(keep.sum())
            enough = n >= max(BG_MIN_CARRIED, BG_MIN_CARRIED_SHARE * bg.n_found)
            bg = _Background(bg.pts[keep], bg.age_frames, bg.n_found) if enough else None
        else:
            bg = None
        if bg is None:
            corners = _background_points(prev, prev_plates)
            bg = _Background(corners, 0, corners.shape[0])
        disps, cam, moved = _flow(prev, cur, prev_plates, bg.pts)
        carried = _Background(moved, bg.age_frames + 1, bg.n_found)
        for p, d in zip(prev_plates, disps, strict=True):
            # The wide pass also weeds out followed circles that were no plate: on real gym footage
            # starting the narrow pass at the flow's guess kept them, and they crowded out the plate.
            guess = p.center_xy + (d if np.all(np.isfinite(d)) else 0.0)
            fit = fit_plate_rim(cur.gray, guess, p.radius, step=1.0)
            if fit is not None and abs(fit.radius / p.radius - 1) < 0.15:
                cands.append(_Cand(fit, True, d))
    # Detect again when a followed plate was lost, not only when all were: a static disc in the
    # background follows perfectly and must not hide that the lifted plate slipped away.
    n_good_before = sum(p.score >= GOOD_FOLLOW_SCORE for p in prev_plates)
    lost_one = sum(c.fit.score >= GOOD_FOLLOW_SCORE for c in cands) < n_good_before
    if run_detector or lost_one:
        for x, y, r in hough_candidates(cur.small)[:8]:
            s = cur.small_scale
            found = fit_plate_rim(cur.gray, np.array([x * s, y * s]), r * s, step=1.0)
            if found is not None:
                cands.append(_Cand(found, False, np.full(2, np.nan)))
    kept = _dedupe(cands)
    for c in kept:
        # Second, narrow pass at a finer step: the wide pass may have started a few pixels off.
        c.fit = _narrow_fit(cur, c.fit.center_xy, c.fit.radius) or c.fit
    return kept, cam, carried


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
    bg: _Background | None = None
    k = scale_to_original
    for i, frame in enumerate(frames_bgr):
        cur = _prepare(frame)
        cands, cam, bg = observe_frame(cur, prev, prev_plates, i % DETECT_EVERY_N_FRAMES == 0, bg)
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
