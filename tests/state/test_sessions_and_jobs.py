from __future__ import annotations

import threading

import pytest
import redis

from pipelines.state import JobQueue, SessionRecord, SessionStore


def _record(
    session_id: str, user_id: str = "u1", org_id: str = "o1", created: float = 100.0,
) -> SessionRecord:
    return SessionRecord(
        session_id=session_id, user_id=user_id, org_id=org_id, title="t", exercise="snatch",
        barbell_mass_kg=100.0, created_at_s=created,
    )


def test_session_create_get_update_delete(redis_client: redis.Redis) -> None:
    store = SessionStore(redis_client, "t-sessions-1")
    store.create(_record("s1"))
    with pytest.raises(ValueError, match="already exists"):
        store.create(_record("s1"))
    rec = store.update("s1", status="processing", progress=0.5, stage="pose")
    assert (rec.status, rec.progress, rec.stage) == ("processing", 0.5, "pose")
    got = store.get("s1")
    assert got is not None and got.stage == "pose" and got.exercise == "snatch"
    with pytest.raises(ValueError, match="status"):
        store.update("s1", status="exploded")
    with pytest.raises(ValueError, match="unknown"):
        store.update("s1", colour="red")
    assert store.delete("s1")
    assert store.get("s1") is None
    assert store.list_ids(user_id="u1") == []


def test_concurrent_updates_lose_nothing(redis_client: redis.Redis) -> None:
    store = SessionStore(redis_client, "t-sessions-2")
    store.create(_record("s1"))

    def bump(field: str) -> None:
        for i in range(30):
            store.update("s1", **{field: {"progress": i / 30, "stage": f"stage{i}"}[field]})

    threads = [threading.Thread(target=bump, args=(f,)) for f in ("progress", "stage")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rec = store.get("s1")
    assert rec is not None and rec.progress == 29 / 30 and rec.stage == "stage29"


def test_listing_is_newest_first_with_cursor_and_range(redis_client: redis.Redis) -> None:
    store = SessionStore(redis_client, "t-sessions-3")
    for i in range(5):
        store.create(_record(f"s{i}", created=100.0 + i))
    store.create(_record("other", user_id="u2", created=150.0))
    assert store.list_ids(user_id="u1", limit=2) == ["s4", "s3"]
    assert store.list_ids(user_id="u1", before_s=103.0, limit=2) == ["s2", "s1"]
    assert store.list_ids(user_id="u1", since_s=101.0, until_s=102.0) == ["s2", "s1"]
    assert store.list_ids(org_id="o1", limit=1) == ["other"]
    assert store.count_for_user("u1") == 5


def test_job_queue_claim_ack_and_reclaim(redis_client: redis.Redis) -> None:
    queue = JobQueue(redis_client, "t-jobs-1")
    queue.enqueue({"session_id": "s1"})
    queue.enqueue({"session_id": "s2"})
    first = queue.claim("runner-a", block_ms=100)
    assert first is not None and first[1] == {"session_id": "s1"}
    queue.ack(first[0])
    second = queue.claim("runner-a", block_ms=100)
    assert second is not None and second[1] == {"session_id": "s2"}
    # runner-a dies without acking: runner-b takes the job over
    assert queue.claim("runner-b", block_ms=100) is None
    taken = queue.reclaim_stale("runner-b", min_idle_ms=0)
    assert [job for _, job in taken] == [{"session_id": "s2"}]
    queue.ack(taken[0][0])
    assert queue.depth() == 0
