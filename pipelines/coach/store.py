"""Redis layout of coaching threads, shared by ThreadService (API side) and CoachWorker.

  {ns}:coach:thread:{thread_id}            hash: the thread record + its findings document (JSON)
  {ns}:coach:session:{sid}:{kind}:threads  hash: key -> current thread id
  {ns}:coach:session:{sid}:{kind}:texts    hash: key -> text of the last completed thread
  {ns}:coach:jobs                          stream: one entry {thread_id} per thread to run
"""

from __future__ import annotations

import json
import time
from typing import Any, Final

import redis

from pipelines.coach.keys import KEYS_BY_KIND

STATES: Final = ("queued", "running", "completed", "failed")
ACTIVE_STATES: Final = ("queued", "running")
CONSUMER_GROUP: Final = "coach"
# Superseded threads stay readable this long, so a client polling an old id still gets an answer.
SUPERSEDED_TTL_S: Final = 24 * 3600
STREAM_MAXLEN: Final = 100_000

# Write fields only while the thread still exists (a deleted session must not be resurrected); on
# completion also publish the text when the thread is still the current one for its key.
_UPDATE_LUA: Final = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
if ARGV[1] ~= '' and redis.call('HGET', KEYS[2], ARGV[2]) == redis.call('HGET', KEYS[1], 'thread_id') then
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[1])
end
return 1
"""


def _str(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class ThreadStore:
    def __init__(self, client: redis.Redis, namespace: str) -> None:
        self.redis = client
        self.ns = namespace
        self.stream = f"{namespace}:coach:jobs"
        self._update = client.register_script(_UPDATE_LUA)

    def thread_key(self, thread_id: str) -> str:
        return f"{self.ns}:coach:thread:{thread_id}"

    def map_key(self, session_id: str, kind: str) -> str:
        return f"{self.ns}:coach:session:{session_id}:{kind}:threads"

    def texts_key(self, session_id: str, kind: str) -> str:
        return f"{self.ns}:coach:session:{session_id}:{kind}:texts"

    def load(self, thread_id: str, client: Any = None) -> dict[str, str] | None:
        raw = (client or self.redis).hgetall(self.thread_key(thread_id))
        return {_str(k): _str(v) for k, v in raw.items()} if raw else None

    def public(self, record: dict[str, str]) -> dict[str, Any]:
        """The record as the API shows it (no findings document)."""
        return {
            "thread_id": record["thread_id"], "session_id": record["session_id"], "kind": record["kind"],
            "key": record["key"], "state": record["state"], "text": record.get("text") or None,
            "source": record.get("source") or None, "error": record.get("error") or None,
            "created_at_s": float(record["created_at_s"]), "updated_at_s": float(record["updated_at_s"]),
        }

    def current_map(self, session_id: str, kind: str, client: Any = None) -> dict[str, str]:
        raw = (client or self.redis).hgetall(self.map_key(session_id, kind))
        return {_str(k): _str(v) for k, v in raw.items()}

    def texts(self, session_id: str, kind: str) -> dict[str, str]:
        raw = self.redis.hgetall(self.texts_key(session_id, kind))
        order = KEYS_BY_KIND[kind]
        texts = {_str(k): _str(v) for k, v in raw.items()}
        return {k: texts[k] for k in order if k in texts}

    def update(self, record: dict[str, str], fields: dict[str, str], published_text: str = "") -> bool:
        """Set fields (+ updated_at_s) if the thread exists; returns False when it was deleted."""
        args: list[str] = [published_text, record["key"]]
        for k, v in {**fields, "updated_at_s": f"{time.time():.3f}"}.items():
            args += [k, v]
        keys = [self.thread_key(record["thread_id"]), self.map_key(record["session_id"], record["kind"]),
                self.texts_key(record["session_id"], record["kind"])]
        return bool(self._update(keys=keys, args=args))

    def new_record(self, thread_id: str, session_id: str, kind: str, key: str,
                   doc: dict[str, Any]) -> dict[str, str]:
        now = f"{time.time():.3f}"
        return {"thread_id": thread_id, "session_id": session_id, "kind": kind, "key": key,
                "state": "queued", "text": "", "source": "", "error": "", "created_at_s": now,
                "updated_at_s": now, "findings": json.dumps(doc, ensure_ascii=False)}
