"""Shared fixtures: real Redis and S3 servers for the whole test session, settings pointing at them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from pipelines.settings import Settings
from tests.support.servers import redis_server, s3_server

REPO_ROOT = Path(__file__).resolve().parents[1]
CLIPS_DIR = Path(os.environ.get("LIFTLAB_CLIPS_DIR", REPO_ROOT.parent / "shared" / "data" / "clips"))

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with s3_server() as endpoint:
        yield endpoint


def service_settings(redis_url: str, s3_endpoint: str, **overrides: Any) -> Settings:
    """Settings for the service mode against the test servers, with a fresh bucket and namespace."""
    suffix = uuid.uuid4().hex[:10]
    values: dict[str, Any] = {
        "redis_url": redis_url,
        "redis_namespace": f"t{suffix}",
        "store_backend": "s3",
        "s3_endpoint": s3_endpoint,
        "s3_access_key": "testing",
        "s3_secret_key": "testing",
        "s3_bucket": f"liftlab-{suffix}",
        "models_dir": REPO_ROOT / "models",
    }
    return Settings(**{**values, **overrides})


@pytest.fixture
def s3_settings(redis_url: str, s3_endpoint: str) -> Settings:
    """Settings for the service mode against the test servers; a fresh bucket and namespace per test."""
    return service_settings(redis_url, s3_endpoint)


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture(scope="session")
def clips_dir() -> Path:
    if not CLIPS_DIR.is_dir():
        pytest.skip(f"real clips not present at {CLIPS_DIR}")
    return CLIPS_DIR


@pytest.fixture(scope="session")
def ray_pose() -> Iterator[Settings]:
    """A real local Ray with the real CPU pose Serve app, shared by every test that needs it.

    Yields the Settings the app was deployed with. Tests must not shut Ray down themselves.
    """
    from pipelines.shell.ray_runtime import ensure_pose_app, shutdown_ray, start_ray

    settings = Settings(ray_num_cpus=2, models_dir=REPO_ROOT / "models", pose_replicas=1)
    start_ray(settings)
    ensure_pose_app(settings)
    yield settings
    shutdown_ray()
