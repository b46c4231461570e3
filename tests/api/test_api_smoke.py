from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from tests.api.conftest import Org
from tests.api.factories import finished_session


def test_upload_then_details(client: TestClient[Litestar], org: Org, video_file, deps) -> None:
    with video_file.open("rb") as fh:
        r = client.post(
            "/weightlifting/sessions/",
            headers=org.user.headers,
            files={"video": ("lift.mp4", fh, "video/mp4")},
            data={"exercise_name": "snatch", "session_name": "Test"},
        )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["title"] == "Test"
    d = client.get(f"/weightlifting/sessions/{body['session_id']}/", headers=org.user.headers)
    assert d.status_code == 200, d.text
    assert d.json()["status"] == "queued"
    rec = finished_session(deps, org.user)
    d = client.get(f"/weightlifting/sessions/{rec.session_id}/", headers=org.user.headers)
    assert d.status_code == 200, d.text
    assert d.json()["metrics"]["max_bar_speed"] == 1.9
