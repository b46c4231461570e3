"""POST .../summary/, .../recommendation/ and GET /weightlifting/threads/{id}/ via the CoachThreads port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from pipelines.settings import Settings
from services.api.app import create_app
from services.api.deps import ApiDeps
from tests.api.conftest import Org
from tests.api.factories import finished_session


class InMemoryThreads:
    """A CoachThreads that records calls; the real one (pipelines/coach) talks to an LLM."""

    def __init__(self) -> None:
        self.threads: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str, str]] = []

    def _make(self, session_id: str, names: list[str]) -> dict[str, str]:
        out = {}
        for name in names:
            tid = f"thread_{len(self.threads)}"
            self.threads[tid] = {
                "thread_id": tid,
                "session_id": session_id,
                "block": name,
                "status": "done",
                "text": f"{name} looks fine",
            }
            out[name] = tid
        return out

    def create_summary_threads(
        self, session_id: str, report: dict[str, Any], measurement_system: str, language: str
    ) -> dict[str, str]:
        assert report["exercise"] == "snatch"
        self.calls.append((session_id, measurement_system, language))
        return self._make(session_id, ["velocity", "power", "stability", "final_summary"])

    def create_recommendation_threads(
        self, session_id: str, report: dict[str, Any], measurement_system: str, language: str
    ) -> dict[str, str]:
        self.calls.append((session_id, measurement_system, language))
        return self._make(session_id, ["power_output", "bar_height"])

    def get_thread(self, thread_id: str) -> dict[str, Any] | None:
        return self.threads.get(thread_id)

    def _texts(self, session_id: str, names: set[str]) -> dict[str, str]:
        return {
            t["block"]: t["text"]
            for t in self.threads.values()
            if t["session_id"] == session_id and t["block"] in names
        }

    def summary_texts(self, session_id: str) -> dict[str, str]:
        return self._texts(session_id, {"velocity", "power", "stability", "final_summary"})

    def recommendation_texts(self, session_id: str) -> dict[str, str]:
        return self._texts(session_id, {"power_output", "bar_height"})


@pytest.fixture
def coach() -> InMemoryThreads:
    return InMemoryThreads()


@pytest.fixture
def coach_client(api_settings: Settings, coach: InMemoryThreads) -> Iterator[TestClient[Litestar]]:
    with TestClient(app=create_app(api_settings, threads=coach)) as client:
        yield client


def test_summary_threads_flow(
    coach_client: TestClient[Litestar], coach: InMemoryThreads, org: Org, other_org: Org
) -> None:
    deps: ApiDeps = coach_client.app.state.deps
    record = finished_session(deps, org.user)
    base = f"/weightlifting/sessions/{record.session_id}/"
    r = coach_client.post(
        base + "summary/", headers=org.user.headers, params={"measurement_system": "imperial"}
    )
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"velocity", "power", "stability", "final_summary"}
    assert coach.calls[-1] == (record.session_id, "imperial", "en")
    summary = coach_client.get(base + "summary/", headers=org.user.headers).json()
    assert summary["summary_text"]["final_summary"] == "final_summary looks fine"
    thread_id = r.json()["velocity"]
    assert (
        coach_client.get(f"/weightlifting/threads/{thread_id}/", headers=org.admin.headers).status_code == 200
    )
    assert (
        coach_client.get(f"/weightlifting/threads/{thread_id}/", headers=other_org.admin.headers).status_code
        == 404
    )
    assert coach_client.get("/weightlifting/threads/missing/", headers=org.user.headers).status_code == 404


def test_recommendation_threads_flow(coach_client: TestClient[Litestar], org: Org) -> None:
    deps: ApiDeps = coach_client.app.state.deps
    record = finished_session(deps, org.user)
    base = f"/weightlifting/sessions/{record.session_id}/"
    r = coach_client.post(base + "recommendation/", headers=org.user.headers)
    assert r.status_code == 200 and set(r.json()) == {"power_output", "bar_height"}
    comments = coach_client.post(base + "lift-analysis/", headers=org.user.headers).json()["comments"]
    assert comments == {"power_output": "power_output looks fine", "bar_height": "bar_height looks fine"}
    assert coach_client.post(base + "recommendation/", headers=org.free_user.headers).status_code == 403
    bad = coach_client.post(
        base + "recommendation/", headers=org.user.headers, params={"measurement_system": "x"}
    )
    assert bad.status_code == 400
    processing = finished_session(deps, org.user, status="processing")
    r = coach_client.post(
        f"/weightlifting/sessions/{processing.session_id}/recommendation/", headers=org.user.headers
    )
    assert r.status_code == 409
