"""Load the REST API on loopback: details-endpoint latency under 50 concurrent clients, and the API's
peak RSS while 5 large uploads stream through it.

Starts its own redis-server and S3 server (moto), runs the API (uvicorn, one process) in a child
process so its memory is measured alone, and prints:
  details: N requests, R req/s, p50/p99 latency (target p99 <= 25 ms at 50 clients on 2 cores)
  uploads: K x M MB concurrently, API RSS baseline/peak/growth (target growth < 150 MB)
Bounded: --requests (default 3000) and --duration-s (default 30) cap the first part; --uploads and
--upload-mb the second. Nothing leaves loopback.

    .venv/bin/python bench/api_load.py [--requests 3000] [--clients 50] [--uploads 5] [--upload-mb 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import redis

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.settings import Settings  # noqa: E402
from pipelines.state import SessionRecord, SessionStore  # noqa: E402
from pipelines.storage import make_object_store  # noqa: E402
from services.api.accounts import AccountStore  # noqa: E402
from services.api.apikeys import ApiKeyStore  # noqa: E402
from tests.support.servers import free_port, redis_server, s3_server  # noqa: E402

_SERVER = """
import logging, sys, uvicorn
logging.getLogger("liftlab.api.access").setLevel(logging.WARNING)  # measure the API, not stderr
from pipelines.settings import Settings
from services.api.app import create_app
from services.cli.serve import uvicorn_options  # the same loop/parser as `liftlab serve`
uvicorn.run(create_app(Settings.from_env()), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            **uvicorn_options())
"""


def _report(n_frames: int) -> dict[str, object]:
    """A report.json of a realistic size (n_frames per series, the kinematics columns)."""
    t_s = (np.arange(n_frames) / 30.0).tolist()
    columns = [
        "bar_x_m",
        "bar_y_m",
        "bar_vy_mps",
        "bar_speed_mps",
        "bar_power_w",
        "grf_n",
        "hip_height_m",
        "shoulder_height_m",
        "torso_angle_deg",
        "shin_angle_deg",
    ]
    columns += [
        f"{c}_angle_deg"
        for c in ("lank", "rank", "lkne", "rkne", "lhip", "rhip", "lelb", "relb", "lsho", "rsho")
    ]
    rng = np.random.default_rng(0)
    series = {"t_s": t_s} | {c: rng.normal(size=n_frames).round(4).tolist() for c in columns}
    metrics = {
        "max_bar_speed": {"value": 1.9, "unit": "m/s", "confidence": 0.9},
        "max_power": {"value": 3200.0, "unit": "W", "confidence": 0.8},
    }
    return {
        "exercise": "snatch",
        "series": series,
        "primary_rep": 0,
        "warnings": [],
        "reps": [
            {"index": 0, "start_t_s": 1.0, "end_t_s": 4.0, "events": {}, "phases": [], "metrics": metrics}
        ],
        "artifacts": {"analyzed_video": "analyzed.mp4"},
    }


def _seed(settings: Settings) -> tuple[str, str]:
    client = redis.Redis.from_url(settings.redis_url)
    accounts = AccountStore(client, settings.redis_namespace)
    org = accounts.create_org("bench")
    user = accounts.create_user(
        org.org_id, role="admin", plan="pro", display_name="Bench", max_sessions=10_000
    )
    key = ApiKeyStore(client, settings.redis_namespace).issue(user.user_id).key
    store = make_object_store(settings)
    store.ensure_ready()
    record = SessionRecord(
        session_id="bench0",
        user_id=user.user_id,
        org_id=org.org_id,
        title="bench",
        exercise="snatch",
        barbell_mass_kg=100.0,
        status="done",
        progress=1.0,
        video_key="sessions/bench0/original.mp4",
        report_key="sessions/bench0/report.json",
    )
    store.put_bytes("sessions/bench0/report.json", json.dumps(_report(300)).encode(), "application/json")
    SessionStore(client, settings.redis_namespace).create(record)
    client.close()
    return key, "bench0"


async def _details_load(
    base: str, key: str, sid: str, *, clients: int, requests: int, duration_s: float
) -> tuple[list[float], float, int]:
    latencies_s: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration_s
    remaining = [requests]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"API-KEY {key}"}, limits=limits, timeout=30
    ) as client:

        async def worker() -> None:
            nonlocal errors
            while remaining[0] > 0 and time.perf_counter() < deadline:
                remaining[0] -= 1
                started = time.perf_counter()
                try:
                    r = await client.get(f"/weightlifting/sessions/{sid}/")
                    errors += r.status_code != 200
                except httpx.HTTPError:  # counted, not fatal: an overloaded box drops connections
                    errors += 1
                latencies_s.append(time.perf_counter() - started)

        for _ in range(20):  # warm-up (connections, report cache)
            await client.get(f"/weightlifting/sessions/{sid}/")
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed_s = time.perf_counter() - started
    return latencies_s, elapsed_s, errors


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/<pid>/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _big_video(path: Path, size_mb: int) -> Path:
    """A valid MP4 (a short clip) padded to size_mb with a top-level `free` box, which demuxers skip."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width = stream.height = 64
        stream.pix_fmt = "yuv420p"
        for i in range(20):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), i * 10, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    pad = size_mb * 1024 * 1024 - path.stat().st_size
    with path.open("ab") as fh:
        fh.write(struct.pack(">I4s", pad, b"free"))
        chunk = b"\0" * (1024 * 1024)
        left = pad - 8
        while left > 0:
            fh.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)
    return path


