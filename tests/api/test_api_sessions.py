"""Details, export, lift-analysis, summary, list and delete, built from stored artifacts."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from services.api.deps import ApiDeps
from services.inference.joints import JOINTS
from tests.api.conftest import Org
from tests.api.factories import finished_session, make_report, make_user, store_artifacts

Client = TestClient[Litestar]


def get(client: Client, path: str, caller: Any, **params: Any) -> Any:
    return client.get(path, headers=caller.headers, params=params)


def test_details_of_a_finished_session(client: Client, deps: ApiDeps, org: Org) -> None:
    record = finished_session(deps, org.user)
    r = get(client, f"/weightlifting/sessions/{record.session_id}/", org.user)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["activity"] == "Weightlifting" and body["title"] == "Heavy single"
    assert body["exercise"] == "snatch" and body["user_name"] == "Lifter One"
    assert body["status"] == "done" and body["progress"] == 1.0 and body["error"] is None
    date, time = body["created_at"]["date"], body["created_at"]["time"]
    assert len(date) == 10 and date[2] == date[5] == "/"
    assert time[-2:] in ("AM", "PM") and time[2] == ":"
    assert body["metrics"] == {
        "max_bar_speed": 1.9,
        "max_GRF": 2100.0,
        "total_time": 0.9,
        "barbell_weight": 100.0,
    }
    assert set(body["angles"]) == {
        "lkne_angle",
        "rkne_angle",
        "lhip_angle",
        "rhip_angle",
    }  # the selected joints
    assert len(body["all_timestamps"]) == 30
    assert body["report_metrics"]["ground_reaction_force"][3] is None
    assert body["units"]["max_GRF"] == "N"
    assert body["video_url"].startswith("http") and "original.mp4" in body["video_url"]
    assert "analyzed.mp4" in body["analyzed_video_url"]


def test_details_while_processing_and_failed(client: Client, deps: ApiDeps, org: Org) -> None:
    queued = finished_session(deps, org.user, status="processing")
    body = get(client, f"/weightlifting/sessions/{queued.session_id}/", org.user).json()
    assert (body["status"], body["progress"], body["stage"]) == ("processing", 0.4, "pose")
    assert body["metrics"] == {} and body["analyzed_video_url"] is None and body["video_url"]
    failed = finished_session(deps, org.user, status="failed")
    body = get(client, f"/weightlifting/sessions/{failed.session_id}/", org.user).json()
    assert body["status"] == "failed" and body["error"] == "no lifter found"


@pytest.mark.parametrize("suffix", ["export/", "summary/"])
def test_analysis_endpoints_answer_409_until_done(
    client: Client, deps: ApiDeps, org: Org, suffix: str
) -> None:
    processing = finished_session(deps, org.user, status="processing")
    r = get(client, f"/weightlifting/sessions/{processing.session_id}/{suffix}", org.user)
    assert r.status_code == 409
    assert r.json() == {"error": "Session is still processing (stage pose, 40%)."}
    failed = finished_session(deps, org.user, status="failed")
    r = get(client, f"/weightlifting/sessions/{failed.session_id}/{suffix}", org.user)
    assert r.status_code == 409 and "no lifter found" in r.json()["error"]
    r = client.post(
        f"/weightlifting/sessions/{processing.session_id}/lift-analysis/", headers=org.user.headers
    )
    assert r.status_code == 409


def test_export_keys(client: Client, deps: ApiDeps, org: Org) -> None:
    record = finished_session(deps, org.user)
    r = get(client, f"/weightlifting/sessions/{record.session_id}/export/", org.user)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["activity"] == "Weightlifting"
    assert set(body["keypoints"]) == {f"{c}{a}" for c in JOINTS for a in "xyv"}
    assert body["keypoints"]["lknex"][:3] == [0.0, 1.0, 2.0]
    assert body["keypoints"]["lkney"][0] is None  # NaN in Parquet is null on the wire
    # The session chose knee and hip: only those angles are exported.
    assert set(body["angles"]) == {"lkne_angle", "rkne_angle", "lhip_angle", "rhip_angle"}
    assert len(body["all_timestamps"]) == 30 and body["metrics"]["max_bar_speed"] == 1.9


def test_lift_analysis_shape(client: Client, deps: ApiDeps, org: Org) -> None:
    record = finished_session(deps, org.user)
    r = client.post(f"/weightlifting/sessions/{record.session_id}/lift-analysis/", headers=org.user.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body["key_metrics"]) == {"power_output", "ground_reaction_force", "barbell_velocity"}
    assert set(body["body_positioning"]) == {"hip_velocity", "shin_angle", "hip_height", "torso_angle"}
    assert set(body["joint_angles"]) == {"knee_angle", "hip_angle"}
    assert set(body["barbell_positioning"]) == {
        "bar_height",
        "barbell_trajectory",
        "vertical_shoulder_height",
    }
    # the primary rep spans 0.1..0.9 s: frames 3..27 at 30 fps
    assert len(body["key_metrics"]["power_output"]) == 25
    assert body["chart_data"] == {
        "setup": {"start": 0.0, "end": 100.0},
        "first_pull": {"start": 100.0, "end": 400.0},
    }
    start = body["phase_data"]["start_of_lifting"]
    assert "keyframes/start_of_lifting.jpg" in start["image_url"] and start["time_ms"] == 100.0
    assert start["average_time_ms"] == 0.0
    assert body["phase_data"]["first_pull_end"]["image_url"] is None
    assert body["user_information"] == {
        "display_name": "Lifter One",
        "age": 30,
        "weight": 80.0,
        "height": 175.0,
        "gender": "female",
        "email": None,
    }
    assert body["session_date"].count("/") == 2 and body["comments"] == {}


def test_summary_shape_and_imperial(client: Client, deps: ApiDeps, org: Org) -> None:
    record = finished_session(deps, org.user)
    path = f"/weightlifting/sessions/{record.session_id}/summary/"
    body = get(client, path, org.user).json()
    assert body["exercise_type"] == "Snatch" and "summary_text" not in body
    velocity = body["velocity"]["bar_velocity"]
    assert velocity["max"] == max(v for v in velocity["values"] if v is not None)
    assert body["stability"]["total_time"] == 0.9
    # the rep ends at frame 27 of the 30-frame half-sine rise, so the peak inside it is below 1.2 m
    assert body["stability"]["bar_height"]["max"] == pytest.approx(
        1.2 * 0.5 * (1 - math.cos(math.pi * 27 / 29))
    )
    assert len(body["stability"]["bar_trajectory"]["xAxis"]) == len(
        body["stability"]["bar_trajectory"]["yAxis"]
    )
    imperial = get(client, path, org.user, measurement_system="imperial").json()
    assert imperial["stability"]["bar_height"]["max"] == pytest.approx(
        body["stability"]["bar_height"]["max"] * 3.2808, rel=1e-3
    )
    assert imperial["user_information"]["weight"] == pytest.approx(176.4, abs=0.1)
    bad = get(client, path, org.user, measurement_system="furlongs")
    assert bad.status_code == 400 and "measurement_system" in bad.json()["error"]


def test_plan_required(client: Client, deps: ApiDeps, org: Org) -> None:
    record = finished_session(deps, org.free_user)
    base = f"/weightlifting/sessions/{record.session_id}/"
    assert get(client, base, org.free_user).status_code == 200
    assert get(client, base + "export/", org.free_user).status_code == 200
    for r in (
        get(client, base + "summary/", org.free_user),
        client.post(base + "lift-analysis/", headers=org.free_user.headers),
    ):
        assert r.status_code == 403 and r.json() == {"error": "User does not have a valid payment plan."}


def test_demo_session(client: Client, deps: ApiDeps, org: Org) -> None:
    r = get(client, "/weightlifting/sessions/anything/", org.user, demo="true")
    assert r.status_code == 404 and "Demo" in r.json()["error"]
    report = make_report()
    store_artifacts(deps, "demo/", report)
    deps.store.put_bytes(
        "demo/session.json",
        json.dumps(
            {"title": "Demo snatch", "created_at_s": 1747562400, "video_key": "demo/analyzed.mp4"}
        ).encode(),
    )
    before = deps.store.list_keys("sessions/")
    body = get(client, "/weightlifting/sessions/anything/", org.free_user, demo="true").json()
    assert body["title"] == "Demo snatch" and body["created_at"] == {"date": "18/05/2025", "time": "10:00 AM"}
    assert body["user_name"] == "Demo lifter" and len(body["all_timestamps"]) == 30
    assert get(client, "/weightlifting/sessions/x/export/", org.user, demo="true").status_code == 200
    assert get(client, "/weightlifting/sessions/x/summary/", org.user, demo="true").status_code == 200
    r = client.post(
        "/weightlifting/sessions/x/lift-analysis/", headers=org.user.headers, params={"demo": "true"}
    )
    assert r.status_code == 200 and r.json()["session_date"] == "18/05/2025"
    assert deps.store.list_keys("sessions/") == before  # read-only


def test_list_filters_and_pagination(client: Client, deps: ApiDeps, org: Org) -> None:
    mine = [finished_session(deps, org.user) for _ in range(5)]
    finished_session(deps, org.other_user)
    page = get(client, "/weightlifting/sessions/", org.user, limit=2).json()
    seen = [i["session_id"] for i in page["items"]]
    while page["next_cursor"]:
        page = get(client, "/weightlifting/sessions/", org.user, limit=2, cursor=page["next_cursor"]).json()
        seen += [i["session_id"] for i in page["items"]]
    assert seen == [s.session_id for s in reversed(mine)]  # newest first, each once
    org_page = get(client, "/weightlifting/sessions/", org.admin, limit=100).json()
    assert len(org_page["items"]) == 6
    only = get(client, "/weightlifting/sessions/", org.admin, user_id=org.other_user.user_id).json()
    assert len(only["items"]) == 1
    assert get(client, "/weightlifting/sessions/", org.user, exercise="clean").json()["items"] == []
    assert (
        get(
            client, "/weightlifting/sessions/", org.user, created_from="2000-01-01", created_to="2000-01-02"
        ).json()["items"]
        == []
    )
    assert (
        get(client, "/weightlifting/sessions/", org.user, user_id=org.other_user.user_id).status_code == 404
    )
    assert get(client, "/weightlifting/sessions/", org.user, created_from="yesterday").status_code == 400
    assert get(client, "/weightlifting/sessions/", org.user, cursor="!!").status_code == 400


def test_delete_removes_objects_and_record(client: Client, deps: ApiDeps, org: Org) -> None:
    record = finished_session(deps, org.user)
    assert (
        client.delete(
            f"/weightlifting/sessions/{record.session_id}/", headers=org.other_user.headers
        ).status_code
        == 404
    )
    r = client.delete(f"/weightlifting/sessions/{record.session_id}/", headers=org.user.headers)
    assert r.status_code == 204
    assert deps.sessions.get(record.session_id) is None
    assert deps.store.list_keys(f"sessions/{record.session_id}/") == []
    assert get(client, f"/weightlifting/sessions/{record.session_id}/", org.user).status_code == 404
    processing = finished_session(deps, org.user, status="processing")
    assert (
        client.delete(
            f"/weightlifting/sessions/{processing.session_id}/", headers=org.user.headers
        ).status_code
        == 409
    )


def test_session_limit_counts_per_user(client: Client, deps: ApiDeps, org: Org) -> None:
    limited = make_user(deps, org.org_id, max_sessions=0)
    r = client.post(
        "/weightlifting/sessions/",
        headers=limited.headers,
        files={"video": ("a.mp4", b"x", "video/mp4")},
        data={"exercise_name": "snatch"},
    )
    assert r.status_code == 404 and r.json()["error"] == "User has reached the maximum number of sessions."
