"""report.html: one self-contained page (inline CSS and SVG, key frames embedded as data: URIs)."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.render.svg_plot import Line, path_chart, time_chart
from pipelines.render.units import check_units, display_unit

ANGLE_CODES = ("lank", "rank", "lkne", "rkne", "lhip", "rhip", "lelb", "relb", "lsho", "rsho")
SUMMARY_METRICS = (
    "max_bar_speed",
    "max_power",
    "peak_bar_height_m",
    "max_GRF",
    "total_time",
    "bar_path_type",
)
_CSS = """
body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#222;padding:0 12px}
h1{margin-bottom:4px} .sub{color:#666;margin-top:0}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:130px}
.card b{display:block;font-size:20px}.card span{color:#666;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:13px}
td,th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.na{color:#999}
.warn{background:#fff6dd;border-left:4px solid #e0a800;padding:6px 10px;margin:4px 0}
.frames{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:10px}
figure{margin:0}figure img{width:100%;border-radius:4px}figcaption{font-size:12px;color:#555}
svg{max-width:100%;height:auto} .coach p{white-space:pre-wrap}
"""


def _series(series: dict[str, list], name: str) -> np.ndarray | None:
    values = series.get(name)
    if values is None:
        return None
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _fmt_value(value: Any, unit: str, units: str) -> tuple[str, str]:
    """(number text, unit label) of a metric value in the display units."""
    if isinstance(value, str):
        return html.escape(value), ""
    du = display_unit(unit, units)
    label = "" if unit in ("1", "") else du.label
    shown = float(value) * du.factor
    text = f"{shown:.0f}" if abs(shown) >= 100 else f"{shown:.2f}" if abs(shown) >= 1 else f"{shown:.3g}"
    return text, label


def _keyframe_src(path_text: str, out_dir: Path) -> str:
    """A data: URI of the JPEG when it can be read (the report then stands alone); else the relative path."""
    path = Path(path_text)
    path = path if path.is_absolute() else out_dir / path
    if path.is_file():
        return "data:image/jpeg;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    return html.escape(path_text)


def _metrics_table(metrics: dict[str, dict], units: str) -> str:
    rows = ["<table><tr><th>metric</th><th>value</th><th>unit</th><th>confidence</th><th>note</th></tr>"]
    for name, m in metrics.items():
        value = m.get("value")
        conf = m.get("confidence")
        conf_txt = f"{float(conf):.2f}" if isinstance(conf, (int, float)) else ""
        if value is None:
            rows.append(
                f'<tr><td>{html.escape(name)}</td><td class="na">unavailable</td><td></td>'
                f'<td class="num">{conf_txt}</td><td>{html.escape(str(m.get("reason", "")))}</td></tr>'
            )
            continue
        text, label = _fmt_value(value, str(m.get("unit", "")), units)
        rows.append(
            f'<tr><td>{html.escape(name)}</td><td class="num">{text}</td><td>{html.escape(label)}</td>'
            f'<td class="num">{conf_txt}</td><td></td></tr>'
        )
    rows.append("</table>")
    return "\n".join(rows)


def _charts(series: dict[str, list], phases: list[tuple[str, float, float]], units: str) -> list[str]:
    t = _series(series, "t_s")
    if t is None:
        return ['<p class="na">No time series in this report.</p>']
    charts: list[str] = []
    length, speed = display_unit("m", units), display_unit("m/s", units)
    x, y, v = _series(series, "bar_x_m"), _series(series, "bar_y_m"), _series(series, "bar_speed_mps")
    if x is not None and y is not None and np.isfinite(x).any():
        charts.append(
            path_chart(
                x * length.factor,
                y * length.factor,
                title="Bar path (side view, colour = speed)",
                x_label=f"horizontal ({length.label})",
                y_label=f"height ({length.label})",
                colour_by=v,
            )
        )
    specs = [
        (
            "Bar velocity",
            f"velocity ({speed.label})",
            speed.factor,
            [("vertical", "bar_vy_mps"), ("speed", "bar_speed_mps")],
        ),
        (
            "Bar height",
            f"height ({length.label})",
            length.factor,
            [("bar", "bar_y_m"), ("hip", "hip_height_m")],
        ),
        ("Bar power", "power (W)", 1.0, [("power", "bar_power_w")]),
        (
            "Ground reaction force",
            f"force ({display_unit('N', units).label})",
            display_unit("N", units).factor,
            [("GRF", "grf_n")],
        ),
        (
            "Joint angles",
            "angle (deg)",
            1.0,
            [(code, f"{code}_angle_deg") for code in ANGLE_CODES] + [("torso", "torso_angle_deg")],
        ),
    ]
    for title, y_label, factor, wanted in specs:
        lines = []
        for label, column in wanted:
            values = _series(series, column)
            if values is not None and np.isfinite(values).any():
                lines.append(Line(label, values * factor))
        if lines:
            charts.append(time_chart(t, lines, title=title, y_label=y_label, phases=phases))
    return charts


def render_html_report(
    report: dict, series: dict[str, list], keyframes: dict[str, str], out_path: Path, units: str = "metric"
) -> None:
    """Write report.html. keyframes maps event -> JPEG path (relative to out_path's folder, or absolute);
    readable ones are embedded as data: URIs so the file works alone, offline."""
    check_units(units)
    esc = html.escape
    reps: list[dict] = list(report.get("reps") or [])
    primary = report.get("primary_rep")
    video = report.get("video") or {}
    calib = report.get("calibration")
    mass = display_unit("kg", units)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>liftlab – {esc(str(report.get('exercise', 'lift')))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{esc(str(report.get('exercise', 'lift')).replace('_', ' ').title())}</h1>",
    ]
    bar_mass = report.get("barbell_mass_kg")
    sub = [f"{len(reps)} rep(s)"]
    if isinstance(bar_mass, (int, float)):
        sub.append(f"bar {float(bar_mass) * mass.factor:.1f} {mass.label}")
    if video:
        sub.append(
            f"video {video.get('width_px')}×{video.get('height_px')} "
            f"at {float(video.get('fps') or 0):.2f} fps, {float(video.get('duration_s') or 0):.1f} s"
        )
    sub.append(f"pose model {report.get('pose_model', '?')}, liftlab {report.get('liftlab_version', '?')}")
    parts.append(f"<p class='sub'>{esc(' · '.join(sub))}</p>")
    if calib:
        parts.append(
            f"<p class='sub'>Scale {float(calib['m_per_px']) * 1000:.3f} mm/px from a "
            f"{float(calib['plate_diameter_m']) * 1000:.0f} mm plate, "
            f"camera yaw {float(calib['yaw_deg']):.0f}°, "
            f"confidence {float(calib['confidence']):.2f}</p>"
        )
    else:
        parts.append("<p class='warn'>No calibration: distances, speeds and power are unavailable.</p>")

    warnings = report.get("warnings") or []
    if warnings:
        parts.append("<h2>Warnings</h2>")
        parts += [
            f"<div class='warn'><b>{esc(str(w.get('code', '')))}</b>: {esc(str(w.get('message', '')))}</div>"
            for w in warnings
        ]

    main_rep = reps[primary] if isinstance(primary, int) and 0 <= primary < len(reps) else None
    if main_rep is not None:
        parts.append(f"<h2>Summary (rep {int(main_rep['index']) + 1})</h2><div class='cards'>")
        for name in SUMMARY_METRICS:
            m = main_rep.get("metrics", {}).get(name)
            if m is None:
                continue
            if m.get("value") is None:
                parts.append(f"<div class='card'><b class='na'>n/a</b><span>{esc(name)}</span></div>")
                continue
            text, label = _fmt_value(m["value"], str(m.get("unit", "")), units)
            parts.append(f"<div class='card'><b>{text} {esc(label)}</b><span>{esc(name)}</span></div>")
        parts.append("</div>")

    coaching = report.get("coaching") or {}
    if coaching:
        parts.append("<h2>Coaching</h2><div class='coach'>")
        parts += [
            f"<h3>{esc(str(block).replace('_', ' ').capitalize())}</h3><p>{esc(str(text))}</p>"
            for block, text in coaching.items()
        ]
        parts.append("</div>")

    phases = [
        (str(p["name"]), float(p["start_t_s"]), float(p["end_t_s"]))
        for r in reps
        for p in r.get("phases", [])
    ]
    parts.append("<h2>Plots</h2>")
    parts += _charts(series, phases, units)

    if keyframes:
        parts.append("<h2>Key frames</h2><div class='frames'>")
        events = (main_rep or {}).get("events", {})
        for name, path_text in keyframes.items():
            t = events.get(name, {}).get("t_s")
            caption = esc(name.replace("_", " ")) + (
                f" · {float(t):.2f} s" if isinstance(t, (int, float)) else ""
            )
            parts.append(
                f"<figure><img alt='{esc(name)}' src='{_keyframe_src(path_text, out_path.parent)}'>"
                f"<figcaption>{caption}</figcaption></figure>"
            )
        parts.append("</div>")

    parts.append("<h2>Metrics</h2>")
    for rep in reps:
        label = (
            f"Rep {int(rep['index']) + 1} ({float(rep['start_t_s']):.2f}–{float(rep['end_t_s']):.2f} s"
            + (", incomplete)" if not rep.get("complete", True) else ")")
        )
        is_main = rep is main_rep
        parts.append(f"<details{' open' if is_main else ''}><summary>{esc(label)}</summary>")
        parts.append(_metrics_table(rep.get("metrics", {}), units) + "</details>")
    if not reps:
        parts.append("<p class='na'>No rep was found in this video.</p>")
    parts.append("</body></html>")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text("\n".join(parts), encoding="utf-8")
