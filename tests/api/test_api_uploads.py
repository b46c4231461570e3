"""POST /weightlifting/sessions/ and /weightlifting/management/sessions/: validation, probing, atomicity."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from pipelines.settings import Settings
from services.api.app import create_app
from services.api.deps import ApiDeps
from tests.api.conftest import Org
from tests.api.factories import Caller, encode_video, make_user

SELF = "/weightlifting/sessions/"
MANAGEMENT = "/weightlifting/management/sessions/"


def upload(
    client: TestClient[Litestar], caller: Caller | None, video: bytes | None, path: str = SELF, **fields: str
) -> Any:
    files = {"video": ("lift.mp4", video, "video/mp4")} if video is not None else None
    data = {"exercise_name": "snatch", **fields}
    headers = caller.headers if caller else {}
    if files is None:  # multipart without a file part
        files = {"placeholder": ("", b"", "text/plain")}
    return client.post(path, headers=headers, files=files, data=data)


def stored_keys(deps: ApiDeps) -> list[str]:
    return deps.store.list_keys("sessions/")


def test_upload_stores_records_and_enqueues(
    client: TestClient[Litestar], deps: ApiDeps, org: Org, video_file: Path
) -> None:
    r = upload(
        client,
        org.user,
        video_file.read_bytes(),
        session_name="Heavy day",
        barbell_mass="120.5",
        body_joint_angles="knee, hip",
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"session_id", "title"} and body["title"] == "Heavy day"
    record = deps.sessions.get(body["session_id"])
    assert record is not None
    assert (record.status, record.exercise, record.barbell_mass_kg) == ("queued", "snatch", 120.5)
    assert record.body_joint_angles == ["knee", "hip"]
    assert deps.store.get_bytes(record.video_key) == video_file.read_bytes()
    claimed = deps.queue.claim("test-runner", block_ms=100)
    assert claimed is not None and claimed[1]["session_id"] == body["session_id"]


def test_defaults_title_mass_joints(
    client: TestClient[Litestar], deps: ApiDeps, org: Org, video_file: Path
) -> None:
    r = upload(client, org.user, video_file.read_bytes(), exercise_name="clean_and_jerk")
    assert r.status_code == 200, r.text
    assert r.json()["title"].startswith("Clean and Jerk session ")
    record = deps.sessions.get(r.json()["session_id"])
    assert record is not None
    assert record.barbell_mass_kg == 100.0
    assert record.body_joint_angles == ["ankle", "knee", "elbow", "hip", "shoulder"]


def test_imperial_user_mass_in_pounds(
    client: TestClient[Litestar], deps: ApiDeps, org: Org, video_file: Path
) -> None:
    imperial = make_user(deps, org.org_id, measurement_system="imperial")
    r = upload(client, imperial, video_file.read_bytes())
    record = deps.sessions.get(r.json()["session_id"])
    assert record is not None and record.barbell_mass_kg == pytest.approx(220 / 2.2046226218)
    r = upload(client, imperial, video_file.read_bytes(), barbell_mass="135")
    record = deps.sessions.get(r.json()["session_id"])
    assert record is not None and record.barbell_mass_kg == pytest.approx(135 / 2.2046226218)


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"exercise_name": "deadlift"}, "exercise_name"),
        ({"barbell_mass": "heavy"}, "barbell_mass"),
        ({"barbell_mass": "-5"}, "barbell_mass"),
        ({"barbell_mass": "nan"}, "barbell_mass"),
        ({"body_joint_angles": "knee, wrist"}, "body_joint_angles"),
        ({"session_name": "x" * 201}, "session_name"),
    ],
)
def test_bad_fields_name_the_field(
    *,
    client: TestClient[Litestar],
    deps: ApiDeps,
    org: Org,
    video_file: Path,
    fields: dict[str, str],
    named: str,
) -> None:
    r = upload(client, org.user, video_file.read_bytes(), **fields)
    assert r.status_code == 400, r.text
    assert named in r.json()["error"]
    assert stored_keys(deps) == []


def test_missing_fields(client: TestClient[Litestar], org: Org, video_file: Path) -> None:
    r = client.post(
        SELF, headers=org.user.headers, files={"video": ("a.mp4", video_file.read_bytes(), "video/mp4")}
    )
    assert r.status_code == 400 and "exercise_name" in r.json()["error"], r.text
    r = upload(client, org.user, None)
    assert r.status_code == 400 and "video" in r.json()["error"], r.text


def test_urlencoded_form_gets_a_clear_400(client: TestClient[Litestar], org: Org) -> None:
    r = client.post(
        SELF,
        headers={**org.user.headers, "Content-Type": "application/x-www-form-urlencoded"},
        content=b"user_id=text&video=text&exercise_name=snatch&body_joint_angles=[]",
    )
    assert r.status_code == 400
    assert "video" in r.json()["error"] and "multipart" in r.json()["error"]


@pytest.mark.parametrize(
    "kind",
    ["random", "empty", "truncated", "no_video_stream"],
)
def test_bad_videos_are_rejected_and_nothing_is_stored(
    *, client: TestClient[Litestar], deps: ApiDeps, org: Org, video_file: Path, tmp_path: Path, kind: str
) -> None:
    data = video_file.read_bytes()
    payload = {
        "random": bytes(range(256)) * 64,
        "empty": b"",
        "truncated": data[: len(data) // 3],
        "no_video_stream": _audio_only(tmp_path / "a.m4a"),
    }[kind]
    r = upload(client, org.user, payload)
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith("video:")
    assert stored_keys(deps) == []
    assert deps.sessions.count_for_user(org.user.user_id) == 0


def _audio_only(path: Path) -> bytes:
    import av
    import numpy as np

    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=8000)
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 1024), dtype=np.float32), format="fltp", layout="mono"
        )
        frame.sample_rate = 8000
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path.read_bytes()


def test_over_size_limit_is_413(client: TestClient[Litestar], deps: ApiDeps, org: Org) -> None:
    r = upload(client, org.user, b"\0" * (3 * 1024 * 1024))
    assert r.status_code == 413, r.text
    assert "error" in r.json()
    assert stored_keys(deps) == []


def test_over_duration_limit_is_413(api_settings: Settings, org: Org, tmp_path: Path) -> None:
    long_video = encode_video(tmp_path / "long.mp4", n_frames=40, fps=10)  # 4 s
    app = create_app(dataclasses.replace(api_settings, max_video_duration_s=2.0))
    with TestClient(app=app) as client:
        deps: ApiDeps = client.app.state.deps
        caller = make_user(deps, deps.accounts.create_org("x").org_id)
        r = upload(client, caller, long_video.read_bytes())
        assert r.status_code == 413, r.text
        assert stored_keys(deps) == []


def test_failure_after_upload_removes_the_object(
    client: TestClient[Litestar], deps: ApiDeps, org: Org, video_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_enqueue(job: dict[str, str]) -> str:
        raise ConnectionError("queue down")

    monkeypatch.setattr(deps.queue, "enqueue", broken_enqueue)
    r = upload(client, org.user, video_file.read_bytes())
    assert r.status_code == 500
    assert r.json()["error"].startswith("Internal server error (request id ")
    assert "queue down" not in r.text
    assert stored_keys(deps) == []
    assert deps.sessions.count_for_user(org.user.user_id) == 0


def test_session_limit_is_404(
    client: TestClient[Litestar], deps: ApiDeps, org: Org, video_file: Path
) -> None:
    limited = make_user(deps, org.org_id, max_sessions=1)
    assert upload(client, limited, video_file.read_bytes()).status_code == 200
    r = upload(client, limited, video_file.read_bytes())
    assert r.status_code == 404
    assert r.json() == {"error": "User has reached the maximum number of sessions."}
    r = upload(client, org.admin, video_file.read_bytes(), path=MANAGEMENT, user_id=limited.user_id)
    assert r.status_code == 404 and r.json()["error"] == "User has reached the maximum number of sessions."


def test_auth_required(client: TestClient[Litestar], video_file: Path) -> None:
    r = upload(client, None, video_file.read_bytes())
    assert r.status_code == 401 and "error" in r.json()
    r = upload(client, Caller("u", "o", "ll.000000000000." + "x" * 43), video_file.read_bytes())
    assert r.status_code == 401


def test_self_endpoint_refuses_another_user_id(
    client: TestClient[Litestar], org: Org, video_file: Path
) -> None:
    r = upload(client, org.admin, video_file.read_bytes(), user_id=org.user.user_id)
    assert r.status_code == 403
    r = upload(client, org.user, video_file.read_bytes(), user_id=org.user.user_id)
    assert r.status_code == 200


def test_management_upload_roles(
    client: TestClient[Litestar], deps: ApiDeps, org: Org, other_org: Org, video_file: Path
) -> None:
    video = video_file.read_bytes()
    assert upload(client, org.user, video, path=MANAGEMENT, user_id=org.other_user.user_id).status_code == 403
    for manager in (org.admin, org.subadmin):
        r = upload(client, manager, video, path=MANAGEMENT, user_id=org.user.user_id)
        assert r.status_code == 200, r.text
        record = deps.sessions.get(r.json()["session_id"])
        assert record is not None and record.user_id == org.user.user_id
    r = upload(client, org.admin, video, path=MANAGEMENT, user_id=other_org.user.user_id)
    assert r.status_code == 404  # another organisation's user reads as missing
    r = client.post(
        MANAGEMENT,
        headers=org.admin.headers,
        files={"video": ("a.mp4", video, "video/mp4")},
        data={"exercise_name": "snatch"},
    )
    assert r.status_code == 400 and "user_id" in r.json()["error"]
