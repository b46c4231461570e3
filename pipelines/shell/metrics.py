"""Prometheus metrics of the pipeline runner (served by `liftlab worker` on LIFTLAB_METRICS_PORT)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

STAGE_SECONDS = Histogram(
    "liftlab_pipeline_stage_seconds", "Wall time of one pipeline stage for one session.", ["stage"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 80, 160, 320),
)
FRAMES_PER_SECOND = Histogram(
    "liftlab_pipeline_frames_per_second", "Frames analysed per wall-clock second, per session.",
    buckets=(5, 10, 20, 30, 45, 60, 90, 120, 240, 480),
)
JOBS = Counter("liftlab_pipeline_jobs_total", "Sessions finished by the runner.", ["result"])
FAILURES = Counter("liftlab_pipeline_failures_total", "Failed sessions by reason class.", ["reason"])


def record_success(timings_s: dict[str, float], n_frames: int, total_s: float) -> None:
    for stage, seconds in timings_s.items():
        STAGE_SECONDS.labels(stage=stage).observe(seconds)
    if total_s > 0:
        FRAMES_PER_SECOND.observe(n_frames / total_s)
    JOBS.labels(result="done").inc()


def record_failure(reason_class: str) -> None:
    FAILURES.labels(reason=reason_class).inc()
    JOBS.labels(result="failed").inc()
