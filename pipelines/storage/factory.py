"""Choose the object store adapter from settings (composition roots call this once)."""

from __future__ import annotations

from pipelines.errors import ConfigError
from pipelines.settings import Settings
from pipelines.storage.local import LocalObjectStore
from pipelines.storage.protocol import ObjectStore
from pipelines.storage.s3 import S3ObjectStore


def make_object_store(settings: Settings) -> ObjectStore:
    if settings.store_backend == "s3":
        return S3ObjectStore.from_settings(settings)
    if settings.store_backend == "local":
        return LocalObjectStore(settings.store_local_dir)
    raise ConfigError(f"LIFTLAB_STORE_BACKEND: expected 's3' or 'local', got {settings.store_backend!r}")
