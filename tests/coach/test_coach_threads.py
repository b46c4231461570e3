"""ThreadService + CoachWorker against a real redis-server (and the scripted LLM server)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis

from pipelines.coach.keys import RECOMMENDATION_METRICS, SUMMARY_BLOCKS
from pipelines.coach.threads import ThreadService
from pipelines.settings import Settings
from tests.coach.conftest import FakeLlm, RunWorker

RULES_ONLY = Settings(redis_namespace="t")


def _wait(service: ThreadService, ids: dict[str, str], timeout_s: float = 20.0) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while True:
        threads = {k: service.get_thread(t) for k, t in ids.items()}
        if all(t is not None and t["state"] in ("completed", "failed") for t in threads.values()):
            return {k: t for k, t in threads.items() if t is not None}
        if time.monotonic() > deadline:
            raise AssertionError(f"threads not finished after {timeout_s} s: {threads}")
        time.sleep(0.05)


def test_summary_threads_with_the_rule_based_coach(coach_redis: redis.Redis, report: dict[str, Any],
                                                   run_worker: RunWorker) -> None:
    service = ThreadService(coach_redis, RULES_ONLY)
    ids = service.create_summary_threads("s1", report, "metric", "en")
    assert list(ids) == list(SUMMARY_BLOCKS) and len(set(ids.values())) == 4
    queued = service.get_thread(ids["velocity"])
    assert queued is not None and queued["state"] == "queued" and queued["text"] is None
    assert service.summary_texts("s1") == {}
    # repeating while threads are queued returns the same ids
    assert service.create_summary_threads("s1", report, "imperial", "ru") == ids

    run_worker(RULES_ONLY)
    threads = _wait(service, ids)
    for key, thread in threads.items():
        assert thread["state"] == "completed" and thread["source"] == "rules", thread
        assert (thread["session_id"], thread["kind"], thread["key"]) == ("s1", "summary", key)
        assert thread["created_at_s"] <= thread["updated_at_s"] and thread["error"] is None
    texts = service.summary_texts("s1")
    assert list(texts) == list(SUMMARY_BLOCKS)
    assert "peak bar speed 1.85 m/s" in texts["velocity"]
    assert service.recommendation_texts("s1") == {}

    # after completion a repeat regenerates: new ids; the old texts stay until the new ones complete
    again = service.create_summary_threads("s1", report, "imperial", "en")
    assert set(again.values()).isdisjoint(ids.values())
    _wait(service, again)
    assert "6.07 ft/s" in service.summary_texts("s1")["velocity"]
    old = service.get_thread(ids["velocity"])
    assert old is not None and old["state"] == "completed"
    assert 0 < coach_redis.ttl(f"t:coach:thread:{ids['velocity']}") <= 24 * 3600


def test_recommendation_threads_through_the_llm(coach_redis: redis.Redis, report: dict[str, Any],
                                                fake_llm: FakeLlm, run_worker: RunWorker) -> None:
    settings = Settings(redis_namespace="t", llm_base_url=fake_llm.url, llm_model="m", llm_timeout_s=5.0)
    service = ThreadService(coach_redis, settings)
    run_worker(settings)
    ids = service.create_recommendation_threads("s2", report, "imperial", "ru")
    assert list(ids) == list(RECOMMENDATION_METRICS)
    threads = _wait(service, ids)
    assert all(t["state"] == "completed" and t["source"] == "llm" for t in threads.values())
    assert all(t["text"].startswith("LLM comment #") for t in threads.values())
    assert set(service.recommendation_texts("s2")) == set(RECOMMENDATION_METRICS)
    prompts = [r["messages"][-1]["content"] for r in fake_llm.requests]
    assert len(prompts) == len(RECOMMENDATION_METRICS)
    velocity = next(p for p in prompts if "'barbell_velocity'" in p)
    assert '"value": 6.07' in velocity and '"unit": "ft/s"' in velocity
    assert all("Answer in Russian" in r["messages"][0]["content"] for r in fake_llm.requests)


def test_retries_then_completes(coach_redis: redis.Redis, report: dict[str, Any], fake_llm: FakeLlm,
                                run_worker: RunWorker) -> None:
    fake_llm.script = ["429", "500", "429"]
    settings = Settings(redis_namespace="t", llm_base_url=fake_llm.url, llm_max_concurrency=1)
    service = ThreadService(coach_redis, settings)
    run_worker(settings)
    threads = _wait(service, service.create_summary_threads("s3", report, "metric", "en"))
    assert all(t["state"] == "completed" for t in threads.values()), threads
    assert len(fake_llm.requests) == len(SUMMARY_BLOCKS) + 3


def test_timeout_fails_the_thread_with_a_reason(coach_redis: redis.Redis, report: dict[str, Any],
                                                fake_llm: FakeLlm, run_worker: RunWorker) -> None:
    # the timeout leaves a loaded CI machine room for the quick answers (0.4 s failed a second thread
    # there once); only the scripted slow one may exceed it
    fake_llm.script, fake_llm.slow_s = ["slow"], 3.0
    settings = Settings(redis_namespace="t", llm_base_url=fake_llm.url, llm_timeout_s=1.2,
                        llm_max_concurrency=1)
    service = ThreadService(coach_redis, settings)
    run_worker(settings)
    threads = _wait(service, service.create_summary_threads("s4", report, "metric", "en"))
    failed = [t for t in threads.values() if t["state"] == "failed"]
    assert len(failed) == 1 and failed[0]["key"] == "velocity"
    assert failed[0]["error"] == "LLM request timed out after 1.2 s" and failed[0]["text"] is None
    assert set(service.summary_texts("s4")) == set(SUMMARY_BLOCKS) - {"velocity"}


def test_concurrency_stays_bounded(coach_redis: redis.Redis, report: dict[str, Any], fake_llm: FakeLlm,
                                   run_worker: RunWorker) -> None:
    fake_llm.delay_s = 0.15
    settings = Settings(redis_namespace="t", llm_base_url=fake_llm.url, llm_max_concurrency=2)
    service = ThreadService(coach_redis, settings)
    run_worker(settings)
    run_worker(settings)  # two workers share the stream; each is bounded on its own
    ids = service.create_recommendation_threads("s5", report, "metric", "en")
    _wait(service, ids)
    assert len(fake_llm.requests) == len(RECOMMENDATION_METRICS)  # each job handled once
    assert 2 <= fake_llm.max_in_flight <= 4, fake_llm.max_in_flight


def test_single_worker_never_exceeds_its_limit(coach_redis: redis.Redis, report: dict[str, Any],
                                               fake_llm: FakeLlm, run_worker: RunWorker) -> None:
    fake_llm.delay_s = 0.1
    settings = Settings(redis_namespace="t", llm_base_url=fake_llm.url, llm_max_concurrency=3)
    service = ThreadService(coach_redis, settings)
    run_worker(settings)
    _wait(service, service.create_recommendation_threads("s6", report, "metric", "en"))
    assert fake_llm.max_in_flight == 3


def test_delete_session_and_unknown_threads(coach_redis: redis.Redis, report: dict[str, Any],
                                            run_worker: RunWorker) -> None:
    service = ThreadService(coach_redis, RULES_ONLY)
    ids = service.create_recommendation_threads("s7", report, "metric", "en")
    service.delete_session("s7")
    assert all(service.get_thread(t) is None for t in ids.values())
    run_worker(RULES_ONLY)  # the queued jobs of the deleted session are skipped, not resurrected
    time.sleep(0.5)
    assert all(service.get_thread(t) is None for t in ids.values())
    assert service.recommendation_texts("s7") == {} and service.get_thread("thread_nope") is None
    assert coach_redis.keys("t:coach:session:s7:*") == []


def test_bad_arguments_are_refused(coach_redis: redis.Redis, report: dict[str, Any]) -> None:
    service = ThreadService(coach_redis, RULES_ONLY)
    with pytest.raises(ValueError, match="measurement_system"):
        service.create_summary_threads("s8", report, "stones", "en")
    with pytest.raises(ValueError, match="language"):
        service.create_summary_threads("s8", report, "metric", "de")


def test_works_with_a_bytes_redis_client(coach_redis_port: int, coach_redis: redis.Redis,
                                         report: dict[str, Any], run_worker: RunWorker) -> None:
    raw = redis.Redis(port=coach_redis_port)  # no decode_responses, as the CLI worker builds it
    service = ThreadService(raw, RULES_ONLY)
    ids = service.create_summary_threads("s9", report, "metric", "en")
    run_worker(RULES_ONLY)
    assert all(t["state"] == "completed" for t in _wait(service, ids).values())
    assert set(service.summary_texts("s9")) == set(SUMMARY_BLOCKS)
    raw.close()


def test_jobs_of_a_dead_worker_are_reclaimed(coach_redis: redis.Redis, report: dict[str, Any]) -> None:
    import threading

    from pipelines.coach.store import CONSUMER_GROUP
    from pipelines.coach.worker import CoachWorker

    service = ThreadService(coach_redis, RULES_ONLY)
    ids = service.create_summary_threads("s10", report, "metric", "en")
    coach_redis.xgroup_create("t:coach:jobs", CONSUMER_GROUP, id="0", mkstream=True)
    # a worker that read every job and died before acknowledging any
    coach_redis.xreadgroup(CONSUMER_GROUP, "dead", {"t:coach:jobs": ">"}, count=10)
    time.sleep(0.3)
    worker = CoachWorker(coach_redis, RULES_ONLY, consumer="alive", reclaim_idle_s=0.2)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert all(t["state"] == "completed" for t in _wait(service, ids).values())
        assert coach_redis.xpending("t:coach:jobs", CONSUMER_GROUP)["pending"] == 0
    finally:
        stop.set()
        thread.join(timeout=30)
