from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pipelines.errors import NotFoundError
from pipelines.settings import Settings
from pipelines.storage import LocalObjectStore, ObjectStore, make_object_store


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "local":
        s: ObjectStore = LocalObjectStore(tmp_path / "store")
    else:
        settings: Settings = request.getfixturevalue("s3_settings")
        s = make_object_store(settings)
    s.ensure_ready()
    return s


def test_round_trip_and_listing(store: ObjectStore, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(range(256)) * 40_000)  # 10 MB: a multipart upload on S3
    store.put_file("sessions/a/original.mp4", big, "video/mp4")
    store.put_bytes("sessions/a/report.json", b'{"ok": true}', "application/json")
    store.put_bytes("sessions/b/report.json", b"{}")

    assert store.get_bytes("sessions/a/report.json") == b'{"ok": true}'
    assert store.exists("sessions/a/original.mp4")
    assert not store.exists("sessions/a/missing.json")
    assert store.list_keys("sessions/a/") == ["sessions/a/original.mp4", "sessions/a/report.json"]

    out = tmp_path / "down.bin"
    store.download_file("sessions/a/original.mp4", out)
    assert out.read_bytes() == big.read_bytes()

    assert store.delete_prefix("sessions/a/") == 2
    assert store.list_keys("sessions/") == ["sessions/b/report.json"]


def test_missing_object_raises_not_found(store: ObjectStore, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        store.get_bytes("nope/report.json")
    with pytest.raises(NotFoundError):
        store.download_file("nope/report.json", tmp_path / "x")


def test_presigned_url_serves_the_object_without_credentials(s3_settings: Settings) -> None:
    store = make_object_store(s3_settings)
    store.ensure_ready()
    store.put_bytes("sessions/x/report.json", b"hello")
    url = store.presigned_url("sessions/x/report.json", expiry_s=60)
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.content == b"hello"


def test_local_store_rejects_keys_that_escape_its_root(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "store")
    with pytest.raises(ValueError, match="escapes"):
        store.put_bytes("../evil.txt", b"x")
