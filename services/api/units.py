"""SI on the inside; `measurement_system=imperial` converts at the edge, by unit."""

from __future__ import annotations

from typing import Any

LB_PER_KG = 2.2046226218
FT_PER_M = 3.280839895
LBF_PER_N = 0.2248089431

# SI unit -> (imperial unit, factor)
_IMPERIAL: dict[str, tuple[str, float]] = {
    "m": ("ft", FT_PER_M),
    "m/s": ("ft/s", FT_PER_M),
    "m/s^2": ("ft/s^2", FT_PER_M),
    "N": ("lbf", LBF_PER_N),
    "kg": ("lb", LB_PER_KG),
    "m/px": ("ft/px", FT_PER_M),
}


def convert(value: Any, unit: str, system: str) -> Any:
    """value (a number, None, or a list of them) in `unit` expressed in `system`'s unit."""
    if system != "imperial" or unit not in _IMPERIAL:
        return value
    factor = _IMPERIAL[unit][1]
    if isinstance(value, list):
        return [None if v is None else v * factor for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value * factor
    return value


def unit_in(unit: str, system: str) -> str:
    return _IMPERIAL[unit][0] if system == "imperial" and unit in _IMPERIAL else unit
