"""Organisation webhooks: a signed POST when a session finishes or fails, retried with backoff.

The pipeline runner calls ``notify_session_finished(redis, settings, session_id)`` after it sets the
final status (from a thread: it blocks while retrying). Signature: header
``X-Liftlab-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``; receivers recompute it
and reject stale timestamps.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable

import httpx
import redis

from pipelines.settings import Settings
from pipelines.state import SessionStore
from services.api.accounts import AccountStore

log = logging.getLogger("liftlab.webhooks")

RETRY_DELAYS_S = (1.0, 4.0, 16.0)  # after the first attempt; 4 attempts in all
TIMEOUT_S = 10.0


def sign(secret: str, timestamp_s: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_s}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp_s},v1={digest}"


def verify(
    secret: str, header: str, body: bytes, max_age_s: float = 300.0, now_s: float | None = None
) -> bool:
    """For receivers (and tests): constant-time check of a signature header."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp_s = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now_s if now_s is not None else time.time()) - timestamp_s) > max_age_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp_s, body), header)


def notify_session_finished(
    client: redis.Redis,
    settings: Settings,
    session_id: str,
    *,
    http: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    retry_delays_s: tuple[float, ...] = RETRY_DELAYS_S,
) -> bool:
    """POST session.done / session.failed to the owner's organisation webhook, if one is set.

    Returns True when delivered (2xx) or when there is nothing to deliver; False after the last retry.
    Retries on network errors, 5xx and 429; a 4xx other than 429 is final.
    """
    record = SessionStore(client, settings.redis_namespace).get(session_id)
    if record is None or record.status not in ("done", "failed"):
        return True
    org = AccountStore(client, settings.redis_namespace).get_org(record.org_id)
    if org is None or not org.webhook_url or not org.webhook_secret:
        return True
    body = json.dumps(
        {
            "event": f"session.{record.status}",
            "session_id": record.session_id,
            "user_id": record.user_id,
            "status": record.status,
            "error": record.error,
            "exercise": record.exercise,
            "title": record.title,
            "finished_at_s": record.updated_at_s,
        }
    ).encode()
    own_client = http is None
    http_client = http or httpx.Client(timeout=TIMEOUT_S)
    try:
        for attempt, delay_s in enumerate((0.0, *retry_delays_s)):
            if delay_s:
                sleep(delay_s)
            headers = {
                "Content-Type": "application/json",
                "X-Liftlab-Signature": sign(org.webhook_secret, int(time.time()), body),
                "X-Liftlab-Delivery": f"{session_id}:{record.status}",
            }
            try:
                response = http_client.post(org.webhook_url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                log.warning("webhook %s attempt %d failed: %s", session_id, attempt + 1, exc)
                continue
            if 200 <= response.status_code < 300:
                return True
            log.warning("webhook %s attempt %d: HTTP %d", session_id, attempt + 1, response.status_code)
            if response.status_code < 500 and response.status_code != 429:
                return False
        return False
    finally:
        if own_client:
            http_client.close()
