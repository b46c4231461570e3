"""The findings document: what one thread may say, as plain JSON, in the caller's units.

Built once from report.json when threads are created; the rule-based coach and the LLM prompt both
read only this document, so the two sources cannot disagree about the numbers.
"""

from __future__ import annotations

from typing import Any, Final

from pipelines.coach.keys import KEY_MEASUREMENTS
from pipelines.coach.measurements import MIN_CONFIDENCE, LiftContext, Measurement, lift_context, measure
from pipelines.coach.rules import (
    BAR_LOOP_MAX_PCT,
    DROP_UNDER_MAX_PCT,
    HIP_TO_BAR_RISE_MAX,
    MAX_KNEE_ASYMMETRY_DEG,
    MIN_ELBOW_ANGLE_DEG,
    MIN_HIP_EXTENSION_DEG,
    MIN_PEAK_SPEED_MPS,
    REFERENCE_HEIGHT_M,
    SECOND_PULL_DX_MAX_PCT,
    Flag,
    evaluate,
)
from pipelines.coach.units import MeasurementSystem, check_measurement_system, format_quantity

_CUNANAN: Final = "Cunanan et al. 2020 (snatch)"
# name -> (low, high, unit, source); "%h" means a share of the lifter's height, shown as a length.
_REFERENCES: Final[dict[str, tuple[float | None, float | None, str, str]]] = {
    "peak_bar_height_pct_height": (70.0, 85.0, "%", _CUNANAN),
    "drop_under_bar_m": (4.0, DROP_UNDER_MAX_PCT, "%h", _CUNANAN),
    "second_pull_dx_m": (2.0, SECOND_PULL_DX_MAX_PCT, "%h", _CUNANAN + ", away from the lifter"),
    "first_pull_dx_m": (-6.0, -2.0, "%h", _CUNANAN + ", toward the lifter (negative)"),
    "bar_loop_m": (2.0, BAR_LOOP_MAX_PCT, "%h", _CUNANAN),
    "first_pull_bar_angle_deg": (5.0, 15.0, "deg", _CUNANAN),
    "turnover_duration_s": (0.20, 0.35, "s", "snatch phase durations (unverified)"),
    "first_pull_duration_s": (0.40, 0.60, "s", "snatch phase durations (unverified)"),
    "transition_duration_s": (0.10, 0.15, "s", "snatch phase durations (unverified)"),
    "second_pull_duration_s": (0.10, 0.20, "s", "snatch phase durations (unverified)"),
    "hip_to_bar_rise_ratio": (None, HIP_TO_BAR_RISE_MAX, "1", "liftlab rule hips_rise_first"),
    "min_elbow_angle_pull_deg": (MIN_ELBOW_ANGLE_DEG, None, "deg", "liftlab rule early_arm_bend"),
    "hip_angle_extension_deg": (MIN_HIP_EXTENSION_DEG, None, "deg", "liftlab rule incomplete_extension"),
    "knee_asymmetry_deg": (None, MAX_KNEE_ASYMMETRY_DEG, "deg", "liftlab rule knee_asymmetry"),
}
_SPEED_RANGES: Final[dict[str, float]] = {"snatch": 2.0, "clean": 1.7, "clean_and_jerk": 1.7}


def build_documents(report: dict[str, Any], keys: tuple[str, ...], kind: str, measurement_system: str,
                    language: str) -> dict[str, dict[str, Any]]:
    """One findings document per key, all from one pass over the report."""
    system = check_measurement_system(measurement_system)
    ms = measure(report)
    ctx = lift_context(report)
    flags = evaluate(ms, ctx)
    return {key: document(key, kind, ms=ms, ctx=ctx, flags=flags, system=system, language=language)
            for key in keys}


