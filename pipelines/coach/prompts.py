"""LLM prompts built from a findings document (never from the raw report).

Unreliable measurements are left out of the prompt altogether, so the model cannot comment on them.
"""

from __future__ import annotations

import json
from typing import Any, Final

_LANGUAGE_NAMES: Final = {"en": "English", "ru": "Russian"}
_TOPICS: Final = {
    "velocity": "bar velocity", "power": "force and power output", "stability": "bar path and control",
    "final_summary": "an overall coaching summary of the lift",
}


def build_messages(doc: dict[str, Any]) -> list[dict[str, str]]:
    """Chat messages [system, user] for one thread."""
    language = _LANGUAGE_NAMES.get(str(doc.get("language", "en")), "English")
    system = (
        "You are an experienced Olympic weightlifting coach commenting on a video analysis of one lift. "
        "Rules: use only the findings given; cite the values with their units exactly as written; do not "
        "mention any metric that is not listed, and do not guess missing values; where a finding has a "
        "rule, explain that fault first; give one or two concrete, actionable cues, no more; if there are "
        "caveats, mention them in one short sentence; at most 90 words; plain text, no lists or markdown. "
        f"Answer in {language}."
    )
    key = str(doc["key"])
    if doc.get("kind") == "summary":
        topic = f"the summary block '{key}' ({_TOPICS.get(key, key)})"
    else:
        topic = f"the lift-analysis metric '{key}'"
    payload = {
        "exercise": doc.get("exercise"),
        "measurement_system": doc.get("measurement_system"),
        "lifter": doc.get("lifter", {}),
        "findings": [_prompt_finding(f) for f in doc.get("findings") or []],
        "faults_flagged_by_rules": [_prompt_flag(f) for f in doc.get("flags") or []],
        "caveats": [_prompt_flag(f) for f in doc.get("caveats") or []],
    }
    user = (
        f"Write the coaching comment for {topic}. Findings document (JSON, values in the lifter's "
        f"{doc.get('measurement_system')} units):\n{json.dumps(payload, ensure_ascii=False, indent=1)}"
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _prompt_finding(f: dict[str, Any]) -> dict[str, Any]:
    keep = ("metric", "phase", "value", "unit", "confidence", "reference_range", "reference_source", "rule")
    return {k: f[k] for k in keep if f.get(k) is not None}


def _prompt_flag(f: dict[str, Any]) -> dict[str, Any]:
    return {"rule": f["rule"], "values": f["values"], "source": f["source"]}
