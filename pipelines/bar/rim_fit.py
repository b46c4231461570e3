"""Sub-pixel plate rim fitting: radial edge search around a rough circle, robust circle and ellipse fit.

The circle detector gives centres to a pixel or two; calibration and velocity need a fraction of that.
Along rays from a rough centre we find the strongest intensity step near the rough radius, then fit a
circle (rejecting rays that hit an arm, a leg or the floor edge instead of the rim) and an ellipse
(its axes tell how far the camera is from side-on).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

N_RAYS = 72
MIN_INLIER_SHARE = 0.4  # below this the "circle" is mostly something else
EDGE_FULL_SCORE = 10.0  # grey levels per pixel at which an edge counts as fully sharp
AWAY_COS = 0.0  # rays at least 90 deg from the bar axis's image direction see the bare rim
ARC_MIN_STRETCH = 0.004  # vertical over horizontal half extent above which the away-arc fit is tried
ARC_MAX_H_CHANGE = 0.006  # ... and accepted only if the horizontal half extent stays within this
ARC_MAX_SHIFT = 0.05  # ... and the centre moves less than this (fractions of the radius)
YAWED_MIN_DEG = 12.0  # full-fit yaw from which the band is looked for beside the plate
BAND_MAX_AXIS_CHANGE = 0.06  # ... and its fit may change either half extent by this share of r
FOCAL_PER_WIDTH = 0.8  # assumed focal length / image width (phone main cameras: 0.7-0.85)
YELLOW_FACE_CHROMA = -100.0  # blue minus luma (grey levels) of the face below which chroma edges count


@dataclass(frozen=True, slots=True)
class RimFit:
    """One fitted plate rim in the pixels of the image it was fitted on."""

    center_xy: np.ndarray  # (2,)
    radius: float
    semi_axes_hv: np.ndarray  # (2,) half extent of the ellipse along x and along y
    inlier_share: float  # share of rays whose edge lies on the fitted circle
    score: float  # inlier_share times edge sharpness, in [0, 1]


def fit_circle(points_xy: np.ndarray) -> tuple[np.ndarray, float]:
    """Algebraic (Kasa) least-squares circle through points_xy (n, 2); returns (centre (2,), radius)."""
    x, y = points_xy[:, 0], points_xy[:, 1]
    a = np.column_stack([x, y, np.ones_like(x)])
    b = x * x + y * y
    sol, *_ = np.linalg.lstsq(a, b, rcond=None)
    cx, cy = sol[0] / 2.0, sol[1] / 2.0
    r2 = sol[2] + cx * cx + cy * cy
    return np.array([cx, cy]), float(np.sqrt(max(r2, 0.0)))


def _ransac_inliers(points_xy: np.ndarray, tol_px: float, n_trials: int = 48) -> np.ndarray:
    """(n,) bool inliers of the circle through 3 points that most points agree with (seeded, so repeatable).

    A forearm across the plate hands a quarter of the rays a straight edge instead of the rim; least
    squares alone would bend towards it, consensus ignores it.
    """
    n = points_xy.shape[0]
    rng = np.random.default_rng(n)
    idx = np.argpartition(rng.random((n_trials, n)), 3, axis=1)[:, :3]  # 3 distinct points per trial
    a, b, c = points_xy[idx[:, 0]], points_xy[idx[:, 1]], points_xy[idx[:, 2]]
    # Circumcentre of each triplet.
    d = 2 * (a[:, 0] * (b[:, 1] - c[:, 1]) + b[:, 0] * (c[:, 1] - a[:, 1]) + c[:, 0] * (a[:, 1] - b[:, 1]))
    ok = np.abs(d) > 1e-6
    d = np.where(ok, d, 1.0)
    sa, sb, sc = (a**2).sum(1), (b**2).sum(1), (c**2).sum(1)
    ux = (sa * (b[:, 1] - c[:, 1]) + sb * (c[:, 1] - a[:, 1]) + sc * (a[:, 1] - b[:, 1])) / d
    uy = (sa * (c[:, 0] - b[:, 0]) + sb * (a[:, 0] - c[:, 0]) + sc * (b[:, 0] - a[:, 0])) / d
    rad = np.hypot(a[:, 0] - ux, a[:, 1] - uy)
    dist = np.hypot(points_xy[None, :, 0] - ux[:, None], points_xy[None, :, 1] - uy[:, None])
    inl = (np.abs(dist - rad[:, None]) < tol_px) & ok[:, None]
    return inl[int(np.argmax(inl.sum(axis=1)))]


def _fit_ellipse(points_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, float] | None:
    """cv2.fitEllipse on (n, 2) points -> (centre (2,), semi-axes (2,), angle_deg); None if too few."""
    if points_xy.shape[0] < 8:
        return None
    (cx, cy), (w, h), angle_deg = cv2.fitEllipse(points_xy.astype(np.float32))
    return np.array([cx, cy]), np.array([w / 2.0, h / 2.0]), float(angle_deg)


def _ellipse_residual_px(
    points_xy: np.ndarray, centre: np.ndarray, semi: np.ndarray, angle_deg: float
) -> np.ndarray:
    """(n,) approximate distance in pixels of each point from the ellipse."""
    th = np.deg2rad(angle_deg)
    d = points_xy - centre
    u = d[:, 0] * np.cos(th) + d[:, 1] * np.sin(th)
    v = -d[:, 0] * np.sin(th) + d[:, 1] * np.cos(th)
    rho = np.hypot(u / semi[0], v / semi[1])
    return np.abs(rho - 1.0) * np.hypot(u, v) / np.maximum(rho, 1e-9)


def _semi_axes_hv(semi: np.ndarray, angle_deg: float) -> np.ndarray:
    """Axis-aligned half extents (along x, along y) of an ellipse; yaw keeps the vertical one."""
    a, b = semi
    th = np.deg2rad(angle_deg)
    return np.array([np.hypot(a * np.cos(th), b * np.sin(th)), np.hypot(a * np.sin(th), b * np.cos(th))])


def fit_axis_ellipse(points_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Least-squares axis-aligned ellipse through (n, 2) points -> (centre (2,), half extents x, y (2,)).

    Four parameters instead of five: stable on an arc of a little over half the rim, which a general
    ellipse is not. Axis-aligned is what a plate seen with camera yaw (and no roll) looks like.
    """
    if points_xy.shape[0] < 8:
        return None
    m = points_xy.mean(axis=0)
    s = float(np.abs(points_xy - m).max()) or 1.0
    x, y = (points_xy[:, 0] - m[0]) / s, (points_xy[:, 1] - m[1]) / s
    sol, *_ = np.linalg.lstsq(np.column_stack([x * x, y * y, x, y]), np.ones_like(x), rcond=None)
    a, b, c, d = sol
    if a <= 0 or b <= 0:
        return None
    f = 1.0 + c * c / (4 * a) + d * d / (4 * b)
    if f <= 0:
        return None
    centre = m + s * np.array([-c / (2 * a), -d / (2 * b)])
    return centre, s * np.sqrt(np.array([f / a, f / b]))


