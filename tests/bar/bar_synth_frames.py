"""Small synthetic frames for the bar tests: plates drawn with sub-pixel centres on a textured background."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

_SHIFT = 4  # cv2 fixed-point bits: centres and axes drawn to 1/16 px


def _background(w: int, h: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(60, 200, size=(max(2, h // 24), max(2, w // 24), 3)).astype(np.float32)
    bg = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(bg, 0, 255).astype(np.uint8)


def draw_plate(
    img: np.ndarray,
    centre_xy: tuple[float, float],
    radius_px: float,
    semi_h_px: float | None = None,
    colour: tuple[int, int, int] = (40, 40, 40),
) -> None:
    """Draws a bumper plate (ellipse when semi_h_px < radius_px) with a hub and a few marks, in place."""
    f = 1 << _SHIFT
    c = (round(centre_xy[0] * f), round(centre_xy[1] * f))
    sh = radius_px if semi_h_px is None else semi_h_px
    k = sh / radius_px
    axes = (round(sh * f), round(radius_px * f))
    cv2.ellipse(img, c, axes, 0, 0, 360, colour, -1, cv2.LINE_AA, _SHIFT)
    light = tuple(min(255, v + 120) for v in colour)
    for frac, col in ((0.22, (200, 200, 200)), (0.12, (90, 90, 90))):
        cv2.ellipse(
            img,
            c,
            (round(frac * sh * f), round(frac * radius_px * f)),
            0,
            0,
            360,
            col,
            -1,
            cv2.LINE_AA,
            _SHIFT,
        )
    for ang in (0.3, 2.0, 4.1):  # marks on the face give optical flow something to hold on to
        p = (
            round((centre_xy[0] + 0.6 * k * radius_px * np.cos(ang)) * f),
            round((centre_xy[1] + 0.6 * radius_px * np.sin(ang)) * f),
        )
        cv2.circle(img, p, round(0.07 * radius_px * f), light, -1, cv2.LINE_AA, _SHIFT)


@dataclass(frozen=True)
class SynthClip:
    frames_bgr: list[np.ndarray]
    t_s: np.ndarray  # (n,)
    centre_xy_px: np.ndarray  # (n, 2) true plate centre in the frame, y down (camera shake included)
    world_xy_px: np.ndarray  # (n, 2) true plate centre without the camera shake
    radius_px: float
    m_per_px: float


def lift_height_m(t_s: np.ndarray) -> np.ndarray:
    """A snatch-like rise: still for 0.4 s, minimum-jerk rise of 1.1 m in 0.9 s, 0.12 m drop, hold."""
    u = np.clip((t_s - 0.4) / 0.9, 0, 1)
    rise = 1.1 * (10 * u**3 - 15 * u**4 + 6 * u**5)
    v = np.clip((t_s - 1.3) / 0.25, 0, 1)
    return rise - 0.12 * (10 * v**3 - 15 * v**4 + 6 * v**5)


def make_lift_clip(
    w: int = 640,
    h: int = 360,
    fps: float = 30.0,
    duration_s: float = 2.0,
    radius_px: float = 30.0,
    noise: float = 4.0,
    second_plate: bool = False,
    shake_px: float = 0.0,
    blur_subframes: int = 3,
    seed: int = 0,
) -> SynthClip:
    """A plate lifted along lift_height_m with a little horizontal S, on a textured background."""
    rng = np.random.default_rng(seed)
    bg = _background(w + 40, h + 40, seed)
    m_per_px = 0.225 / radius_px
    t_s = np.arange(round(duration_s * fps)) / fps
    start = np.array([0.45 * w, h - radius_px - 8])

    def centre(t: np.ndarray) -> np.ndarray:
        x = 0.04 * np.sin(2 * np.pi * np.clip(t - 0.4, 0, None) / 1.2)
        return np.column_stack([start[0] + x / m_per_px, start[1] - lift_height_m(t) / m_per_px])

    shake = rng.normal(0, shake_px, size=(t_s.size, 2)) if shake_px > 0 else np.zeros((t_s.size, 2))
    frames = []
    for i, t in enumerate(t_s):
        sub = t + (np.arange(blur_subframes) / blur_subframes - 0.5) * 0.5 / fps
        acc = np.zeros((h, w, 3), np.float32)
        for c in centre(sub):
            ox, oy = 20 + shake[i, 0], 20 + shake[i, 1]
            m = np.array([[1, 0, -ox], [0, 1, -oy]], dtype=np.float32)
            img = cv2.warpAffine(bg, m, (w, h), flags=cv2.INTER_LINEAR)
            if second_plate:
                draw_plate(img, (0.82 * w, h - radius_px - 8), radius_px, colour=(30, 120, 30))
            draw_plate(img, (c[0] - shake[i, 0], c[1] - shake[i, 1]), radius_px)
            acc += img
        img = acc / blur_subframes + rng.normal(0, noise, size=(h, w, 3)).astype(np.float32)
        frames.append(np.clip(img, 0, 255).astype(np.uint8))
    return SynthClip(frames, t_s, centre(t_s) - shake, centre(t_s), radius_px, m_per_px)
