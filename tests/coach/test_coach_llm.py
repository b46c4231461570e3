"""LlmClient through the real openai SDK against the scripted OpenAI-compatible server on localhost."""

from __future__ import annotations

import asyncio

import pytest

from pipelines.coach.llm import LlmClient, LlmError, RetryPolicy
from pipelines.settings import Settings
from tests.coach.conftest import FakeLlm

FAST = RetryPolicy(max_attempts=3, backoff_base_s=0.01, backoff_max_s=0.05)
MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "peak 1.85 m/s"}]


def _complete(llm: FakeLlm, timeout_s: float = 5.0) -> str:
    settings = Settings(llm_base_url=llm.url, llm_model="coach-test", llm_timeout_s=timeout_s)

    async def go() -> str:
        client = LlmClient(settings, FAST)
        try:
            return await client.complete(MESSAGES)
        finally:
            await client.close()

    return asyncio.run(go())


def test_answer_and_request_shape(fake_llm: FakeLlm) -> None:
    assert _complete(fake_llm).startswith("LLM comment #1")
    assert len(fake_llm.requests) == 1
    body = fake_llm.requests[0]
    assert body["model"] == "coach-test" and body["messages"] == MESSAGES


@pytest.mark.parametrize("script", [["429"], ["500"], ["429", "500"]])
def test_rate_limits_and_server_errors_are_retried(fake_llm: FakeLlm, script: list[str]) -> None:
    fake_llm.script = list(script)
    assert _complete(fake_llm).startswith(f"LLM comment #{len(script) + 1}")
    assert len(fake_llm.requests) == len(script) + 1


def test_gives_up_after_the_last_attempt_with_the_reason(fake_llm: FakeLlm) -> None:
    fake_llm.script = ["500", "500", "500", "500"]
    with pytest.raises(LlmError, match=r"after 3 attempts; last error HTTP 500"):
        _complete(fake_llm)
    assert len(fake_llm.requests) == 3


def test_timeout_is_a_failure_with_a_reason_and_not_retried(fake_llm: FakeLlm) -> None:
    fake_llm.script, fake_llm.slow_s = ["slow"], 1.5
    with pytest.raises(LlmError, match=r"timed out after 0.3 s"):
        _complete(fake_llm, timeout_s=0.3)
    assert len(fake_llm.requests) == 1


def test_backoff_grows_exponentially_and_honours_retry_after() -> None:
    policy = RetryPolicy(max_attempts=5, backoff_base_s=1.0, backoff_max_s=20.0)
    for attempt, cap in enumerate((1.0, 2.0, 4.0, 8.0)):
        assert cap / 2 <= policy.delay_s(attempt, None) <= cap
    assert policy.delay_s(10, None) <= 20.0
    assert policy.delay_s(0, 3.0) == 3.0 and policy.delay_s(0, 99.0) == 20.0


def test_the_network_guard_blocks_non_loopback_hosts() -> None:
    import socket

    with pytest.raises(AssertionError, match="reach the network"):
        socket.create_connection(("192.0.2.1", 443), timeout=0.5)  # TEST-NET-1, never routed


def test_sdk_calls_to_a_remote_host_never_leave_the_machine() -> None:
    settings = Settings(llm_base_url="https://192.0.2.1/v1", llm_timeout_s=1.0)

    async def go() -> str:
        client = LlmClient(settings, RetryPolicy(max_attempts=1))
        try:
            return await client.complete(MESSAGES)
        finally:
            await client.close()

    with pytest.raises(BaseException) as info:  # the guard's AssertionError, maybe inside a group
        asyncio.run(go())
    if isinstance(info.value, BaseExceptionGroup):
        assert info.group_contains(AssertionError, match="reach the network")
    else:
        assert "reach the network" in str(info.value)
