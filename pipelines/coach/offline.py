"""All comments for one report.json at once, without Redis (the `liftlab coach` command).

Same findings, rules, prompts and LLM client as the threads; the LLM is used when settings name one.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pipelines.coach.findings import build_documents
from pipelines.coach.generate import generate_text
from pipelines.coach.keys import KEYS_BY_KIND
from pipelines.coach.llm import LlmClient, LlmError
from pipelines.settings import Settings


def coach_report(report: dict[str, Any], measurement_system: str, language: str,
                 settings: Settings) -> dict[str, Any]:
    """{"summary_text": {block: text}, "comments": {metric: text}, "sources": {...}, "errors": {...}}."""
    return asyncio.run(_coach(report, measurement_system, language, settings))


async def _coach(report: dict[str, Any], measurement_system: str, language: str,
                 settings: Settings) -> dict[str, Any]:
    llm = LlmClient(settings) if settings.llm_base_url else None
    semaphore = asyncio.Semaphore(max(1, settings.llm_max_concurrency))
    out: dict[str, Any] = {"measurement_system": measurement_system, "language": language,
                           "summary_text": {}, "comments": {}, "sources": {}, "errors": {}}

    async def one(section: str, key: str, doc: dict[str, Any]) -> None:
        async with semaphore:
            try:
                text, source = await generate_text(doc, llm)
            except LlmError as exc:
                out["errors"][key] = str(exc)
                return
        out[section][key] = text
        out["sources"][key] = source

    try:
        jobs = []
        for kind, section in (("summary", "summary_text"), ("recommendation", "comments")):
            docs = build_documents(report, KEYS_BY_KIND[kind], kind, measurement_system, language)
            jobs += [one(section, key, doc) for key, doc in docs.items()]
        await asyncio.gather(*jobs)
    finally:
        if llm is not None:
            await llm.close()
    for section, kind in (("summary_text", "summary"), ("comments", "recommendation")):
        out[section] = {k: out[section][k] for k in KEYS_BY_KIND[kind] if k in out[section]}
    return out
