"""Tiny inline-SVG plotting: time series with shaded phases, and an x/y path. No dependencies, no network;
NaN breaks a line (gaps stay visible as gaps)."""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pipelines.render.draw import speed_rgb

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
PHASE_FILLS = ("#f2f2f2", "#e3ecf7", "#fbeee0", "#e6f4e6", "#f5e6f2", "#eeeeda", "#e0f2f2")
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 58, 12, 26, 38


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    values: np.ndarray  # (n,) aligned with the x array of the chart
    colour: str = ""


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / max(1, count)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    return [round(first + k * step, 10) for k in range(int((hi - first) / step + 1e-9) + 1)]


def _fmt(v: float) -> str:
    return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def _polylines(xs: np.ndarray, ys: np.ndarray) -> list[str]:
    """'x,y x,y ...' strings, one per run of finite points."""
    ok = np.isfinite(xs) & np.isfinite(ys)
    runs: list[str] = []
    current: list[str] = []
    for x, y, good in zip(xs, ys, ok, strict=True):
        if good:
            current.append(f"{x:.1f},{y:.1f}")
        elif current:
            runs.append(" ".join(current))
            current = []
    if current:
        runs.append(" ".join(current))
    return runs


def _range(arrays: list[np.ndarray]) -> tuple[float, float]:
    finite = np.concatenate([a[np.isfinite(a)] for a in arrays]) if arrays else np.array([])
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    pad = 0.05 * (hi - lo)
    return lo - pad, hi + pad


def _axes(
    parts: list[str],
    *,
    x_ticks: list[float],
    y_ticks: list[float],
    sx: Callable[[float], float | np.ndarray],
    sy: Callable[[float], float | np.ndarray],
    w: int,
    h: int,
    x_label: str,
    y_label: str,
) -> None:
    for t in y_ticks:
        y = sy(t)
        parts.append(f'<line x1="{MARGIN_L}" x2="{w - MARGIN_R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{MARGIN_L - 4}" y="{y + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
    for t in x_ticks:
        x = sx(t)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{h - MARGIN_B}" y2="{h - MARGIN_B + 4}" stroke="#555"/>'
        )
        parts.append(f'<text x="{x:.1f}" y="{h - MARGIN_B + 16}" text-anchor="middle">{_fmt(t)}</text>')
    parts.append(
        f'<rect x="{MARGIN_L}" y="{MARGIN_T}" width="{w - MARGIN_L - MARGIN_R}" '
        f'height="{h - MARGIN_T - MARGIN_B}" fill="none" stroke="#555"/>'
    )
    parts.append(
        f'<text x="{(MARGIN_L + w - MARGIN_R) / 2:.0f}" y="{h - 6}" text-anchor="middle">'
        f"{html.escape(x_label)}</text>"
    )
    parts.append(
        f'<text transform="translate(14,{(MARGIN_T + h - MARGIN_B) / 2:.0f}) rotate(-90)" '
        f'text-anchor="middle">{html.escape(y_label)}</text>'
    )


def _open_svg(w: int, h: int, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'font-family="sans-serif" font-size="11" role="img" aria-label="{html.escape(title)}">',
        f'<text x="{MARGIN_L}" y="16" font-size="13" font-weight="bold">{html.escape(title)}</text>',
    ]


def _legend(parts: list[str], lines: list[Line], w: int) -> None:
    x = w - MARGIN_R - 6
    for k, line in reversed(list(enumerate(lines))):
        colour = line.colour or PALETTE[k % len(PALETTE)]
        label = html.escape(line.label)
        width = 7 * len(line.label) + 22
        x -= width
        parts.append(f'<line x1="{x}" x2="{x + 14}" y1="12" y2="12" stroke="{colour}" stroke-width="2"/>')
        parts.append(f'<text x="{x + 18}" y="16">{label}</text>')


