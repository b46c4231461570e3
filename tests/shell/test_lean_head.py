"""The lean local Ray head: runs tasks without the monitor, log monitor and dashboard processes, and
leaves nothing behind after a clean shutdown or after its driver is killed.

Each case runs the driver in a child process: one Python process can hold only one Ray, and the
test session's own (tests/conftest.py) may already be up.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

_DRIVER = textwrap.dedent(
    """
    import json, os, sys, time
    import psutil, ray
    from pipelines.settings import Settings
    from pipelines.shell.lean_head import lean_head_running
    from pipelines.shell.ray_runtime import shutdown_ray, start_ray

    start_ray(Settings(ray_num_cpus=1, ray_lean_head=sys.argv[1] == "lean"))

    @ray.remote
    def square(x: int) -> int:
        return x * x

    result = ray.get([square.remote(i) for i in range(4)])
    children = psutil.Process().children(recursive=True)
    print(json.dumps({
        "result": result,
        "lean": lean_head_running(),
        "pids": [p.pid for p in children],
        "cmdlines": [" ".join(p.cmdline()) for p in children],
    }), flush=True)
    if sys.argv[2] == "shutdown":
        shutdown_ray()
        print("done", flush=True)
    else:
        time.sleep(600)  # the test kills this process
    """
)

_UNUSED_HELPERS = ("dashboard/dashboard.py", "autoscaler/_private/monitor.py", "_private/log_monitor.py")


def _start_driver(mode: str, end: str) -> tuple[subprocess.Popen[str], dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "RAY_USAGE_STATS_ENABLED": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-c", _DRIVER, mode, end],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        pytest.fail(f"driver exited before reporting (rc {proc.wait()})")
    return proc, json.loads(line)


def _alive(pids: list[int]) -> list[int]:
    out = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                out.append(pid)
        except psutil.NoSuchProcess:
            pass
    return out


def _wait_gone(pids: list[int], timeout_s: float) -> list[int]:
    deadline = time.monotonic() + timeout_s
    while (left := _alive(pids)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@pytest.mark.slow
def test_lean_head_runs_tasks_without_unused_helpers_and_shuts_down_cleanly() -> None:
    proc, info = _start_driver("lean", "shutdown")
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "done"
    assert proc.wait(timeout=60) == 0
    assert info["result"] == [0, 1, 4, 9]
    assert info["lean"] is True
    cmdlines = info["cmdlines"]
    assert isinstance(cmdlines, list)
    assert any("raylet" in c for c in cmdlines)  # it is a real cluster
    for helper in _UNUSED_HELPERS:
        assert not any(helper in c for c in cmdlines), helper
    pids = info["pids"]
    assert isinstance(pids, list)
    assert _wait_gone(pids, 30.0) == []


@pytest.mark.slow
def test_stock_head_is_still_available() -> None:
    proc, info = _start_driver("stock", "shutdown")
    assert proc.wait(timeout=60) == 0
    assert info["result"] == [0, 1, 4, 9]
    assert info["lean"] is False
    cmdlines = info["cmdlines"]
    assert isinstance(cmdlines, list)
    assert any("dashboard/dashboard.py" in c for c in cmdlines)


@pytest.mark.slow
def test_killed_driver_takes_its_lean_cluster_with_it() -> None:
    proc, info = _start_driver("lean", "hold")
    pids = info["pids"]
    assert isinstance(pids, list) and pids
    cmdlines = info["cmdlines"]
    assert isinstance(cmdlines, list)
    agents = [p for p, c in zip(pids, cmdlines, strict=True) if "Agent" in c]
    core = [p for p in pids if p not in agents]  # GCS, raylet, workers: fate-shared with the driver
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert _wait_gone(core, 30.0) == []
    # The raylet's two agents notice its death, then give up reaching the dead GCS after about a
    # minute (Ray's own behaviour, the same under stock ray.init).
    assert _wait_gone(agents, 150.0) == []
