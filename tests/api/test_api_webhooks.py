"""Webhooks: signed POST on done/failed, retried with backoff, final on a 4xx."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from pipelines.settings import Settings
from services.api.deps import ApiDeps
from services.api.webhooks import notify_session_finished, verify
from tests.api.conftest import Org
from tests.api.factories import finished_session


class Receiver:
    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[tuple[dict[str, str], bytes]] = []


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver([503, 200])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((dict(self.headers), body))
            self.send_response(state.statuses.pop(0) if state.statuses else 200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_signed_delivery_with_retry(
    client: TestClient[Litestar],
    deps: ApiDeps,
    api_settings: Settings,
    org: Org,
    receiver: tuple[Receiver, str],
) -> None:
    state, url = receiver
    secret = client.put("/admin/webhook/", headers=org.admin.headers, json={"url": url}).json()["secret"]
    assert client.put("/admin/webhook/", headers=org.user.headers, json={"url": url}).status_code == 403
    record = finished_session(deps, org.user)
    delays: list[float] = []
    assert notify_session_finished(deps.redis, api_settings, record.session_id, sleep=delays.append)
    assert len(state.received) == 2 and delays == [1.0]  # one 503, then delivered after the first backoff
    headers, body = state.received[-1]
    assert verify(secret, headers["X-Liftlab-Signature"], body)
    assert not verify("wrong", headers["X-Liftlab-Signature"], body)
    event = json.loads(body)
    assert (event["event"], event["session_id"], event["status"]) == (
        "session.done",
        record.session_id,
        "done",
    )


def test_gives_up_and_skips(
    deps: ApiDeps,
    client: TestClient[Litestar],
    api_settings: Settings,
    org: Org,
    receiver: tuple[Receiver, str],
) -> None:
    state, url = receiver
    record = finished_session(deps, org.user, status="failed")
    assert notify_session_finished(
        deps.redis, api_settings, record.session_id, sleep=lambda s: None
    )  # no hook
    client.put("/admin/webhook/", headers=org.admin.headers, json={"url": url})
    state.statuses[:] = [500, 500, 500, 500]
    assert not notify_session_finished(deps.redis, api_settings, record.session_id, sleep=lambda s: None)
    assert len(state.received) == 4
    state.statuses[:] = [410]
    assert not notify_session_finished(deps.redis, api_settings, record.session_id, sleep=lambda s: None)
    assert len(state.received) == 5  # a 4xx is final
    assert client.delete("/admin/webhook/", headers=org.admin.headers).status_code == 204
    assert client.get("/admin/webhook/", headers=org.admin.headers).json()["url"] is None