def document(key: str, kind: str, *, ms: dict[str, Measurement], ctx: LiftContext, flags: list[Flag],
             system: MeasurementSystem, language: str) -> dict[str, Any]:
    names = KEY_MEASUREMENTS.get(key)
    if names is None:
        raise ValueError(f"thread key: expected one of {tuple(KEY_MEASUREMENTS)}, got {key!r}")
    flag_of = {m: f.rule.id for f in flags for m in f.outcome.metrics}
    findings, unreliable = [], []
    for name in names:
        m = ms.get(name)
        if m is None:
            unreliable.append({"metric": name, "reason": "not in the report"})
        elif not m.reliable:
            why = m.reason or f"confidence {m.confidence:.2f} below {MIN_CONFIDENCE}"
            unreliable.append({"metric": name, "reason": why})
        else:
            findings.append(_finding(m, ctx, system, flag_of.get(name)))
    mine = [f for f in flags if key in f.rule.keys]
    return {
        "kind": kind,
        "key": key,
        "exercise": ctx.exercise,
        "measurement_system": system,
        "language": language,
        "lifter": _lifter(ctx, system),
        "findings": findings,
        "flags": [_flag(f, ctx, system) for f in mine if f.rule.severity == "fault"],
        "caveats": [_flag(f, ctx, system) for f in mine if f.rule.severity == "caveat"],
        # Kept for the rule-based coach's "not measured" line; never sent to the LLM.
        "unreliable": unreliable,
    }


def _finding(m: Measurement, ctx: LiftContext, system: MeasurementSystem, rule: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"metric": m.name, "phase": m.phase, "confidence": round(m.confidence, 2),
                           "rule": rule}
    if isinstance(m.value, str):
        out.update(value=m.value, unit="", text=m.value)
    else:
        assert m.value is not None
        text = format_quantity(float(m.value), m.unit, system)
        out.update(text=text, value=_number(text), unit=_unit_of(text))
    reference = _reference(m.name, ctx, system)
    if reference is not None:
        out["reference"] = reference
        out["reference_range"] = _range_text(reference)
        out["reference_source"] = reference["source"]
    return out


def _reference(name: str, ctx: LiftContext, system: MeasurementSystem) -> dict[str, Any] | None:
    """{low, high (formatted or None), pct_of_height ([lo, hi] or None), height_assumed, source}."""
    if name == "max_bar_speed" and ctx.exercise in MIN_PEAK_SPEED_MPS:
        low, high = MIN_PEAK_SPEED_MPS[ctx.exercise], _SPEED_RANGES[ctx.exercise]
        return {"low": format_quantity(low, "m/s", system), "high": format_quantity(high, "m/s", system),
                "pct_of_height": None, "height_assumed": False,
                "source": "typical competition peak bar speed (unverified)"}
    if name not in _REFERENCES:
        return None
    lo, hi, unit, source = _REFERENCES[name]
    pct = None
    if unit == "%h":
        pct = [lo, hi]
        height = ctx.height_m if ctx.height_m is not None else REFERENCE_HEIGHT_M
        lo = None if lo is None else lo / 100 * height
        hi = None if hi is None else hi / 100 * height
        unit = "m"
    return {"low": None if lo is None else format_quantity(lo, unit, system),
            "high": None if hi is None else format_quantity(hi, unit, system),
            "pct_of_height": pct, "height_assumed": pct is not None and ctx.height_m is None,
            "source": source}


def _range_text(ref: dict[str, Any]) -> str:
    """English range for the prompt, e.g. '3.5 cm to 14 cm (2 % to 8 % of height)'."""
    low, high = ref["low"], ref["high"]
    text = f"<= {high}" if low is None else f">= {low}" if high is None else f"{low} to {high}"
    if ref["pct_of_height"] is not None:
        lo_pct, hi_pct = ref["pct_of_height"]
        text += f" ({lo_pct:g} % to {hi_pct:g} % of height"
        text += f", height unknown: {REFERENCE_HEIGHT_M} m assumed)" if ref["height_assumed"] else ")"
    return text


def _flag(flag: Flag, ctx: LiftContext, system: MeasurementSystem) -> dict[str, Any]:
    values = {k: format_quantity(v, unit, system) for k, (v, unit) in flag.outcome.values.items()}
    return {"rule": flag.rule.id, "severity": flag.rule.severity, "source": flag.rule.source,
            "metrics": list(flag.outcome.metrics), "values": values}


def _lifter(ctx: LiftContext, system: MeasurementSystem) -> dict[str, str]:
    out = {}
    if ctx.height_m is not None:
        out["height"] = format_quantity(ctx.height_m, "m", system)
    if ctx.body_mass_kg is not None:
        out["body_mass"] = format_quantity(ctx.body_mass_kg, "kg", system)
    if ctx.barbell_mass_kg is not None:
        out["barbell_mass"] = format_quantity(ctx.barbell_mass_kg, "kg", system)
    return out


def _number(text: str) -> float:
    return float(text.split(maxsplit=1)[0].rstrip("°"))


def _unit_of(text: str) -> str:
    if text.endswith("°"):
        return "deg"
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""
