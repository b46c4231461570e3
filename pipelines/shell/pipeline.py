"""The analysis pipeline, one clip end to end: probe, parallel decode + pose + bar observations,
lifter selection, bar tracking, kinematics, artifacts, rendering. The same code serves the embedded
mode (a local folder store) and the service mode (S3 + Redis progress)."""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ray

from pipelines import __version__
from pipelines.errors import ConfigError
from pipelines.request import AnalysisRequest
from pipelines.settings import Settings
from pipelines.shell.heap import release_free_heap
from pipelines.shell.segments import PoseExecution, SegmentResult, run_segments
from pipelines.storage.protocol import ObjectStore
from pipelines.video.decode import analysis_size, plan_segments
from pipelines.video.probe import ProbeResult, probe_video

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, float], None]

# Share of the whole job each stage is worth, for progress reporting.
_STAGE_SPAN = {"probing": (0.0, 0.02), "decoding": (0.02, 0.70), "analysing": (0.70, 0.78),
               "rendering": (0.78, 0.97), "storing": (0.97, 1.0)}


class _Stages:
    """Stage timer + progress reporter."""

    def __init__(self, progress: ProgressFn | None) -> None:
        self.timings_s: dict[str, float] = {}
        # seconds summed over the parallel segment tasks (not wall time): where the decode stage's CPU goes
        self.task_timings_s: dict[str, float] = {}
        self.progress = progress

    def report(self, stage: str, fraction: float) -> None:
        if self.progress is not None:
            lo, hi = _STAGE_SPAN[stage]
            self.progress(stage, lo + (hi - lo) * min(max(fraction, 0.0), 1.0))

    @contextmanager
    def stage(self, name: str, progress_stage: str | None = None):  # type: ignore[no-untyped-def]
        if progress_stage:
            self.report(progress_stage, 0.0)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings_s[name] = round(time.perf_counter() - t0, 4)
        if progress_stage:
            self.report(progress_stage, 1.0)


def run_analysis(
    video_path: Path,
    request: AnalysisRequest,
    settings: Settings,
    store: ObjectStore,
    prefix: str,
    progress: ProgressFn | None = None,
    probe: ProbeResult | None = None,
) -> dict[str, Any]:
    """Analyse one video and store every artifact under ``prefix``; returns report.json's content.

    Ray must be initialised and the pose execution prepared (pipelines.shell.ray_runtime.prepare_pose).
    """
    stages = _Stages(progress)
    with stages.stage("probe", "probing"):
        probe = probe or probe_video(video_path, settings.max_video_duration_s)
    info = probe.info
    out_w, out_h, scale = analysis_size(info.width_px, info.height_px, settings.analysis_long_side_px)
    segments = plan_segments(probe, settings.decode_segment_s)
    # The annotated video's frames are scaled and encoded while decoding for the analysis (proxies), so
    # rendering does not decode the source again (pipelines/video/proxy.py).
    from pipelines.render.video_io import output_size
    from pipelines.video.proxy import proxy_coded_size

    render_w, render_h, _ = output_size(info.width_px, info.height_px, settings.render_long_side_px)
    proxy_wh = proxy_coded_size((info.width_px, info.height_px), info.rotation_deg, (render_w, render_h))

    preload = preload_later_stages()
    task_source = video_for_tasks(video_path, settings)
    with stages.stage("decode_pose_bar", "decoding"):
        results = run_segments(
            task_source, probe, segments, (out_w, out_h), scale, settings.decode_max_in_flight,
            pose_execution(settings), on_done=lambda done, total: stages.report("decoding", done / total),
            proxy_coded_wh=proxy_wh,
        )
    preload.join()
    stages.task_timings_s = {
        "decode_and_pose": round(sum(r.decode_s for r in results), 4),  # pose inline while decoding
        "pose_after_decode": round(sum(r.pose_wait_s for r in results), 4),  # stride and tracking passes
        "bar_observe": round(sum(r.bar_s for r in results), 4),
        "bar_observe_cpu": round(sum(r.bar_cpu_s for r in results), 4),  # the same, CPU seconds
    }
    people_per_frame, bar_observations = _merge_segments(results, info.n_frames)
    proxies = [r.proxy for r in results if r.proxy is not None]

    with stages.stage("lifter", "analysing"):
        from pipelines.pose.lifter import select_lifter

        pose = select_lifter(probe.t_s, people_per_frame, (info.width_px, info.height_px))
    with stages.stage("bar_track"):
        from pipelines.bar import track_bar

        bar, calib, bar_warnings = track_bar(
            probe.t_s, bar_observations, pose, (info.width_px, info.height_px), request.plate_diameter_m,
        )
    with stages.stage("kinematics"):
        from pipelines.metrics.analyze import BodyProfile, analyze_lift

        sex = request.gender if request.gender in ("male", "female") else None  # de Leva table choice
        body = BodyProfile(body_mass_kg=request.body_mass_kg, height_m=request.height_m, sex=sex)
        analysis = analyze_lift(
            pose, bar, calib, request.exercise, request.barbell_mass_kg, body, request.joint_angles,
        )

    with tempfile.TemporaryDirectory(prefix="liftlab-out-") as tmp:
        out_dir = Path(tmp)
        from pipelines.shell.outputs import write_outputs

        report = write_outputs(
            out_dir=out_dir, video_path=video_path, probe=probe, request=request, settings=settings,
            pose=pose, bar=bar, calib=calib, bar_warnings=bar_warnings, analysis=analysis,
            stages=stages, version=__version__, proxies=proxies, task_source=task_source,
        )
        with stages.stage("store", "storing"):
            _upload_dir(out_dir, store, prefix)
    release_free_heap()  # a service worker runs session after session in this process
    return report


