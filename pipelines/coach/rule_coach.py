"""The rule-based coach: a findings document in, one short text out (no network, deterministic)."""

from __future__ import annotations

from typing import Any

from pipelines.coach.rules import REFERENCE_HEIGHT_M
from pipelines.coach.templates import (
    CAVEAT_NO_ANGLE,
    CAVEATS,
    FAULTS,
    LABELS,
    PATH_TYPES,
    PHRASES,
    UNITS,
    check_language,
)

MAX_CUES = 2  # coaches act on one or two cues at a time


def rule_text(doc: dict[str, Any]) -> str:
    """The comment for one thread. Cites the reliable findings, then the faults with cues, then caveats."""
    lang = check_language(str(doc.get("language", "en")))
    phrases, labels = PHRASES[lang], LABELS[lang]
    parts: list[str] = []
    findings = doc.get("findings") or []
    if findings:
        items = []
        for f in findings:
            shown = PATH_TYPES[lang].get(f["text"], f["text"]) if f["unit"] == "" else _local(f["text"], lang)
            item = f"{labels.get(f['metric'], f['metric'])} {shown}"
            if "reference" in f:
                item += " (" + phrases["reference"].format(range=_range(f["reference"], lang)) + ")"
            items.append(item)
        parts.append(phrases["measured"].format(items="; ".join(items)))
    elif not doc.get("flags"):
        parts.append(phrases["nothing"])

    flags = doc.get("flags") or []
    if doc.get("key") == "final_summary":
        parts.append(phrases["faults_found"] if flags else phrases["clean_lift"])
    elif findings and not flags:
        parts.append(phrases["no_fault"])
    for i, flag in enumerate(flags):
        message, cue = FAULTS[lang][flag["rule"]]
        parts.append(message.format(**{k: _local(v, lang) for k, v in flag["values"].items()}))
        if i < MAX_CUES:
            parts.append(cue)

    for caveat in doc.get("caveats") or []:
        template = CAVEATS[lang].get(caveat["rule"])
        if template is not None and "value" in caveat["values"]:
            parts.append(template.format(**{k: _local(v, lang) for k, v in caveat["values"].items()}))
        else:
            parts.append(CAVEAT_NO_ANGLE[lang])

    unreliable = doc.get("unreliable") or []
    if unreliable:
        parts.append(phrases["not_measured"].format(
            items=", ".join(labels.get(u["metric"], u["metric"]) for u in unreliable)))
    used = [f["rule"] for f in [*flags, *(doc.get("caveats") or [])]]
    rules = phrases["rules"].format(items=", ".join(used)) if used else ""
    parts.append(phrases["source"].format(rules=rules))
    return " ".join(parts)


def _local(quantity: str, lang: str) -> str:
    """'12.5 cm' -> '12.5 см' in Russian; numbers and degrees stay as they are."""
    number, _, unit = quantity.partition(" ")
    return f"{number} {UNITS[lang].get(unit, unit)}" if unit else quantity


def _range(ref: dict[str, Any], lang: str) -> str:
    phrases = PHRASES[lang]
    low = _local(ref["low"], lang) if ref["low"] is not None else None
    high = _local(ref["high"], lang) if ref["high"] is not None else None
    if low is None:
        text = phrases["at_most"].format(high=high)
    elif high is None:
        text = phrases["at_least"].format(low=low)
    else:
        text = phrases["range"].format(low=low, high=high)
    if ref.get("pct_of_height") is not None:
        lo, hi = ref["pct_of_height"]
        notes = [phrases["of_height"].format(lo=f"{lo:g}", hi=f"{hi:g}")]
        if ref.get("height_assumed"):
            notes.append(phrases["height_assumed"].format(height=f"{REFERENCE_HEIGHT_M:g} m"))
        text += " (" + "; ".join(notes) + ")"
    return text
