"""The hot-path caches: sliding-window rate limiter, principal cache (with revocation), presigned URLs,
and the memoised details body."""

from __future__ import annotations

import dataclasses
import json
import secrets
from typing import Any

import redis
from litestar import Litestar
from litestar.testing import TestClient

from pipelines.settings import Settings
from services.api.accounts import AccountStore
from services.api.apikeys import ApiKeyStore
from services.api.app import create_app
from services.api.deps import ApiDeps
from services.api.principals import PrincipalCache
from services.api.ratelimit import SlidingWindowLimiter
from services.api.reports import PresignCache
from tests.api.conftest import Org
from tests.api.factories import finished_session, make_user

Client = TestClient[Litestar]


def _ns() -> str:
    return f"t{secrets.token_hex(4)}"


def test_sliding_window_has_no_burst_at_a_minute_edge(redis_client: redis.Redis) -> None:
    limiter = SlidingWindowLimiter(redis_client, _ns())
    t0 = 1_000_000 * 60.0  # a fixed window would start here
    # Three requests just before a minute boundary...
    assert [limiter.hit("k", 3, now_s=t0 - 0.3 + i * 0.1) for i in range(3)] == [None, None, None]
    # ...and three more just after it: a fixed window would allow them (6 in 0.6 s); this refuses them.
    refused = [limiter.hit("k", 3, now_s=t0 + 0.1 * i) for i in range(3)]
    assert all(r is not None for r in refused)
    assert refused[0] == 60.0  # the oldest accepted request leaves the window 59.7 s later: rounded up
    assert limiter.hit("other", 3, now_s=t0) is None  # per key
    # Once the first request is a full window old, exactly one slot is free again.
    assert limiter.hit("k", 3, now_s=t0 - 0.3 + 60.0 + 0.001) is None
    assert limiter.hit("k", 3, now_s=t0 - 0.3 + 60.0 + 0.002) is not None


def test_sliding_window_counts_at_most_limit_in_any_window(redis_client: redis.Redis) -> None:
    limiter = SlidingWindowLimiter(redis_client, _ns(), window_s=10.0)
    accepted = [t / 2 for t in range(200) if limiter.hit("k", 5, now_s=t / 2) is None]  # 2 req/s for 100 s
    for start in accepted:
        assert sum(start <= t < start + 10.0 for t in accepted) <= 5
    assert len(accepted) >= 45  # and it does admit 5 per 10 s, steadily


