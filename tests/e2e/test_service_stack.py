"""The whole service path with real parts: upload through the API (Litestar, moto S3 over HTTP, Redis),
the runner analysing it on Ray with the real BlazePose Serve app, then every read endpoint, then
coaching threads run by the coach worker and their texts appearing in the summary and lift analysis."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from litestar.testing import TestClient

from pipelines.coach.worker import CoachWorker
from pipelines.settings import Settings
from pipelines.shell.runner import Runner
from pipelines.state import JobQueue, SessionStore
from pipelines.synth import LiftSpec, render_lift
from services.api.app import create_app
from tests.api.factories import make_user

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clean_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("e2e") / "clean.mp4"
    render_lift(LiftSpec(exercise="clean", width_px=960, height_px=540, fps=30.0, setup_s=0.8, hold_s=0.6,
                         plate_colour="blue", seed=5), path)
    return path


@pytest.fixture
def stack(ray_pose: Settings, s3_settings: Settings) -> Iterator[tuple[TestClient, Settings]]:
    settings = dataclasses.replace(s3_settings, models_dir=ray_pose.models_dir)
    with TestClient(app=create_app(settings)) as client:
        yield client, settings


def _wait(predicate, timeout_s: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_upload_analyse_read_and_coach(stack: tuple[TestClient, Settings], clean_clip: Path) -> None:
    client, settings = stack
    deps = client.app.state.deps
    org = deps.accounts.create_org("Federation")
    lifter = make_user(deps, org.org_id)
    headers = lifter.headers

    with clean_clip.open("rb") as fh:
        r = client.post("/weightlifting/sessions/", headers=headers,
                        data={"exercise_name": "clean", "session_name": "Heavy single", "barbell_mass": "80",
                              "body_joint_angles": "knee, hip"},
                        files={"video": ("clean.mp4", fh, "video/mp4")})
    assert r.status_code == 200, r.text
    session_id = r.json()["session_id"]
    assert r.json()["title"] == "Heavy single"

    details = client.get(f"/weightlifting/sessions/{session_id}/", headers=headers).json()
    assert details["status"] == "queued" and details["activity"] == "Weightlifting"
    busy = client.post(f"/weightlifting/sessions/{session_id}/lift-analysis/", headers=headers)
    assert busy.status_code == 409 and "error" in busy.json()

    rclient = redis.Redis.from_url(settings.redis_url)
    runner = Runner(settings, SessionStore(rclient, settings.redis_namespace),
                    JobQueue(rclient, settings.redis_namespace), deps.store)
    assert runner.run_once(block_ms=2000)

    details = client.get(f"/weightlifting/sessions/{session_id}/", headers=headers).json()
    assert details["status"] == "done", details
    assert details["exercise"] == "clean" and details["metrics"]["max_bar_speed"] > 0.5
    assert len(details["all_timestamps"]) > 100
    video = httpx.get(details["analyzed_video_url"])
    assert video.status_code == 200 and video.content[4:8] == b"ftyp"

    export = client.get(f"/weightlifting/sessions/{session_id}/export/", headers=headers).json()
    assert {"lknex", "lkney", "lknev"} <= set(export["keypoints"])
    assert "lkne_angle" in export["angles"] and "lelb_angle" not in export["angles"]  # knee, hip chosen

    analysis = client.post(f"/weightlifting/sessions/{session_id}/lift-analysis/", headers=headers).json()
    assert analysis["exercise"] == "clean"
    assert analysis["key_metrics"]["barbell_velocity"]
    assert "start_of_lifting" in analysis["phase_data"]
    image = httpx.get(analysis["phase_data"]["start_of_lifting"]["image_url"])
    assert image.status_code == 200 and image.content[:2] == b"\xff\xd8"
    assert analysis["chart_data"]["first_pull"]["end"] > analysis["chart_data"]["first_pull"]["start"]

    summary_ids = client.post(f"/weightlifting/sessions/{session_id}/summary/", headers=headers).json()
    rec_ids = client.post(f"/weightlifting/sessions/{session_id}/recommendation/", headers=headers).json()
    assert set(summary_ids) == {"velocity", "power", "stability", "final_summary"}
    assert "barbell_velocity" in rec_ids and "knee_angle" in rec_ids

    stop = threading.Event()
    worker = threading.Thread(target=CoachWorker(rclient, settings).run, args=(stop,), daemon=True)
    worker.start()
    try:
        def all_done() -> bool:
            states = [client.get(f"/weightlifting/threads/{t}/", headers=headers).json().get("state")
                      for t in [*summary_ids.values(), *rec_ids.values()]]
            return all(s == "completed" for s in states)

        _wait(all_done)
    finally:
        stop.set()
        worker.join(timeout=10)
    summary = client.get(f"/weightlifting/sessions/{session_id}/summary/", headers=headers).json()
    assert set(summary["summary_text"]) == {"velocity", "power", "stability", "final_summary"}
    assert "m/s" in summary["summary_text"]["velocity"]
    comments = client.post(f"/weightlifting/sessions/{session_id}/lift-analysis/", headers=headers).json()[
        "comments"]
    assert comments.get("barbell_velocity")
    rclient.close()
