"""Unit conversion at the edge: everything inside is SI; imperial is only for what people read."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNIT_SYSTEMS = ("metric", "imperial")

M_TO_FT = 1.0 / 0.3048
M_TO_IN = 1.0 / 0.0254
KG_TO_LB = 1.0 / 0.45359237
N_TO_LBF = 1.0 / 4.4482216152605


@dataclass(frozen=True, slots=True)
class DisplayUnit:
    """How an SI quantity is shown: the label and the factor from the SI value."""

    label: str
    factor: float


_METRIC: dict[str, DisplayUnit] = {
    "m": DisplayUnit("m", 1.0),
    "m/s": DisplayUnit("m/s", 1.0),
    "m/s^2": DisplayUnit("m/s²", 1.0),
    "kg": DisplayUnit("kg", 1.0),
    "N": DisplayUnit("N", 1.0),
    "W": DisplayUnit("W", 1.0),
    "s": DisplayUnit("s", 1.0),
    "deg": DisplayUnit("°", 1.0),
    "m/px": DisplayUnit("m/px", 1.0),
    "%": DisplayUnit("%", 1.0),
}

_IMPERIAL: dict[str, DisplayUnit] = {
    **_METRIC,
    "m": DisplayUnit("in", M_TO_IN),
    "m/s": DisplayUnit("ft/s", M_TO_FT),
    "m/s^2": DisplayUnit("ft/s²", M_TO_FT),
    "kg": DisplayUnit("lb", KG_TO_LB),
    "N": DisplayUnit("lbf", N_TO_LBF),
    "m/px": DisplayUnit("in/px", M_TO_IN),
}


def check_units(units: str) -> str:
    if units not in UNIT_SYSTEMS:
        raise ValueError(f"units: expected one of {UNIT_SYSTEMS}, got {units!r}")
    return units


def display_unit(si_unit: str, units: str) -> DisplayUnit:
    """The display unit for an SI unit string; unknown units are shown unchanged."""
    table = _IMPERIAL if check_units(units) == "imperial" else _METRIC
    return table.get(si_unit, DisplayUnit(si_unit, 1.0))


def convert(values: np.ndarray, si_unit: str, units: str) -> np.ndarray:
    """Values (any shape) in the SI unit converted to the display unit of ``units``."""
    return np.asarray(values, dtype=np.float64) * display_unit(si_unit, units).factor
