"""API fixtures: the real app (lifespan, Redis, moto S3) behind Litestar's TestClient, and callers by role."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from pipelines.settings import Settings
from services.api.app import create_app
from services.api.deps import ApiDeps
from tests.api.factories import Caller, encode_video, make_user


@pytest.fixture
def api_settings(s3_settings: Settings) -> Settings:
    return dataclasses.replace(
        s3_settings, max_upload_bytes=2 * 1024 * 1024, rate_limit_per_minute=10_000, max_video_duration_s=60.0
    )


@pytest.fixture
def app(api_settings: Settings) -> Litestar:
    return create_app(api_settings)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
def deps(client: TestClient[Litestar]) -> ApiDeps:
    live: ApiDeps = client.app.state.deps
    return live


@dataclasses.dataclass
class Org:
    org_id: str
    admin: Caller
    subadmin: Caller
    user: Caller
    other_user: Caller
    free_user: Caller


def _org(deps: ApiDeps, name: str) -> Org:
    org = deps.accounts.create_org(name)
    return Org(
        org_id=org.org_id,
        admin=make_user(deps, org.org_id, role="admin"),
        subadmin=make_user(deps, org.org_id, role="sub-admin"),
        user=make_user(deps, org.org_id),
        other_user=make_user(deps, org.org_id),
        free_user=make_user(deps, org.org_id, plan="none"),
    )


@pytest.fixture
def org(deps: ApiDeps) -> Org:
    return _org(deps, "Club A")


@pytest.fixture
def other_org(deps: ApiDeps) -> Org:
    return _org(deps, "Club B")


@pytest.fixture(scope="session")
def video_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return encode_video(tmp_path_factory.mktemp("video") / "lift.mp4")
