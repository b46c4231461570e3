"""SI -> caller's measurement system, at the edge (inside the coach everything is SI).

Only the coach's own display units live here; report.json stays SI.
"""

from __future__ import annotations

import math
from typing import Final, Literal

MeasurementSystem = Literal["metric", "imperial"]
MEASUREMENT_SYSTEMS: Final[tuple[str, ...]] = ("metric", "imperial")

# SI unit -> (imperial unit, factor to multiply the SI value by)
_IMPERIAL: Final[dict[str, tuple[str, float]]] = {
    "m": ("in", 1.0 / 0.0254),
    "m/s": ("ft/s", 1.0 / 0.3048),
    "m/s^2": ("ft/s^2", 1.0 / 0.3048),
    "N": ("lbf", 1.0 / 4.4482216152605),
    "kg": ("lb", 1.0 / 0.45359237),
    "m/px": ("in/px", 1.0 / 0.0254),
}

# Metric display: lengths of a lift read better in centimetres than in metres.
_METRIC: Final[dict[str, tuple[str, float]]] = {"m": ("cm", 100.0)}

# Decimals per display unit: enough to be honest about video accuracy, no more.
_DECIMALS: Final[dict[str, int]] = {
    "cm": 1, "in": 1, "m/s": 2, "ft/s": 2, "m/s^2": 1, "ft/s^2": 1, "N": 0, "lbf": 0, "W": 0,
    "kg": 1, "lb": 1, "s": 2, "deg": 0, "%": 1, "1": 2, "W/kg": 1, "x body weight": 2,
}


def check_measurement_system(system: str) -> MeasurementSystem:
    if system not in MEASUREMENT_SYSTEMS:
        raise ValueError(f"measurement_system: expected one of {MEASUREMENT_SYSTEMS}, got {system!r}")
    return "metric" if system == "metric" else "imperial"


def convert(value_si: float, unit_si: str, system: MeasurementSystem) -> tuple[float, str]:
    """(value, unit) in the caller's system; units without an entry (W, s, deg, %) are shared."""
    table = _IMPERIAL if system == "imperial" else _METRIC
    unit, factor = table.get(unit_si, (unit_si, 1.0))
    return value_si * factor, unit


def rounded(value: float, unit: str) -> float:
    decimals = _DECIMALS.get(unit, 3)
    out = round(value, decimals)
    return float(int(out)) if decimals == 0 else out


def format_quantity(value_si: float, unit_si: str, system: MeasurementSystem) -> str:
    """E.g. 1.62 m/s, 12.5 cm, 4.9 in, 1834 W."""
    if not math.isfinite(value_si):
        raise ValueError(f"format_quantity: expected a finite value, got {value_si!r}")
    value, unit = convert(value_si, unit_si, system)
    shown = rounded(value, unit) + 0.0  # + 0.0 turns -0.0 into 0.0
    number = f"{int(shown)}" if _DECIMALS.get(unit, 3) == 0 else f"{shown:g}"
    if unit == "%":
        return f"{number} %"
    if unit in ("1", ""):
        return number
    if unit == "deg":
        return f"{number}°"
    return f"{number} {unit}"
