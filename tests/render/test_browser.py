"""Headless Chromium (Debian's package) opens report.html and a page with analyzed.mp4 from a local
HTTP server: the video must be playable (canPlayType, readyState >= 2), with no console errors."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipelines.render import overlay_from, render_html_report, write_keyframes
from pipelines.shell.render import render_annotated_video
from tests.render.conftest import DiscClip, tracks_for
from tests.render.report_fixture import sample_report

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    "--enable-logging=stderr",
    "--v=0",
]

VIDEO_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>video</title></head><body>
<video id="v" src="analyzed.mp4" muted playsinline preload="auto" width="640"></video>
<pre id="result">pending</pre>
<script>
const errors = [];
window.addEventListener("error", e => errors.push(String(e.message || e.type)), true);
const v = document.getElementById("v");
const report = () => { document.getElementById("result").textContent = JSON.stringify({
  canPlay: v.canPlayType('video/mp4; codecs="avc1.640028"'), readyState: v.readyState,
  duration: v.duration, width: v.videoWidth, height: v.videoHeight,
  error: v.error ? v.error.code : null, errors }); };
v.addEventListener("loadeddata", () => v.play().catch(e => errors.push("play: " + e)).finally(report));
v.addEventListener("error", () => { errors.push("video error " + (v.error && v.error.code)); report(); });
</script></body></html>"""


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip("chromium is not installed and this user cannot apt-get install it")
    proc = subprocess.run(
        ["apt-get", "install", "-y", "chromium"], capture_output=True, text=True, timeout=600, check=False
    )
    found = shutil.which("chromium")
    if proc.returncode != 0 or not found:
        pytest.skip(f"apt-get install chromium failed: {proc.stderr[-300:]}")
    return found


@pytest.fixture
def served(disc_clip: DiscClip, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    pose, bar, series, phases, warnings = tracks_for(disc_clip)
    overlay = overlay_from(pose, bar, series, phases, warnings, "metric")
    render_annotated_video(
        disc_clip.path, overlay, tmp_path / "analyzed.mp4", overlay.n_frames, chunk_frames=30
    )
    report = sample_report(disc_clip, series, phases)
    paths = write_keyframes(disc_clip.path, report["reps"][0]["events"], overlay, tmp_path / "keyframes")
    keyframes = {name: p.relative_to(tmp_path).as_posix() for name, p in paths.items()}
    render_html_report(report, report["series"], keyframes, tmp_path / "report.html")
    (tmp_path / "video.html").write_text(VIDEO_PAGE, encoding="utf-8")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    finally:
        server.shutdown()
        server.server_close()


def _run(chromium: str, profile: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if re.search(r"CONSOLE.*(Error|Uncaught)|Uncaught", line)]


def test_annotated_video_plays_in_chromium(chromium: str, served: tuple[str, Path]) -> None:
    base, out_dir = served
    proc = _run(
        chromium,
        out_dir / "profile-video",
        ["--virtual-time-budget=8000", "--dump-dom", f"{base}/video.html"],
    )
    match = re.search(r'<pre id="result">(.*?)</pre>', proc.stdout, re.S)
    assert match, f"no result in the DOM; stderr: {proc.stderr[-800:]}"
    result = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert result["canPlay"] in ("probably", "maybe"), result
    assert result["readyState"] >= 2, result
    assert result["error"] is None and not result["errors"], result
    assert (result["width"], result["height"]) == (640, 360)
    assert abs(result["duration"] - 2.5) < 0.05, result
    assert not _console_errors(proc.stderr), _console_errors(proc.stderr)


def test_report_renders_in_chromium(chromium: str, served: tuple[str, Path]) -> None:
    base, out_dir = served
    shot = out_dir / "report.png"
    proc = _run(
        chromium,
        out_dir / "profile-report",
        ["--window-size=1100,2400", "--hide-scrollbars", f"--screenshot={shot}", f"{base}/report.html"],
    )
    assert shot.is_file() and shot.stat().st_size > 20_000, f"no screenshot; stderr: {proc.stderr[-800:]}"
    assert not _console_errors(proc.stderr), _console_errors(proc.stderr)
    keep = os.environ.get("LIFTLAB_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)
