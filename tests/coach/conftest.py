"""Fixtures of the coach tests: a real redis-server, an OpenAI-compatible HTTP server on localhost,
hand-built report.json documents (format of /tmp/common.md), and a network guard."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import redis

from pipelines.coach.worker import CoachWorker
from pipelines.settings import Settings
from tests.coach.reports import clean_snatch_report

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to a host other than loopback fails the test: nothing reaches the network."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and address[0] not in _LOOPBACK:
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def coach_redis_port() -> Iterator[int]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            raise RuntimeError(f"redis-server did not answer on port {port}")
        client.close()
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def coach_redis(coach_redis_port: int) -> Iterator[redis.Redis]:
    client = redis.Redis(port=coach_redis_port, decode_responses=True)
    client.flushall()
    yield client
    client.close()


@dataclass
class FakeLlm:
    """Scripted OpenAI-compatible server. script: one action per request, in order, then 'ok' forever.
    Actions: 'ok', '429', '500', 'slow' (sleeps slow_s before answering ok)."""

    script: list[str] = field(default_factory=list)
    delay_s: float = 0.0
    slow_s: float = 2.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def next_action(self, body: dict[str, Any]) -> str:
        with self.lock:
            self.requests.append(body)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self.script.pop(0) if self.script else "ok"

    def done(self) -> None:
        with self.lock:
            self.in_flight -= 1


def _handler(llm: FakeLlm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            action = llm.next_action(body)
            try:
                time.sleep(llm.slow_s if action == "slow" else llm.delay_s)
                if action in ("429", "500"):
                    error = {"error": {"message": f"scripted {action}", "type": "test"}}
                    self._send(int(action), error, {"retry-after": "0"} if action == "429" else {})
                    return
                prompt = body["messages"][-1]["content"]
                reply = f"LLM comment #{len(llm.requests)} ({len(prompt)} prompt chars)"
                self._send(200, {
                    "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model", "test"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": reply}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                })
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)
            finally:
                llm.done()

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def fake_llm() -> Iterator[FakeLlm]:
    llm = FakeLlm()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(llm))
    server.daemon_threads = True
    llm.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield llm
    server.shutdown()
    server.server_close()


@pytest.fixture
def report() -> dict[str, Any]:
    return clean_snatch_report()


RunWorker = Callable[[Settings], CoachWorker]


@pytest.fixture
def run_worker(coach_redis: redis.Redis) -> Iterator[RunWorker]:
    """Starts CoachWorkers in background threads (fast retry policy); stops and joins them after."""
    from pipelines.coach.llm import RetryPolicy

    started: list[tuple[threading.Event, threading.Thread]] = []

    def start(settings: Settings) -> CoachWorker:
        fast = RetryPolicy(backoff_base_s=0.01, backoff_max_s=0.05)
        worker = CoachWorker(coach_redis, settings, policy=fast)
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        thread.start()
        started.append((stop, thread))
        return worker

    yield start
    for stop, _ in started:
        stop.set()
    for _, thread in started:
        thread.join(timeout=30)
        assert not thread.is_alive(), "CoachWorker did not stop within 30 s"