def _away_arc_fit(
    pts: np.ndarray,
    keep: np.ndarray,
    cos_t: np.ndarray,
    sin_t: np.ndarray,
    center: np.ndarray,
    rad: float,
    vanish_xy: np.ndarray,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Axis-aligned ellipse through the kept rim points facing away from vanish_xy; None if too few."""
    u = vanish_xy - center
    dist = float(np.hypot(*u))
    if dist < 0.5 * rad:  # the bar points (nearly) at the camera: no side band shows
        return None
    away = keep & ((cos_t * u[0] + sin_t * u[1]) / dist < AWAY_COS)
    if away.sum() < N_RAYS * MIN_INLIER_SHARE * 0.75:
        return None
    arc = fit_axis_ellipse(pts[away])
    if arc is None or not np.all(np.abs(arc[1] / rad - 1) < 0.3):
        return None
    return arc


def _yawed_band_fit(
    pts: np.ndarray,
    keep: np.ndarray,
    cos_t: np.ndarray,
    sin_t: np.ndarray,
    center: np.ndarray,
    semi_hv: np.ndarray,
    rad: float,
    image_centre: np.ndarray,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Face ellipse of a yawed plate from the rim arc facing away from its side band; None if unsure.

    Turned by yaw about the vertical, the camera sees the bar's vanishing point on the horizon through
    the image centre, f tan(yaw) to one side; the side band (and the far plate) show towards it. f is
    taken as FOCAL_PER_WIDTH x the image width and yaw from the full fit (which the band inflates a
    little: the direction is a few degrees off, harmless for a half-rim cut). Each side's arc fit is
    tested on the rim points facing that side: the band's side sticks out of it (median normalised
    radius > 1), the clean side lies inside; a plate stretched by motion blur sticks out on both and
    is left alone.
    """
    ratio = float(np.clip(semi_hv[0] / semi_hv[1], 0.0, 1.0))
    if np.rad2deg(np.arccos(ratio)) < YAWED_MIN_DEG:
        return None
    off = FOCAL_PER_WIDTH * 2.0 * image_centre[0] * np.tan(np.arccos(ratio))
    sides: list[tuple[float, tuple[np.ndarray, np.ndarray]]] = []
    for sign in (-1.0, 1.0):
        vp = image_centre + np.array([sign * off, 0.0])
        u = vp - center
        dist = float(np.hypot(*u))
        if dist < 0.5 * rad:
            continue
        toward = (cos_t * u[0] + sin_t * u[1]) / dist
        arc = fit_axis_ellipse(pts[keep & (toward < AWAY_COS)])
        if arc is None or not np.all(np.abs(arc[1] / rad - 1) < 0.3):
            continue
        near = keep & (toward > 0.3)
        if near.sum() < 4:
            continue
        d = pts[near] - arc[0]
        rho = np.hypot(d[:, 0] / arc[1][0], d[:, 1] / arc[1][1])
        sides.append((float(np.median(rho)), arc))
    if not sides:
        return None
    sides.sort(key=lambda s: s[0])
    # One side only: the band's rim points stick out of the other side's fit, the clean side's lie
    # inside this side's (a blurred plate, stretched up and down, sticks out on both).
    if len(sides) < 2 or not sides[0][0] < 1.0 < sides[-1][0]:
        return None
    arc = sides[-1][1]
    if np.any(np.abs(arc[1] - semi_hv) > BAND_MAX_AXIS_CHANGE * rad):
        return None
    if arc[1][1] >= semi_hv[1] or np.hypot(*(arc[0] - center)) >= ARC_MAX_SHIFT * rad:
        return None
    return arc


def fit_plate_rim(
    gray: np.ndarray,
    center_xy: np.ndarray,
    radius: float,
    search: tuple[float, float] = (0.75, 1.25),
    step: float = 0.5,
    vanish_xy: np.ndarray | None = None,
    bgr: np.ndarray | None = None,
) -> RimFit | None:
    """Refine a rough circle on a float32 grey image (h, w); None when no plate rim is there.

    search: the radial window, as fractions of ``radius``, in which the rim edge is looked for.
    step: radial sampling step in pixels (the edge is located to a fraction of it by a parabola).
    vanish_xy: where the bar axis points in the image (the image centre for a side-on camera), if known.
        The plate's side band and the far plate show beside the rim on that side only (the camera
        above or below the bar sees them), so the axes and centre come from the rim arc facing away.
    bgr: the colour frame (h, w, 3) the grey image came from, if at hand. On a yellow or orange face
        the edge is then the stronger step in grey or in blue minus luma: a yellow plate's rim against
        a tan floor is nearly invisible in grey (its painted ring at 0.93 r is not) but not in blue.
    """
    h, w = gray.shape
    radii = np.arange(search[0] * radius, search[1] * radius + step, step, dtype=np.float32)
    if radii.size < 6 or radius < 4:
        return None
    theta = np.linspace(0.0, 2 * np.pi, N_RAYS, endpoint=False, dtype=np.float32)
    cos_t, sin_t = np.cos(theta)[:, None], np.sin(theta)[:, None]
    map_x = (center_xy[0] + radii[None, :] * cos_t).astype(np.float32)
    map_y = (center_xy[1] + radii[None, :] * sin_t).astype(np.float32)
    inside = (map_x[:, -1] >= 1) & (map_x[:, -1] <= w - 2) & (map_y[:, -1] >= 1) & (map_y[:, -1] <= h - 2)
    if inside.sum() < N_RAYS * MIN_INLIER_SHARE:
        return None
    profile = cv2.remap(gray, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    grad = np.abs(np.gradient(profile, step, axis=1))  # grey levels per pixel along each ray
    if bgr is not None:
        # Blue minus luma: near 0 on grey, black and white, so neutral plates keep their grey edges.
        prof_c = cv2.remap(bgr, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(
            np.float32
        )
        chroma = 0.886 * prof_c[..., 0] - 0.587 * prof_c[..., 1] - 0.299 * prof_c[..., 2]
        # Only for a yellow (or orange) face, whose rim has no grey contrast against a light floor or
        # wall: on a blue plate the chroma steps of the side band and far plate stretch the fit.
        if float(np.median(chroma[:, 0])) < YELLOW_FACE_CHROMA:
            chroma = cv2.GaussianBlur(chroma, (5, 1), 0.0)  # along the ray only, as the grey image is
            grad = np.maximum(grad, np.abs(np.gradient(chroma, step, axis=1)))
    idx = np.argmax(grad[:, 1:-1], axis=1) + 1
    rows = np.arange(N_RAYS)
    g0, g1, g2 = grad[rows, idx - 1], grad[rows, idx], grad[rows, idx + 1]
    denom = g0 - 2 * g1 + g2
    frac = np.where(np.abs(denom) > 1e-9, 0.5 * (g0 - g2) / np.where(denom == 0, 1, denom), 0.0)
    edge_r = radii[idx] + np.clip(frac, -0.5, 0.5) * step
    strong = g1 > max(1.5, 0.3 * float(np.median(g1[inside])))
    valid = inside & strong
    if valid.sum() < N_RAYS * MIN_INLIER_SHARE:
        return None
    pts = np.column_stack([center_xy[0] + edge_r * cos_t[:, 0], center_xy[1] + edge_r * sin_t[:, 0]])
    keep = valid.copy()
    # Tight consensus first; the ellipse pass below re-admits the rim of a yawed (elliptic) plate.
    inliers = _ransac_inliers(pts[valid], max(0.7, 0.015 * radius))
    if inliers.mean() < 0.6:  # a strongly yawed plate: no circle fits most of its rim
        inliers = _ransac_inliers(pts[valid], max(1.0, 0.05 * radius))
    keep[valid] = inliers
    if keep.sum() < N_RAYS * MIN_INLIER_SHARE:
        return None
    center, rad = fit_circle(pts[keep])
    for _ in range(3):
        resid = np.abs(np.hypot(pts[:, 0] - center[0], pts[:, 1] - center[1]) - rad)
        mad = float(np.median(resid[keep])) if keep.any() else 0.0
        keep = valid & (resid < max(0.7, 3.0 * 1.4826 * mad, 0.015 * rad))
        if keep.sum() < N_RAYS * MIN_INLIER_SHARE:
            return None
        center, rad = fit_circle(pts[keep])
    semi_hv = np.array([rad, rad])
    # Tighten on the ellipse (a yawed plate is one): rays that caught the far plate or a shin just
    # outside the rim sit a pixel or two off it and would stretch the axes that set the scale.
    for _ in range(3):
        ell = _fit_ellipse(pts[keep])
        if ell is None or not (
            np.all(np.abs(ell[1] / rad - 1) < 0.3) and np.hypot(*(ell[0] - center)) < 0.1 * rad
        ):
            break
        resid = _ellipse_residual_px(pts, *ell)
        mad = float(np.median(resid[keep]))
        tighter = valid & (resid < max(0.35, 2.0 * 1.4826 * mad))
        if tighter.sum() < N_RAYS * MIN_INLIER_SHARE:
            break
        keep = tighter
        center, semi_hv = ell[0], _semi_axes_hv(ell[1], ell[2])
    _, rad = fit_circle(pts[keep])
    if vanish_xy is not None and semi_hv[1] > (1 + ARC_MIN_STRETCH) * semi_hv[0]:
        arc = _away_arc_fit(pts, keep, cos_t[:, 0], sin_t[:, 0], center, rad, np.asarray(vanish_xy, float))
        # The side band / far plate only ever push the rim outwards, along the bar's image direction:
        # with a side-on camera that stretches the vertical axis and leaves the horizontal one. A yawed
        # camera's band lies beside the plate instead and the arc fit moves the horizontal axis: keep
        # the full fit there.
        if (
            arc is not None
            and arc[1][1] < semi_hv[1]
            and abs(arc[1][0] - semi_hv[0]) < ARC_MAX_H_CHANGE * rad
            and np.hypot(*(arc[0] - center)) < ARC_MAX_SHIFT * rad
        ):
            center, semi_hv = arc
        else:
            band = _yawed_band_fit(
                pts, keep, cos_t[:, 0], sin_t[:, 0], center, semi_hv, rad, np.asarray(vanish_xy, float)
            )
            if band is not None:
                center, semi_hv = band
    share = float(keep.sum()) / N_RAYS
    sharp = min(1.0, float(np.median(g1[keep])) / EDGE_FULL_SCORE)
    return RimFit(center_xy=center, radius=rad, semi_axes_hv=semi_hv, inlier_share=share, score=share * sharp)
