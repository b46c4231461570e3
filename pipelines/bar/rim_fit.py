"""Sub-pixel plate rim fitting: radial edge search around a rough circle, robust circle and ellipse fit.

The circle detector gives centres to a pixel or two; calibration and velocity need a fraction of that.
Along rays from a rough centre we find the strongest intensity step near the rough radius, then fit a
circle (rejecting rays that hit an arm, a leg or the floor edge instead of the rim) and an ellipse
(its axes tell how far the camera is from side-on).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

N_RAYS = 72
MIN_INLIER_SHARE = 0.4  # below this the "circle" is mostly something else
EDGE_FULL_SCORE = 10.0  # grey levels per pixel at which an edge counts as fully sharp
AWAY_COS = 0.0  # rays at least 90 deg from the bar axis's image direction see the bare rim
ARC_MIN_STRETCH = 0.004  # vertical over horizontal half extent above which the away-arc fit is tried
ARC_MAX_H_CHANGE = 0.006  # ... and accepted only if the horizontal half extent stays within this
ARC_MAX_SHIFT = 0.05  # ... and the centre moves less than this (fractions of the radius)
YAWED_MIN_DEG = 8.0  # full-fit yaw from which the band is looked for beside the plate
BAND_MAX_AXIS_CHANGE = 0.06  # ... and its fit may change either half extent by this share of r
FOCAL_PER_LONG_SIDE = 0.8  # assumed focal length / long side of the frame (phone main cameras: 0.7-0.85)
YAW_GRID_DEG = np.arange(0.0, 31.0, 3.0)  # yaws tried by the yawed-plate fit, each side
YAWED_MIN_FIT_DEG = 5.0  # ... and it is kept only if it finds at least this yaw
YAWED_MAX_RMS_PX = 0.25  # ... and its arc's rms residual is below this (yaw 10 / 20 clips: 0.06-0.19)
YAWED_MAX_SHIFT = 0.1  # its centre may move this far from the full fit's (fraction of r): the band is wide
SIDE_MIN_POINT_RATIO = 0.75  # an arc with fewer kept rays than this share of the other side's is the band's
YELLOW_FACE_CHROMA = -100.0  # blue minus luma (grey levels) of the face below which chroma edges count
RANSAC_TRIALS = 48

_THETA = np.linspace(0.0, 2 * np.pi, N_RAYS, endpoint=False, dtype=np.float32)
_COS_T, _SIN_T = np.cos(_THETA)[:, None], np.sin(_THETA)[:, None]  # (N_RAYS, 1) float32


@dataclass(frozen=True, slots=True)
class RimFit:
    """One fitted plate rim in the pixels of the image it was fitted on."""

    center_xy: np.ndarray  # (2,)
    radius: float
    semi_axes_hv: np.ndarray  # (2,) half extent of the ellipse along x and along y
    inlier_share: float  # share of rays whose edge lies on the fitted circle
    score: float  # inlier_share times edge sharpness, in [0, 1]


def median_axis0(values: np.ndarray) -> np.ndarray:
    """np.median(values, axis=0) for a few dozen rows (at least one), by sorting.

    np.median partitions and averages through several generic layers; on the few dozen values of a rim
    fit, called ~20 times per frame, that overhead is most of its cost. Sorting is cheaper at this size.
    """
    v = np.sort(values, axis=0)
    mid = v.shape[0] // 2
    return np.asarray(v[mid] if v.shape[0] % 2 else (v[mid - 1] + v[mid]) / 2.0)


def median_1d(values: np.ndarray) -> float:
    """np.median of a small array of any shape: the same value (NaN when empty), by median_axis0."""
    flat = values.ravel()
    return float(median_axis0(flat)) if flat.size else float("nan")


def fit_circle(points_xy: np.ndarray) -> tuple[np.ndarray, float]:
    """Algebraic (Kasa) least-squares circle through points_xy (n, 2); returns (centre (2,), radius).

    Solved on coordinates centred on the points' mean, where the Kasa normal equations split into a
    2 x 2 system for the centre (the offset term is the mean of x^2 + y^2): a few sums instead of an SVD.
    """
    m = points_xy.mean(axis=0)
    x, y = points_xy[:, 0] - m[0], points_xy[:, 1] - m[1]
    z = x * x + y * y
    sxx, syy, sxy = float(x @ x), float(y @ y), float(x @ y)
    sxz, syz = float(x @ z), float(y @ z)
    det = sxx * syy - sxy * sxy
    if not det > 1e-12 * max(sxx * syy, 1e-300):  # collinear (or < 3 distinct) points
        a = np.column_stack([x, y, np.ones_like(x)])
        sol, *_ = np.linalg.lstsq(a, z, rcond=None)
        cx, cy, c = sol[0] / 2.0, sol[1] / 2.0, float(sol[2])
    else:
        # [sxx sxy; sxy syy] (2 cx, 2 cy) = (sxz, syz); c = mean(z), as sum(x) = sum(y) = 0.
        cx = 0.5 * (syy * sxz - sxy * syz) / det
        cy = 0.5 * (sxx * syz - sxy * sxz) / det
        c = float(z.mean())
    r2 = c + cx * cx + cy * cy
    return np.array([m[0] + cx, m[1] + cy]), float(np.sqrt(max(r2, 0.0)))


@lru_cache(maxsize=128)
def _ransac_triplets(n: int, n_trials: int) -> np.ndarray:
    """(n_trials, 3) distinct point indices per trial, seeded by n (the same draw for every call of n)."""
    rng = np.random.default_rng(n)
    idx = np.argpartition(rng.random((n_trials, n)), 3, axis=1)[:, :3]
    idx.setflags(write=False)
    return idx


def _ransac_inliers(points_xy: np.ndarray, tol_px: float, n_trials: int = RANSAC_TRIALS) -> np.ndarray:
    """(n,) bool inliers of the circle through 3 points that most points agree with (seeded, so repeatable).

    A forearm across the plate hands a quarter of the rays a straight edge instead of the rim; least
    squares alone would bend towards it, consensus ignores it.
    """
    idx = _ransac_triplets(points_xy.shape[0], n_trials)  # 3 distinct points per trial (cached draw)
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


def plate_image_conics(
    centre_xy: np.ndarray, radius_rel: float, yaw_rad: np.ndarray, focal_px: float, principal_xy: np.ndarray
) -> np.ndarray:
    """(m, 3, 3) image conics of a plate rim seen by a pinhole camera turned by yaw (m,) about the vertical.

    The rim is a circle of radius radius_rel x depth, centred on the viewing ray through centre_xy (its
    projected centre), in a plane whose normal is the bar axis: (sin yaw, 0, cos yaw) in camera
    coordinates (x right, y down, z forward), whose vanishing point is f tan(yaw) beside the principal
    point. Projective, not affine: off the image centre the rim's ellipse tilts (146 deg at yaw 10 with
    the bar on the floor), which an axis-aligned ellipse cannot follow.
    """
    f = float(focal_px)
    k = np.array([[f, 0.0, principal_xy[0]], [0.0, f, principal_xy[1]], [0.0, 0.0, 1.0]])
    ray = np.array([(centre_xy[0] - principal_xy[0]) / f, (centre_xy[1] - principal_xy[1]) / f, 1.0])
    m = yaw_rad.shape[0]
    cols = np.zeros((m, 3, 3))
    cols[:, 0, 0] = radius_rel * np.cos(yaw_rad)  # in-plane horizontal axis, perpendicular to the bar
    cols[:, 2, 0] = -radius_rel * np.sin(yaw_rad)
    cols[:, 1, 1] = radius_rel  # in-plane vertical axis
    cols[:, :, 2] = ray
    h_inv = np.linalg.inv(k @ cols)  # plane (a, b, 1) -> image; the rim is a^2 + b^2 = 1
    return np.asarray(np.transpose(h_inv, (0, 2, 1)) @ np.diag([1.0, 1.0, -1.0]) @ h_inv)


def _conic_axes(conics: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Semi-axes (m, 2) (major first) and their unit directions (m, 2, 2) (columns) of ellipse conics."""
    a = conics[:, :2, :2]
    b = conics[:, :2, 2]
    centre = -np.linalg.solve(a, b[:, :, None])[:, :, 0]
    scale = -(conics[:, 2, 2] + (b * centre).sum(axis=1))
    w, vec = np.linalg.eigh(a / scale[:, None, None])
    return 1.0 / np.sqrt(np.maximum(w, 1e-12)), vec


