"""Coaching threads: the API's entry point. Creating threads is cheap and returns ids at once; the text
is produced later by CoachWorker, which consumes the Redis Stream these calls append to.

Repeat semantics: while any thread of a session's summary (or recommendation) set is queued or running,
creating that set again returns the same ids (whatever measurement system or language is asked). Once
all of them have completed or failed, creating again regenerates: new ids, new jobs; the previous texts
stay visible in summary_texts/recommendation_texts until the new ones complete, and the superseded
thread records expire after a day.
"""

from __future__ import annotations

import uuid
from typing import Any

import redis

from pipelines.coach.findings import build_documents
from pipelines.coach.keys import KEYS_BY_KIND, check_kind
from pipelines.coach.store import ACTIVE_STATES, STREAM_MAXLEN, SUPERSEDED_TTL_S, ThreadStore
from pipelines.coach.templates import check_language
from pipelines.coach.units import check_measurement_system
from pipelines.settings import Settings


class ThreadService:
    def __init__(self, redis: redis.Redis, settings: Settings) -> None:
        self.store = ThreadStore(redis, settings.redis_namespace)
        self.redis = redis

    def create_summary_threads(self, session_id: str, report: dict[str, Any],
                               measurement_system: str = "metric", language: str = "en") -> dict[str, str]:
        """{velocity, power, stability, final_summary} -> thread id."""
        return self._create(session_id, "summary", report, measurement_system, language)

    def create_recommendation_threads(self, session_id: str, report: dict[str, Any],
                                      measurement_system: str = "metric",
                                      language: str = "en") -> dict[str, str]:
        """{power_output, ground_reaction_force, ... vertical_shoulder_height} -> thread id."""
        return self._create(session_id, "recommendation", report, measurement_system, language)

    def get_thread(self, thread_id: str) -> dict[str, Any] | None:
        record = self.store.load(thread_id)
        return self.store.public(record) if record is not None else None

    def summary_texts(self, session_id: str) -> dict[str, str]:
        """Completed texts by summary block (the seed's summary_text); empty before any completes."""
        return self.store.texts(session_id, "summary")

    def recommendation_texts(self, session_id: str) -> dict[str, str]:
        """Completed texts by lift-analysis metric (the seed's comments)."""
        return self.store.texts(session_id, "recommendation")

    def delete_session(self, session_id: str) -> None:
        """Forget every thread of the session; jobs still in the stream are skipped by the worker."""
        for kind in KEYS_BY_KIND:
            ids = self.store.current_map(session_id, kind).values()
            self.redis.delete(*[self.store.thread_key(t) for t in ids], self.store.map_key(session_id, kind),
                              self.store.texts_key(session_id, kind))

    def _create(self, session_id: str, kind: str, report: dict[str, Any], measurement_system: str,
                language: str) -> dict[str, str]:
        thread_kind = check_kind(kind)
        check_language(language)
        check_measurement_system(measurement_system)
        if not session_id:
            raise ValueError("session_id: expected a non-empty string")
        keys = KEYS_BY_KIND[thread_kind]
        docs = build_documents(report, keys, thread_kind, measurement_system, language)
        map_key = self.store.map_key(session_id, thread_kind)
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(map_key)
                    current = self.store.current_map(session_id, thread_kind, client=pipe)
                    if current and self._any_active(current.values(), pipe):
                        pipe.unwatch()
                        return {k: current[k] for k in keys if k in current}
                    ids = {key: f"thread_{uuid.uuid4().hex}" for key in keys}
                    pipe.multi()
                    for key, thread_id in ids.items():
                        record: dict[Any, Any] = self.store.new_record(
                            thread_id, session_id, thread_kind, key, docs[key])
                        pipe.hset(self.store.thread_key(thread_id), mapping=record)
                    id_map: dict[Any, Any] = ids
                    pipe.hset(map_key, mapping=id_map)
                    for old in current.values():
                        pipe.expire(self.store.thread_key(old), SUPERSEDED_TTL_S)
                    for thread_id in ids.values():
                        pipe.xadd(self.store.stream, {"thread_id": thread_id}, maxlen=STREAM_MAXLEN,
                                  approximate=True)
                    pipe.execute()
                    return ids
                except redis.WatchError:
                    continue  # another request changed the set meanwhile: look again

    def _any_active(self, thread_ids: Any, pipe: Any) -> bool:
        for thread_id in thread_ids:
            record = self.store.load(thread_id, client=pipe)
            if record is not None and record["state"] in ACTIVE_STATES:
                return True
        return False
