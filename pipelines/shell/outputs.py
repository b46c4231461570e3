"""Write every artifact of one analysis into a folder (the same names locally and in the store)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipelines.artifacts.frames import frames_table
from pipelines.render.annotated_chunk import SourceTiming
from pipelines.request import AnalysisRequest
from pipelines.settings import Settings
from pipelines.shell.heap import release_free_heap
from pipelines.types import BarTrack, Calibration, PoseTrack
from pipelines.video.probe import ProbeResult
from pipelines.video.proxy import ProxySegment

if TYPE_CHECKING:
    from pipelines.shell.pipeline import _Stages


def pose_frame_counts(pose: PoseTrack) -> dict[str, int]:
    """How the lifter's keypoints of each frame came about: measured by the pose model, interpolated
    between measured frames (a still span or the frame step; lifter found), filled across a short gap
    where the lifter was not found, or missing."""
    found, filled = pose.lifter_found.astype(bool), pose.filled.astype(bool)
    return {
        "measured": int(np.sum(found & ~filled)),
        "interpolated": int(np.sum(found & filled)),
        "gap_filled": int(np.sum(~found & filled)),
        "missing": int(np.sum(~found & ~filled)),
    }


def write_outputs(
    *,
    out_dir: Path,
    video_path: Path,
    probe: ProbeResult,
    request: AnalysisRequest,
    settings: Settings,
    pose: PoseTrack,
    bar: BarTrack,
    calib: Calibration | None,
    bar_warnings: list[dict[str, str]],
    analysis: Any,
    stages: _Stages,
    version: str,
    proxies: Sequence[ProxySegment] = (),
    task_source: Any = None,
) -> dict[str, Any]:
    from pipelines.artifacts import with_metadata, write_parquet, write_report_json
    from pipelines.bar import bar_table
    from pipelines.metrics.analyze import kinematics_table, phases_table, report_sections
    from pipelines.render import overlay_from, render_html_report, write_keyframes
    from pipelines.shell.render import ProxyFrames, start_annotated_video

    info = probe.info
    # No plate found: the tracker returns m_per_px = NaN with confidence 0; the report says null.
    calibrated = calib is not None and np.isfinite(calib.m_per_px) and calib.m_per_px > 0
    calib_dict = None if calib is None or not calibrated else {
        "m_per_px": calib.m_per_px, "plate_diameter_m": calib.plate_diameter_m,
        "plate_radius_px": calib.plate_radius_px, "yaw_deg": calib.yaw_deg, "confidence": calib.confidence,
    }
    meta = {"liftlab_version": version, "pose_model": settings.pose_model,
            "calibration": calib_dict, "exercise": request.exercise}
    with stages.stage("write_parquet"):
        write_parquet(with_metadata(frames_table(pose), meta), out_dir / "frames.parquet")
        write_parquet(with_metadata(bar_table(bar, calib), meta), out_dir / "bar.parquet")  # type: ignore[arg-type]
        write_parquet(with_metadata(kinematics_table(analysis), meta), out_dir / "kinematics.parquet")
        write_parquet(with_metadata(phases_table(analysis), meta), out_dir / "phases.parquet")

    sections = report_sections(analysis)
    warnings = list(bar_warnings) + list(sections.get("warnings", []))
    if info.variable_frame_rate:
        warnings.append({"code": "variable_frame_rate",
                         "message": "Variable frame rate: timing uses each frame's own timestamp."})
    report: dict[str, Any] = {
        "liftlab_version": version,
        "status": "done",
        "session_id": request.session_id,
        "exercise": request.exercise,
        "barbell_mass_kg": request.barbell_mass_kg,
        "body_joint_angles": list(request.joint_angles),
        "video": {
            "width_px": info.width_px, "height_px": info.height_px, "fps": info.fps,
            "duration_s": info.duration_s, "n_frames": info.n_frames, "rotation_deg": info.rotation_deg,
            "codec": info.codec, "variable_frame_rate": info.variable_frame_rate,
        },
        "pose_model": settings.pose_model,
        "pose_frames": pose_frame_counts(pose),
        "calibration": calib_dict,
        "user": request.user_section(),
        "reps": sections["reps"],
        "primary_rep": sections["primary_rep"],
        "warnings": warnings,
        "series": sections["series"],
        "artifacts": {
            "frames": "frames.parquet", "bar": "bar.parquet", "kinematics": "kinematics.parquet",
            "phases": "phases.parquet", "analyzed_video": "analyzed.mp4", "report_html": "report.html",
            "keyframes": {},
        },
        "timings_s": stages.timings_s,
        "task_timings_s": stages.task_timings_s,
    }

    series = {k: np.asarray([np.nan if v is None else v for v in vals], dtype=float)
              for k, vals in sections["series"].items() if _numeric(vals)}
    phases = [dict(p, rep_index=r["index"]) for r in sections["reps"] for p in r["phases"]]
    overlay = dataclasses.replace(
        overlay_from(pose, bar, series, phases, warnings, request.measurement_system),
        out_long_side_px=settings.render_long_side_px,
        encode_preset=settings.render_preset,
        encode_crf=settings.render_crf,
    )
    # The video renders in Ray tasks while this process writes key frames and the HTML report;
    # render_video is timed from submission to the last chunk joined (the stage's real span).
    render_t0 = time.perf_counter()
    stages.report("rendering", 0.0)
    frames = None if not proxies else ProxyFrames(tuple(proxies), source_timing(probe))
    keyframe_index = [int(k) for k in probe.keyframe_index]
    rendering = start_annotated_video(
        video_path, overlay, out_dir / "analyzed.mp4", info.n_frames,
        chunk_frames=settings.render_chunk_frames, max_in_flight=settings.render_max_in_flight,
        task_num_cpus=settings.render_task_num_cpus, keyframes=keyframe_index,
        frames=frames, task_source=task_source,
    )
    try:
        with stages.stage("keyframes"):
            events = {}
            primary = sections["primary_rep"]
            if primary is not None:
                events = sections["reps"][primary]["events"]
            paths = write_keyframes(
                video_path, events, overlay, out_dir / "keyframes", keyframe_index=keyframe_index
            )
            release_free_heap()  # the full-size decoded frames, while the render tasks still run
            report["artifacts"]["keyframes"] = {
                name: path.relative_to(out_dir).as_posix() for name, path in paths.items()
            }
        with stages.stage("report_html"):
            render_html_report(report, sections["series"], report["artifacts"]["keyframes"],
                               out_dir / "report.html", units=request.measurement_system)
    finally:
        rendering.result()  # re-raises a render failure; never leaves the thread writing into out_dir
    stages.timings_s["render_video"] = round(time.perf_counter() - render_t0, 4)
    stages.report("rendering", 1.0)
    report["timings_s"] = stages.timings_s
    write_report_json(report, out_dir / "report.json")
    return report


def _numeric(values: list[Any]) -> bool:
    return all(v is None or isinstance(v, (int, float)) for v in values)


def source_timing(probe: ProbeResult) -> SourceTiming:
    pts = np.asarray(probe.pts, dtype=np.int64)
    return SourceTiming(time_base=probe.time_base_q, average_rate=probe.average_rate, pts=pts - pts[0],
                        duration_pts=probe.duration_pts,
                        display_wh=(probe.info.width_px, probe.info.height_px))
