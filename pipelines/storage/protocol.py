"""The object store port. Keys are '/'-separated paths inside one bucket (e.g. sessions/{id}/report.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable


@runtime_checkable
class ObjectStore(Protocol):
    def ensure_ready(self) -> None:
        """Create the bucket/folder if needed; raise when the store cannot be reached."""
        ...

    def put_file(self, key: str, path: Path, content_type: str = "application/octet-stream") -> None:
        """Upload a local file, streaming it (multipart for large files); never reads it whole."""
        ...

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None: ...

    def get_bytes(self, key: str) -> bytes:
        """Raise pipelines.errors.NotFoundError when the key does not exist."""
        ...

    def download_file(self, key: str, path: Path) -> None:
        """Stream an object to a local file; NotFoundError when missing."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Delete one object; a missing key is not an error."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under prefix; returns how many were deleted."""
        ...

    def list_keys(self, prefix: str) -> list[str]: ...

    def presigned_url(self, key: str, expiry_s: int) -> str:
        """A URL a client can GET without credentials until it expires (file:// URL for the local store)."""
        ...