def preload_later_stages() -> threading.Thread:
    """Import the later stages' modules while the driver only waits (for Ray to start, for the segment
    tasks): their first import (1.4 s of CPU, scipy.signal the most) would otherwise sit on the critical
    path of a cold `liftlab analyze`. Cheap in a warm process (the modules are already loaded)."""

    def load() -> None:
        import pipelines.bar
        import pipelines.metrics.analyze
        import pipelines.pose.lifter
        import pipelines.shell.outputs  # noqa: F401

    thread = threading.Thread(target=load, name="liftlab-preload", daemon=True)
    thread.start()
    return thread


def video_for_tasks(video_path: Path, settings: Settings) -> str | ray.ObjectRef:
    """The clip as Ray tasks reach it: its path when every task runs on this machine, else its bytes put
    into the object store once (a runner joined to a cluster downloads the clip into its own pod)."""
    mode = settings.video_to_tasks
    if mode == "auto":
        mode = "object_store" if settings.ray_address else "path"
    if mode == "path":
        return str(video_path)
    if mode == "object_store":
        from pipelines.video.source import read_source_bytes

        return ray.put(read_source_bytes(video_path))
    raise ConfigError(f"LIFTLAB_VIDEO_TO_TASKS: expected auto, path or object_store, got {mode!r}")


def pose_execution(settings: Settings) -> PoseExecution:
    if settings.pose_frame_step < 1:
        raise ConfigError(f"LIFTLAB_POSE_FRAME_STEP: expected >= 1, got {settings.pose_frame_step}")
    if not 0.0 <= settings.pose_still_max_shift_fraction < 1.0:
        raise ConfigError("LIFTLAB_POSE_STILL_MAX_SHIFT_FRACTION: expected 0 (off) up to below 1, got "
                          f"{settings.pose_still_max_shift_fraction}")
    return PoseExecution(mode=settings.pose_execution, model=settings.pose_model,
                         models_dir=str(settings.models_dir.resolve()), max_people=settings.pose_max_people,
                         still_max_shift_fraction=settings.pose_still_max_shift_fraction,
                         frame_step=settings.pose_frame_step)


def _merge_segments(results: list[SegmentResult], n_frames: int) -> tuple[list[list[Any]], list[Any]]:
    people: list[list[Any]] = [[] for _ in range(n_frames)]
    bar_observations: list[Any] = []
    for result in results:
        for idx, found in result.people.items():
            people[idx] = found
        bar_observations.extend(result.bar_observations)
    if len(bar_observations) != n_frames:
        raise RuntimeError(f"bar observations: expected {n_frames}, got {len(bar_observations)}")
    return people, bar_observations


_CONTENT_TYPES = {".mp4": "video/mp4", ".json": "application/json", ".html": "text/html; charset=utf-8",
                  ".jpg": "image/jpeg", ".parquet": "application/vnd.apache.parquet"}


def _upload_dir(out_dir: Path, store: ObjectStore, prefix: str) -> None:
    # report.json last: its presence means every other artifact is already in place.
    files = sorted(p for p in out_dir.rglob("*") if p.is_file())
    files.sort(key=lambda p: p.name == "report.json")
    for path in files:
        key = f"{prefix}{path.relative_to(out_dir).as_posix()}"
        store.put_file(key, path, _CONTENT_TYPES.get(path.suffix, "application/octet-stream"))

