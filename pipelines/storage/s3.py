"""S3-compatible object store through the minio SDK (MinIO in production, any S3 endpoint works)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from minio import Minio
from minio.deleteobjects import DeleteObject
from minio.error import S3Error

from pipelines.errors import NotFoundError
from pipelines.settings import Settings

_PART_SIZE_BYTES = 5 * 1024 * 1024  # the S3 minimum: bounded memory per concurrent upload (docs/api.md)
_MISSING_CODES = ("NoSuchKey", "NoSuchObject", "NotFound")


class S3ObjectStore:
    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: Settings) -> S3ObjectStore:
        client = Minio(
            settings.s3_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            secure=settings.s3_secure,
            region=settings.s3_region,
        )
        return cls(client, settings.s3_bucket)

    def ensure_ready(self) -> None:
        if not self.client.bucket_exists(bucket_name=self.bucket):
            self.client.make_bucket(bucket_name=self.bucket)

    def put_file(self, key: str, path: Path, content_type: str = "application/octet-stream") -> None:
        self.client.fput_object(
            bucket_name=self.bucket, object_name=key, file_path=str(path),
            content_type=content_type, part_size=_PART_SIZE_BYTES,
            # One part in flight: minio's parallel uploader reads ahead without bound (3 x 16 MB per
            # upload and more), which multiplies under concurrent uploads.
            num_parallel_uploads=1,
        )

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        import io

        self.client.put_object(
            bucket_name=self.bucket, object_name=key, data=io.BytesIO(data), length=len(data),
            content_type=content_type,
        )

    def get_bytes(self, key: str) -> bytes:
        try:
            response = self.client.get_object(bucket_name=self.bucket, object_name=key)
        except S3Error as exc:
            if exc.code in _MISSING_CODES:
                raise NotFoundError(f"object not found: {key}") from exc
            raise
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def download_file(self, key: str, path: Path) -> None:
        try:
            self.client.fget_object(bucket_name=self.bucket, object_name=key, file_path=str(path))
        except S3Error as exc:
            if exc.code in _MISSING_CODES:
                raise NotFoundError(f"object not found: {key}") from exc
            raise

    def exists(self, key: str) -> bool:
        try:
            self.client.stat_object(bucket_name=self.bucket, object_name=key)
        except S3Error as exc:
            if exc.code in _MISSING_CODES:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.remove_object(bucket_name=self.bucket, object_name=key)

    def delete_prefix(self, prefix: str) -> int:
        keys = self.list_keys(prefix)
        if keys:
            errors = list(self.client.remove_objects(
                bucket_name=self.bucket, delete_object_list=[DeleteObject(k) for k in keys],
            ))
            if errors:
                raise RuntimeError(f"could not delete {len(errors)} objects under {prefix}: {errors[0]}")
        return len(keys)

    def list_keys(self, prefix: str) -> list[str]:
        objects = self.client.list_objects(bucket_name=self.bucket, prefix=prefix, recursive=True)
        return sorted(o.object_name for o in objects if o.object_name is not None)

    def presigned_url(self, key: str, expiry_s: int) -> str:
        return self.client.presigned_get_object(
            bucket_name=self.bucket, object_name=key, expires=timedelta(seconds=expiry_s),
        )
