"""A folder as the object store: the embedded mode's storage, behind the same port as S3."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipelines.errors import NotFoundError


class LocalObjectStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"object key escapes the store root: {key!r}")
        return path

    def ensure_ready(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def put_file(self, key: str, path: Path, content_type: str = "application/octet-stream") -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.resolve() != dest:
            tmp = dest.with_name(dest.name + ".part")
            shutil.copyfile(path, tmp)
            tmp.replace(dest)  # atomic: readers never see half a file

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(dest)

    def get_bytes(self, key: str) -> bytes:
        path = self._path(key)
        if not path.is_file():
            raise NotFoundError(f"object not found: {key}")
        return path.read_bytes()

    def download_file(self, key: str, path: Path) -> None:
        src = self._path(key)
        if not src.is_file():
            raise NotFoundError(f"object not found: {key}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if src != path.resolve():
            shutil.copyfile(src, path)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> int:
        keys = self.list_keys(prefix)
        for key in keys:
            self.delete(key)
        return len(keys)

    def list_keys(self, prefix: str) -> list[str]:
        if not self.root.exists():
            return []
        keys = [p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()]
        return sorted(k for k in keys if k.startswith(prefix) and not k.endswith(".part"))

    def presigned_url(self, key: str, expiry_s: int) -> str:
        return self._path(key).as_uri()