def test_rate_limit_retry_after_over_http(api_settings: Settings) -> None:
    with TestClient(app=create_app(dataclasses.replace(api_settings, rate_limit_per_minute=2))) as client:
        deps: ApiDeps = client.app.state.deps
        caller = make_user(deps, deps.accounts.create_org("rl2").org_id)
        codes = [client.get("/weightlifting/sessions/", headers=caller.headers).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        # Uploads authenticate in their preflight (before the body): the same limiter answers there.
        r = client.post("/weightlifting/sessions/", headers=caller.headers, files={"video": b"x"})
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60


class _Clock:
    def __init__(self) -> None:
        self.now_s = 0.0

    def __call__(self) -> float:
        return self.now_s


def test_principal_cache_expires_and_follows_the_auth_epoch(redis_client: redis.Redis) -> None:
    ns = _ns()
    accounts, keys = AccountStore(redis_client, ns), ApiKeyStore(redis_client, ns)
    user = accounts.create_user(accounts.create_org("c").org_id, plan="pro")
    issued = keys.issue(user.user_id)
    clock = _Clock()
    cache = PrincipalCache(redis_client, ns, ttl_s=30.0, epoch_check_s=1.0, clock=clock)
    assert cache.epoch_due()
    cache.refresh_epoch()
    cache.put(issued.key, issued.key_id, user)
    hit = cache.get(issued.key)
    assert hit is not None and hit.key_id == issued.key_id and cache.get(issued.key + "x") is None
    # Another process (a separate store, no on_change hook) revokes the key: the epoch moves in Redis.
    ApiKeyStore(redis_client, ns).revoke(issued.key_id)
    assert not cache.epoch_due() and cache.get(issued.key) is not None  # trusted until the next check...
    clock.now_s = 1.0
    assert cache.epoch_due()
    cache.refresh_epoch()
    assert cache.get(issued.key) is None  # ...which clears everything
    generation = cache.generation
    cache.clear()  # a revocation lands while a request was verifying the key in Redis...
    cache.put(issued.key, issued.key_id, user, generation)
    assert cache.get(issued.key) is None  # ...so what it read is not cached
    cache.put(issued.key, issued.key_id, user, cache.generation)
    assert cache.get(issued.key) is not None
    clock.now_s = 31.5
    assert cache.get(issued.key) is None  # and no entry outlives its TTL


def test_revocation_and_plan_changes_apply_at_once(client: Client, deps: ApiDeps, org: Org) -> None:
    issued = deps.keys.issue(org.user.user_id)
    auth = {"Authorization": f"API-KEY {issued.key}"}
    assert client.get("/weightlifting/sessions/", headers=auth).status_code == 200
    assert len(deps.principals) >= 1
    # Plan changes are seen by the very next request (the update clears the cache in this process).
    url = f"/admin/users/{org.user.user_id}/"
    assert client.patch(url, headers=org.admin.headers, json={"plan": "none"}).status_code == 200
    r = client.get("/weightlifting/sessions/x/summary/", headers=auth)
    assert r.status_code == 403
    assert client.delete(f"/keys/{issued.key_id}/", headers=org.admin.headers).status_code == 204
    assert client.get("/weightlifting/sessions/", headers=auth).status_code == 401


def test_a_revocation_by_another_process_is_seen(client: Client, deps: ApiDeps, org: Org) -> None:
    issued = deps.keys.issue(org.user.user_id)
    auth = {"Authorization": f"API-KEY {issued.key}"}
    assert client.get("/weightlifting/sessions/", headers=auth).status_code == 200
    ApiKeyStore(deps.redis, deps.keys.ns).revoke(issued.key_id)  # e.g. `liftlab admin revoke-key`
    deps.principals.epoch_check_s = 0.0  # what EPOCH_CHECK_S of wall time would do
    assert client.get("/weightlifting/sessions/", headers=auth).status_code == 401


class _Signer:
    def __init__(self) -> None:
        self.calls = 0

    def presigned_url(self, key: str, expiry_s: int) -> str:
        self.calls += 1
        return f"https://s3/{key}?exp={expiry_s}&n={self.calls}"


def test_presigned_urls_are_reused_for_a_fraction_of_their_expiry() -> None:
    signer, clock = _Signer(), _Clock()
    cache = PresignCache(signer, fraction=0.1, clock=clock)  # type: ignore[arg-type]
    first = cache.url("sessions/a/analyzed.mp4", 3600)
    clock.now_s = 359.0
    assert cache.url("sessions/a/analyzed.mp4", 3600) == first and signer.calls == 1
    assert cache.url("sessions/a/original.mp4", 3600) != first  # per object
    clock.now_s = 360.0  # 10% of the expiry: sign afresh, so a caller always gets >= 90% of it
    assert cache.url("sessions/a/analyzed.mp4", 3600) != first
    cache.evict("sessions/a/")
    assert cache.url("sessions/a/analyzed.mp4", 3600).endswith(f"n={signer.calls}")


def _details(client: Client, org: Org, sid: str, **params: Any) -> dict[str, Any]:
    r = client.get(f"/weightlifting/sessions/{sid}/", headers=org.user.headers, params=params)
    assert r.status_code == 200
    body: dict[str, Any] = r.json()
    return body


def test_details_memo_matches_and_follows_the_record_version(client: Client, deps: ApiDeps, org: Org) -> None:
    sid = finished_session(deps, org.user).session_id
    metric = _details(client, org, sid)
    imperial = _details(client, org, sid, measurement_system="imperial")
    assert _details(client, org, sid) == metric  # memoised body equals the first one
    assert imperial["report_metrics"]["bar_height"] != metric["report_metrics"]["bar_height"]
    assert imperial["units"]["bar_height"] == "ft" and metric["units"]["bar_height"] == "m"
    # The pipeline writes the session again (new report, new updated_at_s): the API reads it afresh.
    record = deps.sessions.get(sid)
    assert record is not None and record.report_key
    report = json_report(deps, record.report_key)
    report["series"]["t_s"] = [t + 100.0 for t in report["series"]["t_s"]]
    deps.store.put_bytes(record.report_key, _json(report), "application/json")
    assert deps.sessions.update(sid, stage="done").updated_at_s != record.updated_at_s  # as the runner does
    assert _details(client, org, sid)["all_timestamps"][0] == metric["all_timestamps"][0] + 100.0


def json_report(deps: ApiDeps, key: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(deps.store.get_bytes(key))
    return loaded


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()
