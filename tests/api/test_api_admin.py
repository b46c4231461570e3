"""Users, keys, rate limiting, request ids, health and metrics."""

from __future__ import annotations

import dataclasses

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from pipelines.settings import Settings
from services.api.app import create_app
from services.api.deps import ApiDeps
from tests.api.conftest import Org
from tests.api.factories import make_user

Client = TestClient[Litestar]


def test_create_and_update_users(client: Client, deps: ApiDeps, org: Org, other_org: Org) -> None:
    new = {
        "display_name": "New Lifter",
        "email": "new@example.org",
        "plan": "basic",
        "age": 22,
        "body_mass_kg": 73.0,
        "height_m": 1.7,
        "gender": "male",
    }
    assert client.post("/admin/users/", headers=org.subadmin.headers, json=new).status_code == 403
    r = client.post("/admin/users/", headers=org.admin.headers, json=new)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["user"]["org_id"] == org.org_id and created["user"]["plan"] == "basic"
    key = created["api_key"]["key"]
    stored = deps.redis.get(f"{deps.accounts.ns}:apikey:{created['api_key']['key_id']}")
    assert stored is not None and key.split(".")[2].encode() not in stored  # only the digest is stored
    assert client.get("/weightlifting/sessions/", headers={"Authorization": key}).status_code == 200
    assert (
        client.post("/admin/users/", headers=org.admin.headers, json=new).status_code == 400
    )  # e-mail taken
    bad = client.post("/admin/users/", headers=org.admin.headers, json={"display_name": "x", "age": 400})
    assert bad.status_code == 400 and "age" in bad.json()["error"]
    uid = created["user"]["user_id"]
    listed = client.get("/admin/users/", headers=org.subadmin.headers).json()
    assert uid in {u["user_id"] for u in listed}
    assert client.get("/admin/users/", headers=org.user.headers).status_code == 403
    r = client.patch(
        f"/admin/users/{uid}/", headers=org.admin.headers, json={"plan": "none", "height_m": 1.72}
    )
    assert r.status_code == 200 and r.json()["plan"] == "none" and r.json()["height_m"] == 1.72
    own = client.patch(f"/admin/users/{org.user.user_id}/", headers=org.user.headers, json={"age": 31})
    assert own.status_code == 200 and own.json()["age"] == 31
    assert (
        client.patch(
            f"/admin/users/{org.user.user_id}/", headers=org.user.headers, json={"plan": "pro"}
        ).status_code
        == 403
    )
    assert client.get(f"/admin/users/{uid}/", headers=other_org.admin.headers).status_code == 404


def test_key_issue_rotate_revoke(client: Client, deps: ApiDeps, org: Org, other_org: Org) -> None:
    r = client.post(f"/admin/users/{org.user.user_id}/keys/", headers=org.user.headers, json={"label": "ci"})
    assert r.status_code == 201
    issued = r.json()
    auth = {"Authorization": f"Bearer {issued['key']}"}
    assert client.get("/weightlifting/sessions/", headers=auth).status_code == 200
    listed = client.get(f"/admin/users/{org.user.user_id}/keys/", headers=org.admin.headers).json()
    assert issued["key_id"] in {k["key_id"] for k in listed} and all("key" not in k for k in listed)
    assert (
        client.post(f"/keys/{issued['key_id']}/rotate/", headers=other_org.admin.headers).status_code == 404
    )
    assert client.post(f"/keys/{issued['key_id']}/rotate/", headers=org.other_user.headers).status_code == 404
    rotated = client.post(f"/keys/{issued['key_id']}/rotate/", headers=org.user.headers).json()
    assert client.get("/weightlifting/sessions/", headers=auth).status_code == 401
    new_auth = {"Authorization": f"API-KEY {rotated['key']}"}
    assert client.get("/weightlifting/sessions/", headers=new_auth).status_code == 200
    assert client.delete(f"/keys/{rotated['key_id']}/", headers=org.admin.headers).status_code == 204
    assert client.get("/weightlifting/sessions/", headers=new_auth).status_code == 401


def test_rate_limit(api_settings: Settings) -> None:
    app = create_app(dataclasses.replace(api_settings, rate_limit_per_minute=3))
    with TestClient(app=app) as client:
        deps: ApiDeps = client.app.state.deps
        caller = make_user(deps, deps.accounts.create_org("rl").org_id)
        statuses = [client.get("/weightlifting/sessions/", headers=caller.headers) for _ in range(4)]
        assert [r.status_code for r in statuses[:3]] == [200, 200, 200]
        limited = statuses[3]
        assert limited.status_code == 429 and "error" in limited.json()
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        other = make_user(deps, caller.org_id)  # limits are per key
        assert client.get("/weightlifting/sessions/", headers=other.headers).status_code == 200


def test_request_ids_health_metrics(client: Client, org: Org) -> None:
    r = client.get("/weightlifting/sessions/", headers=org.user.headers)
    assert len(r.headers["x-request-id"]) == 32
    r = client.get("/weightlifting/sessions/", headers={**org.user.headers, "X-Request-ID": "trace-12345678"})
    assert r.headers["x-request-id"] == "trace-12345678"
    health = client.get("/health")
    assert health.status_code == 200 and health.json() == {
        "status": "ok",
        "redis": "ok",
        "object_store": "ok",
    }
    metrics = client.get("/metrics").text
    assert 'liftlab_http_requests_total{method="GET",route="/weightlifting/sessions",status="200"}' in metrics
    assert "liftlab_job_queue_depth" in metrics


@pytest.mark.slow  # the S3 client retries a refused connection for ~10 s
def test_health_reports_a_broken_store(api_settings: Settings) -> None:
    broken = dataclasses.replace(api_settings, s3_endpoint="127.0.0.1:9")
    with TestClient(app=create_app(broken)) as client:
        r = client.get("/health")
        assert r.status_code == 503 and r.json()["object_store"].startswith("error")


def test_unknown_route_and_method_are_json(client: Client, org: Org) -> None:
    r = client.get("/nope/", headers=org.user.headers)
    assert r.status_code == 404 and r.json() == {"error": "Not found."}
    r = client.put("/weightlifting/sessions/", headers=org.user.headers)
    assert r.status_code == 405 and "error" in r.json()
