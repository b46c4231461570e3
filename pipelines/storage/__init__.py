"""Object storage port and its adapters (S3/MinIO over HTTP, and a local folder for the embedded mode)."""

from pipelines.storage.factory import make_object_store
from pipelines.storage.local import LocalObjectStore
from pipelines.storage.protocol import ObjectStore
from pipelines.storage.s3 import S3ObjectStore

__all__ = ["LocalObjectStore", "ObjectStore", "S3ObjectStore", "make_object_store"]
