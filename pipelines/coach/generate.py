"""One thread's text from its findings document: the LLM when configured, else the rule-based coach."""

from __future__ import annotations

from typing import Any, Literal

from pipelines.coach.llm import LlmClient
from pipelines.coach.prompts import build_messages
from pipelines.coach.rule_coach import rule_text

Source = Literal["llm", "rules"]


async def generate_text(doc: dict[str, Any], llm: LlmClient | None) -> tuple[str, Source]:
    """(text, source). A document with nothing reliable to say never goes to the LLM: the rule-based
    coach states that the data is insufficient, which is all an honest model could say."""
    if llm is None or not (doc.get("findings") or doc.get("flags")):
        return rule_text(doc), "rules"
    return await llm.complete(build_messages(doc)), "llm"
