"""The service-mode pipeline runner: claims jobs from the Redis stream and analyses them on Ray.

One job's failure marks that session failed with a reason and never stops the runner; a runner that
dies leaves its claimed job pending, and the next runner takes it over (reclaim_stale).
"""

from __future__ import annotations

import logging
import socket
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipelines.errors import LiftlabError, NotFoundError
from pipelines.request import AnalysisRequest
from pipelines.settings import Settings
from pipelines.shell import metrics
from pipelines.shell.pipeline import run_analysis
from pipelines.state import JobQueue, SessionRecord, SessionStore
from pipelines.storage.protocol import ObjectStore

log = logging.getLogger(__name__)

# A claimed job untouched this long belongs to a dead runner.
STALE_JOB_MS = 15 * 60 * 1000

SUMMARY_METRICS = ("max_bar_speed", "max_power", "max_GRF", "bar_past_the_knee_speed", "total_time",
                   "catch_time", "peak_bar_height_m")


class Runner:
    def __init__(
        self,
        settings: Settings,
        sessions: SessionStore,
        queue: JobQueue,
        store: ObjectStore,
        consumer: str | None = None,
        on_finished: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.queue = queue
        self.store = store
        self.consumer = consumer or f"{socket.gethostname()}-{threading.get_ident()}"
        self.on_finished = on_finished
        self.processed = 0
        self.failed = 0

    def run_forever(self, stop: threading.Event, block_ms: int = 1000) -> None:
        for msg_id, job in self.queue.reclaim_stale(self.consumer, STALE_JOB_MS):
            self._handle(msg_id, job)
        while not stop.is_set():
            self.run_once(block_ms)

    def run_once(self, block_ms: int = 1000) -> bool:
        claimed = self.queue.claim(self.consumer, block_ms)
        if claimed is None:
            return False
        self._handle(*claimed)
        return True

    def _handle(self, msg_id: str, job: dict[str, str]) -> None:
        session_id = job.get("session_id", "")
        try:
            self.process(session_id)
        finally:
            self.queue.ack(msg_id)  # a failed job is recorded on its session, not retried forever

    def process(self, session_id: str) -> None:
        record = self.sessions.get(session_id)
        if record is None:
            log.warning("job for unknown session %s dropped", session_id)
            return
        started = time.perf_counter()
        self.sessions.update(session_id, status="processing", progress=0.0, stage="probing", error=None)
        try:
            report = self._analyse(record)
        except LiftlabError as exc:
            self._fail(session_id, str(exc), type(exc).__name__)
            return
        except Exception as exc:
            log.error("session %s crashed: %s", session_id, traceback.format_exc())
            self._fail(session_id, f"internal error during analysis ({type(exc).__name__})", "internal")
            return
        self.sessions.update(
            session_id, status="done", progress=1.0, stage="done",
            report_key=f"sessions/{session_id}/report.json",
            summary_metrics=_summary(report), timings_s={**report.get("timings_s", {}),
                                                         "total": time.perf_counter() - started},
        )
        self.processed += 1
        total_s = time.perf_counter() - started
        metrics.record_success(report.get("timings_s", {}), int(report["video"]["n_frames"]), total_s)
        self._notify(session_id)

    def _analyse(self, record: SessionRecord) -> dict[str, Any]:
        request = AnalysisRequest(
            exercise=record.exercise, barbell_mass_kg=record.barbell_mass_kg,
            body_joint_angles=tuple(record.body_joint_angles), plate_diameter_m=record.plate_diameter_m,
            session_id=record.session_id, display_name=record.user_display_name,
            body_mass_kg=record.user_body_mass_kg, height_m=record.user_height_m, age=record.user_age,
            gender=record.user_gender, measurement_system=record.measurement_system,
        )
        suffix = Path(record.video_key).suffix or ".mp4"
        with tempfile.TemporaryDirectory(prefix="liftlab-job-") as tmp:
            video = Path(tmp) / f"original{suffix}"
            try:
                self.store.download_file(record.video_key, video)
            except NotFoundError as exc:
                raise LiftlabError("the uploaded video is missing from the object store") from exc

            def progress(stage: str, fraction: float) -> None:
                self.sessions.update(record.session_id, stage=stage, progress=round(fraction, 3))

            return run_analysis(video, request, self.settings, self.store,
                                prefix=f"sessions/{record.session_id}/", progress=progress)

    def _fail(self, session_id: str, reason: str, reason_class: str) -> None:
        self.failed += 1
        metrics.record_failure(reason_class)
        self.sessions.update(session_id, status="failed", stage="failed", error=reason)
        self._notify(session_id)

    def _notify(self, session_id: str) -> None:
        if self.on_finished is None:
            return
        try:
            self.on_finished(session_id)
        except Exception:
            log.warning("finish notification for %s failed: %s", session_id, traceback.format_exc())


def _summary(report: dict[str, Any]) -> dict[str, float | None]:
    primary = report.get("primary_rep")
    if primary is None or not report.get("reps"):
        return {}
    rep_metrics = report["reps"][primary]["metrics"]
    out: dict[str, float | None] = {}
    for name in SUMMARY_METRICS:
        value = rep_metrics.get(name, {}).get("value")
        out[name] = value if isinstance(value, (int, float)) else None
    return out
