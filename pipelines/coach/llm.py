"""OpenAI-compatible chat client with the coach's retry policy (OpenAI, vLLM, Ollama ...).

The SDK's own retries are off (max_retries=0) so that the policy lives in one place: 429 and 5xx are
retried with exponential backoff (Retry-After honoured, capped); a timeout is not retried, because a
server that is slow once is usually slow again and the thread should fail with a clear reason.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

import openai
from openai import AsyncOpenAI

from pipelines.settings import Settings


class LlmError(Exception):
    """The LLM did not produce a text; the message is the thread's failure reason."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 4
    backoff_base_s: float = 1.0
    backoff_max_s: float = 20.0

    def delay_s(self, attempt: int, retry_after_s: float | None) -> float:
        """Wait before attempt+1 (attempt counts from 0); jitter spreads many threads' retries apart."""
        if retry_after_s is not None:
            return min(max(retry_after_s, 0.0), self.backoff_max_s)
        return min(self.backoff_base_s * 2**attempt, self.backoff_max_s) * random.uniform(0.5, 1.0)


class LlmClient:
    def __init__(self, settings: Settings, policy: RetryPolicy | None = None) -> None:
        if not settings.llm_base_url:
            raise ValueError("LlmClient: expected Settings.llm_base_url, got an empty string")
        self.model = settings.llm_model
        self.timeout_s = settings.llm_timeout_s
        self.policy = policy or RetryPolicy()
        self.client = AsyncOpenAI(
            base_url=settings.llm_base_url,
            # Local servers (vLLM, Ollama) accept any key, but the SDK refuses an empty one.
            api_key=settings.llm_api_key or "not-needed",
            timeout=settings.llm_timeout_s,
            max_retries=0,
        )

    async def complete(self, messages: list[dict[str, str]]) -> str:
        """The assistant's text; raises LlmError with the reason after the last failed attempt."""
        last = ""
        for attempt in range(self.policy.max_attempts):
            try:
                response = await self.client.chat.completions.create(
                    model=self.model, messages=messages, temperature=0.3,  # type: ignore[arg-type]
                )
            except openai.APITimeoutError as exc:
                raise LlmError(f"LLM request timed out after {self.timeout_s:g} s") from exc
            except (openai.RateLimitError, openai.InternalServerError) as exc:
                last = f"HTTP {exc.status_code}: {_short(exc.message)}"
                if attempt + 1 < self.policy.max_attempts:
                    await asyncio.sleep(self.policy.delay_s(attempt, _retry_after_s(exc.response)))
                continue
            except openai.APIConnectionError as exc:
                last = f"cannot reach the LLM at {self.client.base_url}: {_short(str(exc))}"
                if attempt + 1 < self.policy.max_attempts:
                    await asyncio.sleep(self.policy.delay_s(attempt, None))
                continue
            except openai.APIStatusError as exc:  # 4xx other than 429: retrying will not help
                reason = f"LLM refused the request: HTTP {exc.status_code}: {_short(exc.message)}"
                raise LlmError(reason) from exc
            text = (response.choices[0].message.content or "").strip() if response.choices else ""
            if not text:
                raise LlmError("LLM returned an empty answer")
            return text
        raise LlmError(f"LLM failed after {self.policy.max_attempts} attempts; last error {last}")

    async def close(self) -> None:
        await self.client.close()


def _retry_after_s(response: object) -> float | None:
    headers = getattr(response, "headers", None)
    raw = headers.get("retry-after") if headers is not None else None
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