def _uploads(base: str, key: str, pid: int, video: Path, count: int) -> tuple[int, int, list[int]]:
    baseline = _rss_bytes(pid)
    peak = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss_bytes(pid))
            time.sleep(0.05)

    statuses: list[int] = []

    def one() -> None:
        with video.open("rb") as fh, httpx.Client(timeout=600) as client:
            r = client.post(
                base + "/weightlifting/sessions/",
                headers={"Authorization": f"API-KEY {key}"},
                files={"video": ("big.mp4", fh, "video/mp4")},
                data={"exercise_name": "snatch"},
            )
            statuses.append(r.status_code)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=one) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    sampler.join()
    return baseline, peak[0], statuses


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--duration-s", type=float, default=30.0)
    parser.add_argument("--uploads", type=int, default=5)
    parser.add_argument("--upload-mb", type=int, default=300)
    parser.add_argument(
        "--rate-limit-per-minute",
        type=int,
        default=0,
        help="0: off; set it high (e.g. 1000000) to include the limiter's Redis script in the cost",
    )
    args = parser.parse_args()

    with redis_server() as redis_url, s3_server() as s3_endpoint, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            redis_url=redis_url,
            redis_namespace="bench",
            s3_endpoint=s3_endpoint,
            s3_access_key="bench",
            s3_secret_key="bench",
            s3_bucket="liftlab-bench",
            rate_limit_per_minute=0,
            max_upload_bytes=(args.upload_mb + 10) * 1024 * 1024,
            max_sessions_per_user=10_000,
        )
        key, sid = _seed(settings)
        port = free_port()
        env = os.environ | {
            "LIFTLAB_REDIS_URL": redis_url,
            "LIFTLAB_REDIS_NAMESPACE": "bench",
            "LIFTLAB_S3_ENDPOINT": s3_endpoint,
            "LIFTLAB_S3_ACCESS_KEY": "bench",
            "LIFTLAB_S3_SECRET_KEY": "bench",
            "LIFTLAB_S3_BUCKET": "liftlab-bench",
            "LIFTLAB_RATE_LIMIT_PER_MINUTE": str(args.rate_limit_per_minute),
            "LIFTLAB_LOG_LEVEL": "WARNING",
            "LIFTLAB_MAX_UPLOAD_BYTES": str(settings.max_upload_bytes),
            "LIFTLAB_MAX_SESSIONS_PER_USER": "10000",
            "TMPDIR": tmp,
        }
        server = subprocess.Popen([sys.executable, "-c", _SERVER, str(port)], cwd=REPO, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(base + "/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the API did not start")
                time.sleep(0.2)
            cpu_before_s = _cpu_s(server.pid)
            client_cpu_before_s = time.process_time()
            latencies_s, elapsed_s, errors = asyncio.run(
                _details_load(
                    base, key, sid, clients=args.clients, requests=args.requests, duration_s=args.duration_s
                )
            )
            server_cpu_ms = (_cpu_s(server.pid) - cpu_before_s) * 1000 / max(1, len(latencies_s))
            # The load generator shares the cores with the API: its own cost is part of the picture.
            client_cpu_ms = (time.process_time() - client_cpu_before_s) * 1000 / max(1, len(latencies_s))
            ms = np.array(latencies_s) * 1000
            print(
                f"details: {len(ms)} requests, {args.clients} clients, {len(ms) / elapsed_s:.0f} req/s, "
                f"p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms "
                f"(target p99 <= 25 ms), failed: {errors}; API CPU {server_cpu_ms:.2f} ms/request "
                f"(load generator {client_cpu_ms:.2f} ms/request); "
                f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
            )
            if args.uploads > 0:
                video = _big_video(Path(tmp) / "big.mp4", args.upload_mb)
                baseline, peak, statuses = _uploads(base, key, server.pid, video, args.uploads)
                print(
                    f"uploads: {args.uploads} x {args.upload_mb} MB concurrently, "
                    f"statuses {sorted(statuses)}, "
                    f"API RSS baseline {baseline / 2**20:.0f} MB, peak {peak / 2**20:.0f} MB, "
                    f"growth {(peak - baseline) / 2**20:.0f} MB (target < 150 MB)"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
