"""What every response builder needs about one session, whether a user's or the demo."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ACTIVITY = "Weightlifting"
SIDE_CODES = {"ankle": "ank", "knee": "kne", "elbow": "elb", "hip": "hip", "shoulder": "sho"}


@dataclass(slots=True)
class ViewContext:
    session_id: str
    prefix: str  # object-store folder of the session's artifacts, ends with "/"
    title: str
    exercise: str
    created_at_s: float
    user_information: dict[str, Any]  # display_name, age, weight, height, gender, email (SI)
    body_joint_angles: list[str]
    measurement_system: str = "metric"
    status: str = "done"
    progress: float = 1.0
    stage: str = "done"
    error: str | None = None
    video_key: str | None = None
    report: dict[str, Any] | None = None
    version: float | str = ""  # of the report (the record's updated_at_s): keys memoised derivations
    warnings: list[dict[str, str]] = field(default_factory=list)

    @property
    def user_name(self) -> str:
        return str(self.user_information.get("display_name") or "")


def created_at(created_at_s: float) -> dict[str, str]:
    """The seed's {date: DD/MM/YYYY, time: HH:MM AM/PM}, in UTC."""
    moment = datetime.fromtimestamp(created_at_s, tz=UTC)
    return {"date": moment.strftime("%d/%m/%Y"), "time": moment.strftime("%I:%M %p")}


def session_date(created_at_s: float) -> str:
    return datetime.fromtimestamp(created_at_s, tz=UTC).strftime("%d/%m/%Y")


def primary_rep(report: dict[str, Any]) -> dict[str, Any] | None:
    reps = report.get("reps") or []
    index = report.get("primary_rep")
    for rep in reps:
        if rep.get("index") == index:
            return dict(rep)
    return dict(reps[0]) if reps else None


def series(report: dict[str, Any], column: str) -> list[float | None]:
    values = (report.get("series") or {}).get(column)
    return [None if v is None or math.isnan(v) else float(v) for v in values] if values else []


def rep_window(report: dict[str, Any]) -> slice:
    """Frame indices of the primary rep (the whole clip when no rep was found)."""
    t_s = series(report, "t_s")
    rep = primary_rep(report)
    if rep is None or not t_s:
        return slice(0, len(t_s))
    start, end = float(rep["start_t_s"]), float(rep["end_t_s"])
    inside = [i for i, t in enumerate(t_s) if t is not None and start <= t <= end]
    return slice(inside[0], inside[-1] + 1) if inside else slice(0, len(t_s))


def numeric_metrics(report: dict[str, Any]) -> dict[str, tuple[float, str]]:
    """The primary rep's metrics that have a numeric value: name -> (value, SI unit)."""
    rep = primary_rep(report)
    out: dict[str, tuple[float, str]] = {}
    for name, metric in ((rep or {}).get("metrics") or {}).items():
        value = metric.get("value")
        if isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value):
            out[name] = (float(value), str(metric.get("unit", "")))
    return out


def joint_codes(body_joint_angles: list[str]) -> list[str]:
    """Joint codes (lkne, rkne, ...) of the selected body joints, left then right."""
    return [side + SIDE_CODES[j] for j in body_joint_angles if j in SIDE_CODES for side in ("l", "r")]


def bilateral_mean(left: list[float | None], right: list[float | None]) -> list[float | None]:
    """Mean of the two sides per frame; one side where only it is known."""
    out: list[float | None] = []
    for a, b in zip(left, right, strict=False):
        known = [v for v in (a, b) if v is not None]
        out.append(sum(known) / len(known) if known else None)
    if len(left) != len(right):
        longer = left if len(left) > len(right) else right
        out.extend(longer[len(out) :])
    return out


def min_max(values: list[float | None]) -> tuple[float | None, float | None]:
    known = [v for v in values if v is not None]
    return (min(known), max(known)) if known else (None, None)
