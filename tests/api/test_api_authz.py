"""Authorization matrix: every session endpoint x every kind of caller.

Owner and managers of the owner's organisation get through; a peer in the same org, anyone in another
org and a wrong key do not, and another organisation's session is indistinguishable from a missing one.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from services.api.deps import ApiDeps
from tests.api.conftest import Org
from tests.api.factories import finished_session

ENDPOINTS = [
    ("GET", ""),
    ("GET", "export/"),
    ("POST", "lift-analysis/"),
    ("GET", "summary/"),
    ("POST", "summary/"),
    ("POST", "recommendation/"),
    ("DELETE", ""),
]
# who -> expected status: 200 for every read and thread creation (the rule-based coach is always wired)
ALLOWED = {"owner", "admin", "subadmin"}


def _call(client: TestClient[Litestar], method: str, path: str, headers: dict[str, str]) -> Any:
    return client.request(method, path, headers=headers)


@pytest.mark.parametrize(("method", "suffix"), ENDPOINTS)
def test_matrix(
    *, client: TestClient[Litestar], deps: ApiDeps, org: Org, other_org: Org, method: str, suffix: str
) -> None:
    callers = {
        "owner": org.user.headers,
        "peer": org.other_user.headers,
        "admin": org.admin.headers,
        "subadmin": org.subadmin.headers,
        "other_org_admin": other_org.admin.headers,
        "other_org_user": other_org.user.headers,
    }
    for who, headers in callers.items():
        record = finished_session(deps, org.user)
        path = f"/weightlifting/sessions/{record.session_id}/{suffix}"
        r = _call(client, method, path, headers)
        if who in ALLOWED:
            expected = {"DELETE": 204}.get(method, 200)
            assert r.status_code == expected, (who, method, path, r.text)
        else:
            assert r.status_code == 404, (who, method, path, r.text)
            missing = _call(client, method, f"/weightlifting/sessions/{'0' * 32}/{suffix}", headers)
            assert (missing.status_code, missing.json()) == (r.status_code, r.json())
    record = finished_session(deps, org.user)
    path = f"/weightlifting/sessions/{record.session_id}/{suffix}"
    for headers in ({}, {"Authorization": "API-KEY nonsense"}, {"Authorization": org.user.key[:-2] + "xx"}):
        r = _call(client, method, path, headers)
        assert r.status_code == 401 and "error" in r.json()


@pytest.mark.parametrize("scheme", ["API-KEY {k}", "Bearer {k}", "{k}", "api-key {k}"])
def test_header_forms(client: TestClient[Litestar], deps: ApiDeps, org: Org, scheme: str) -> None:
    record = finished_session(deps, org.user)
    r = client.get(
        f"/weightlifting/sessions/{record.session_id}/",
        headers={"Authorization": scheme.format(k=org.user.key)},
    )
    assert r.status_code == 200