def _fit_shaped_ellipses(
    pts: np.ndarray, weights: np.ndarray, origin: np.ndarray, semi: np.ndarray, vec: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least-squares ellipses of the given shapes (orientation and axis ratio fixed, m of them) through
    the weighted points: centre and size free, a circle fit after un-squashing the minor axis.

    pts (n, 2); weights (m, n) 0/1; origin (2,) near the centre (for conditioning); semi (m, 2) major
    first and vec (m, 2, 2) from _conic_axes. Returns centres (m, 2), semi-axes (m, 2) along vec, and the
    rms residual (m,) in pixels of the major axis.
    """
    stretch = semi[:, 0] / semi[:, 1]
    q = (pts - origin) @ vec  # (m, n, 2): coordinates along each shape's axes
    q[:, :, 1] *= stretch[:, None]
    x = np.concatenate([q, np.ones((*q.shape[:2], 1))], axis=2)
    rhs = (q * q).sum(axis=2)
    xw = x * weights[:, :, None]
    normal = np.transpose(xw, (0, 2, 1)) @ x + 1e-9 * np.eye(3)
    sol = np.linalg.solve(normal, (xw * rhs[:, :, None]).sum(axis=1)[:, :, None])[:, :, 0]
    c = sol[:, :2] / 2.0
    r = np.sqrt(np.maximum(sol[:, 2] + (c * c).sum(axis=1), 0.0))
    resid = np.hypot(q[:, :, 0] - c[:, 0, None], q[:, :, 1] - c[:, 1, None]) - r[:, None]
    rms = np.sqrt((weights * resid**2).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0))
    c[:, 1] /= stretch
    centres = origin + (vec @ c[:, :, None])[:, :, 0]
    return centres, np.column_stack([r, r / stretch]), rms


def _yawed_plate_fit(
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
    the image centre, f tan(yaw) to one side (f assumed FOCAL_PER_LONG_SIDE x the long side); the side
    band and the far plate show towards it, the arc facing away is the bare face rim. For each side and
    each yaw of a grid the rim's projected shape (plate_image_conics: orientation and axis ratio) is
    fitted to that arc with free centre and size; the yaw with the least residual wins, refined by a
    parabola. Side: the band side's arc loses rays to the ellipse rejection (band rays sit off the
    face's ellipse), so an arc with clearly fewer kept rays is the band's; otherwise the smaller residual
    (the band's arc is not an ellipse of the model's shape).
    """
    ratio = float(np.clip(semi_hv[0] / semi_hv[1], 0.0, 1.0))
    if np.rad2deg(np.arccos(ratio)) < YAWED_MIN_DEG:
        return None
    focal = FOCAL_PER_LONG_SIDE * (2.0 * float(max(image_centre)) + 1.0)  # centre (w - 1) / 2
    n_grid = YAW_GRID_DEG.size
    yaw = np.deg2rad(np.concatenate([-YAW_GRID_DEG, YAW_GRID_DEG]))
    kept_pts, kept_cos, kept_sin = pts[keep], cos_t[keep], sin_t[keep]

    def fit(yaw_rad: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        conics = plate_image_conics(center, rad / focal, yaw_rad, focal, image_centre)
        semi, vec = _conic_axes(conics)
        u = image_centre[None, :] + np.column_stack([focal * np.tan(yaw_rad), np.zeros_like(yaw_rad)])
        u = u - center
        u /= np.maximum(np.hypot(u[:, 0], u[:, 1]), 1e-9)[:, None]
        away = (kept_cos[None, :] * u[:, :1] + kept_sin[None, :] * u[:, 1:] < AWAY_COS).astype(float)
        centres, axes, rms = _fit_shaped_ellipses(kept_pts, away, center, semi, vec)
        return centres, axes, vec, rms, away.sum(axis=1)

    centres_grid, axes, vec, rms_grid, n_grid_away = fit(yaw)
    # Half extents along x and y of each grid ellipse (axis 0 of vec is the major one).
    cos_a, sin_a = vec[:, 0, 0], vec[:, 1, 0]
    hv_grid = np.column_stack(
        [np.hypot(axes[:, 0] * cos_a, axes[:, 1] * sin_a), np.hypot(axes[:, 0] * sin_a, axes[:, 1] * cos_a)]
    )
    # Per side, the yaw of least residual refined by a parabola; the fit there is interpolated between
    # the two nearest grid yaws (a second fit would cost as much again for a few hundredths of a pixel).
    refined, rms, n_away = np.empty(2), np.empty(2), np.empty(2)
    centres, fit_hv = np.empty((2, 2)), np.empty((2, 2))
    for side in range(2):  # the left-hand vanishing point, then the right-hand one
        off = side * n_grid
        e = rms_grid[off : off + n_grid]
        j = min(max(int(np.argmin(e)), 1), n_grid - 2)
        denom = float(e[j - 1] - 2 * e[j] + e[j + 1])
        frac = min(max(0.5 * float(e[j - 1] - e[j + 1]) / denom if denom > 1e-12 else 0.0, -1.0), 1.0)
        nb = off + (j + 1 if frac >= 0 else j - 1)
        w = abs(frac)
        refined[side] = YAW_GRID_DEG[j] + frac * (YAW_GRID_DEG[1] - YAW_GRID_DEG[0])
        centres[side] = (1 - w) * centres_grid[off + j] + w * centres_grid[nb]
        fit_hv[side] = (1 - w) * hv_grid[off + j] + w * hv_grid[nb]
        rms[side], n_away[side] = rms_grid[off + j], n_grid_away[off + j]
    enough = n_away >= N_RAYS * MIN_INLIER_SHARE * 0.75
    best = -1
    if n_away[0] < SIDE_MIN_POINT_RATIO * n_away[1]:
        best = 1
    elif n_away[1] < SIDE_MIN_POINT_RATIO * n_away[0]:
        best = 0
    elif enough.all():
        best = int(np.argmin(rms))
    # A fit that finds the plate side-on is no yawed plate but a motion-blurred one (stretched along its
    # path), left to the away-arc logic; an arc the model's shape does not follow closely is no bare rim
    # (blur, an arm across it).
    if best < 0 or not enough[best] or refined[best] < YAWED_MIN_FIT_DEG or rms[best] > YAWED_MAX_RMS_PX:
        return None
    if np.any(np.abs(fit_hv[best] - semi_hv) > BAND_MAX_AXIS_CHANGE * rad):
        return None
    if np.hypot(*(centres[best] - center)) >= YAWED_MAX_SHIFT * rad:
        return None
    return centres[best], fit_hv[best]


def _blue_minus_luma(bgr: np.ndarray, map_x: np.ndarray, map_y: np.ndarray) -> np.ndarray:
    """Blue minus luma (float32, the maps' shape) of bgr (h, w, 3) uint8 sampled at map_x, map_y.

    Near 0 on grey, black and white, so neutral plates keep their grey edges.
    """
    prof = cv2.remap(bgr, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    return np.asarray(0.886 * prof[..., 0] - 0.587 * prof[..., 1] - 0.299 * prof[..., 2])


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
    cos_t, sin_t = _COS_T, _SIN_T
    map_x = (center_xy[0] + radii[None, :] * cos_t).astype(np.float32)
    map_y = (center_xy[1] + radii[None, :] * sin_t).astype(np.float32)
    inside = (map_x[:, -1] >= 1) & (map_x[:, -1] <= w - 2) & (map_y[:, -1] >= 1) & (map_y[:, -1] <= h - 2)
    if inside.sum() < N_RAYS * MIN_INLIER_SHARE:
        return None
    profile = cv2.remap(gray, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    grad = np.abs(np.gradient(profile, step, axis=1))  # grey levels per pixel along each ray
    # Only for a yellow (or orange) face, whose rim has no grey contrast against a light floor or
    # wall: on a blue plate the chroma steps of the side band and far plate stretch the fit. The face
    # is judged on the rays' first samples alone; the whole profile is sampled in colour only then.
    if bgr is not None and median_1d(_blue_minus_luma(bgr, map_x[:, :1], map_y[:, :1])) < YELLOW_FACE_CHROMA:
        # Blurred along the ray only, as the grey image is.
        chroma = cv2.GaussianBlur(_blue_minus_luma(bgr, map_x, map_y), (5, 1), 0.0)
        grad = np.maximum(grad, np.abs(np.gradient(chroma, step, axis=1)))
    idx = np.argmax(grad[:, 1:-1], axis=1) + 1
    rows = np.arange(N_RAYS)
    g0, g1, g2 = grad[rows, idx - 1], grad[rows, idx], grad[rows, idx + 1]
    denom = g0 - 2 * g1 + g2
    frac = np.where(np.abs(denom) > 1e-9, 0.5 * (g0 - g2) / np.where(denom == 0, 1, denom), 0.0)
    edge_r = radii[idx] + np.clip(frac, -0.5, 0.5) * step
    strong = g1 > max(1.5, 0.3 * median_1d(g1[inside]))
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
        mad = median_1d(resid[keep]) if keep.any() else 0.0
        refit = valid & (resid < max(0.7, 3.0 * 1.4826 * mad, 0.015 * rad))
        if np.array_equal(refit, keep):  # converged: the fit on these rays is the one we have
            break
        keep = refit
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
        mad = median_1d(resid[keep])
        tighter = valid & (resid < max(0.35, 2.0 * 1.4826 * mad))
        if tighter.sum() < N_RAYS * MIN_INLIER_SHARE:
            break
        converged = np.array_equal(tighter, keep)  # the next round would fit the same ellipse again
        keep = tighter
        center, semi_hv = ell[0], _semi_axes_hv(ell[1], ell[2])
        if converged:
            break
    _, rad = fit_circle(pts[keep])
    if vanish_xy is not None and semi_hv[1] > (1 + ARC_MIN_STRETCH) * semi_hv[0]:
        vanish = np.asarray(vanish_xy, float)
        arc = _away_arc_fit(pts, keep, cos_t[:, 0], sin_t[:, 0], center, rad, vanish)
        # The side band / far plate only ever push the rim outwards, along the bar's image direction:
        # with a side-on camera that stretches the vertical axis and leaves the horizontal one. A yawed
        # camera's band lies beside the plate instead and the arc fit moves the horizontal axis: there
        # the band lies towards a vanishing point off the image centre (_yawed_plate_fit).
        if (
            arc is not None
            and arc[1][1] < semi_hv[1]
            and abs(arc[1][0] - semi_hv[0]) < ARC_MAX_H_CHANGE * rad
            and np.hypot(*(arc[0] - center)) < ARC_MAX_SHIFT * rad
        ):
            center, semi_hv = arc
        else:
            yawed = _yawed_plate_fit(pts, keep, cos_t[:, 0], sin_t[:, 0], center, semi_hv, rad, vanish)
            if yawed is not None:
                center, semi_hv = yawed
    share = float(keep.sum()) / N_RAYS
    sharp = min(1.0, median_1d(g1[keep]) / EDGE_FULL_SCORE)
    return RimFit(center_xy=center, radius=rad, semi_axes_hv=semi_hv, inlier_share=share, score=share * sharp)