def time_chart(
    t_s: np.ndarray,
    lines: list[Line],
    *,
    title: str,
    y_label: str,
    phases: list[tuple[str, float, float]] | None = None,
    width: int = 720,
    height: int = 240,
) -> str:
    """Lines over time with phases as shaded, labelled bands. t_s: (n,); each Line.values: (n,)."""
    t = np.asarray(t_s, dtype=np.float64)
    t_lo, t_hi = (float(np.nanmin(t)), float(np.nanmax(t))) if t.size else (0.0, 1.0)
    if t_hi <= t_lo:
        t_hi = t_lo + 1.0
    y_lo, y_hi = _range([np.asarray(line.values, dtype=np.float64) for line in lines])
    plot_w, plot_h = width - MARGIN_L - MARGIN_R, height - MARGIN_T - MARGIN_B

    def sx(v: float | np.ndarray) -> float | np.ndarray:
        return MARGIN_L + (v - t_lo) / (t_hi - t_lo) * plot_w

    def sy(v: float | np.ndarray) -> float | np.ndarray:
        return MARGIN_T + (y_hi - v) / (y_hi - y_lo) * plot_h

    parts = _open_svg(width, height, title)
    for k, (name, start, end) in enumerate(phases or []):
        x0, x1 = float(sx(max(start, t_lo))), float(sx(min(end, t_hi)))
        if x1 <= x0:
            continue
        parts.append(
            f'<rect x="{x0:.1f}" y="{MARGIN_T}" width="{x1 - x0:.1f}" height="{plot_h}" '
            f'fill="{PHASE_FILLS[k % len(PHASE_FILLS)]}"><title>{html.escape(name)}</title></rect>'
        )
        parts.append(
            f'<text x="{(x0 + x1) / 2:.1f}" y="{MARGIN_T + 11}" text-anchor="middle" font-size="9" '
            f'fill="#666">{html.escape(name.replace("_", " "))}</text>'
        )
    _axes(
        parts,
        x_ticks=nice_ticks(t_lo, t_hi, 8),
        y_ticks=nice_ticks(y_lo, y_hi),
        sx=sx,
        sy=sy,
        w=width,
        h=height,
        x_label="time (s)",
        y_label=y_label,
    )
    for k, line in enumerate(lines):
        colour = line.colour or PALETTE[k % len(PALETTE)]
        ys = sy(np.asarray(line.values, dtype=np.float64))
        for run in _polylines(np.asarray(sx(t)), np.asarray(ys)):
            parts.append(f'<polyline points="{run}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
    _legend(parts, lines, width)
    parts.append("</svg>")
    return "\n".join(parts)


def path_chart(
    x: np.ndarray,
    y: np.ndarray,
    *,
    title: str,
    x_label: str,
    y_label: str,
    colour_by: np.ndarray | None = None,
    size: int = 360,
) -> str:
    """y against x with equal scales (a bar path keeps its true shape), y up; optional colouring of
    each segment by colour_by (n,) relative to its max (blue slow to red fast)."""
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    x_lo, x_hi = _range([xs])
    y_lo, y_hi = _range([ys])
    span = max(x_hi - x_lo, y_hi - y_lo)
    x_mid, y_mid = (x_lo + x_hi) / 2, (y_lo + y_hi) / 2
    x_lo, x_hi, y_lo, y_hi = x_mid - span / 2, x_mid + span / 2, y_mid - span / 2, y_mid + span / 2
    width, height = size + MARGIN_L + MARGIN_R - 40, size
    plot_w, plot_h = width - MARGIN_L - MARGIN_R, height - MARGIN_T - MARGIN_B
    side = min(plot_w, plot_h)

    def sx(v: float | np.ndarray) -> float | np.ndarray:
        return MARGIN_L + (v - x_lo) / span * side

    def sy(v: float | np.ndarray) -> float | np.ndarray:
        return MARGIN_T + (y_hi - v) / span * side

    parts = _open_svg(width, height, title)
    _axes(
        parts,
        x_ticks=nice_ticks(x_lo, x_hi, 4),
        y_ticks=nice_ticks(y_lo, y_hi),
        sx=sx,
        sy=sy,
        w=MARGIN_L + side + MARGIN_R,
        h=MARGIN_T + side + MARGIN_B,
        x_label=x_label,
        y_label=y_label,
    )
    px, py = np.asarray(sx(xs)), np.asarray(sy(ys))
    if colour_by is None:
        for run in _polylines(px, py):
            parts.append(f'<polyline points="{run}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>')
    else:
        c = np.asarray(colour_by, dtype=np.float64)
        top = float(np.nanmax(c)) if np.isfinite(c).any() else 1.0
        rgb = speed_rgb(c / top if top > 0 else c)
        for k in range(len(px) - 1):
            if np.isfinite([px[k], py[k], px[k + 1], py[k + 1]]).all():
                r, g, b = (int(v) for v in rgb[k + 1])
                parts.append(
                    f'<line x1="{px[k]:.1f}" y1="{py[k]:.1f}" x2="{px[k + 1]:.1f}" y2="{py[k + 1]:.1f}" '
                    f'stroke="rgb({r},{g},{b})" stroke-width="2.5" stroke-linecap="round"/>'
                )
    parts.append("</svg>")
    return "\n".join(parts)
