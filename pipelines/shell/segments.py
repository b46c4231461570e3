"""Parallel per-segment work on Ray: decode a time segment, ask the pose deployment about each frame,
and collect the bar observations. Frames never leave the task except as pose requests to Serve."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import ray

from pipelines.pose.tracking import (
    DEFAULT_FRAME_STEP,
    DEFAULT_STILL_MAX_SHIFT_FRACTION,
    TrackingConfig,
    detector_positions,
    interpolate_person,
    is_new_person,
    lifter_at_detector_frames,
    plan_frame_step,
    plan_still_frames,
    plan_stride_hints,
    plan_tracking,
)
from pipelines.shell.heap import release_free_heap
from pipelines.video.decode import Segment, analysis_rgb, decode_segment_frames
from pipelines.video.probe import ProbeResult
from pipelines.video.proxy import ProxySegment, ProxyWriter
from pipelines.video.source import VideoSource
from services.inference.protocol import PersonPose, RoiTracker, track_with_flags

# The person detector runs on every k-th frame of a segment (and its last); the frames between go to
# `track` with a hint from the detector frames around them (docs/pose.md "Detector stride"). 1 = the
# detector on every frame. Chosen by measurement (bench/pose.py --stride).
DEFAULT_DETECTOR_STRIDE = 5
# A plate candidate that moved more than this fraction of its radius in one frame (relative to the
# background) means the span between two detector frames is not still, whatever the two poses say
# (docs/pose.md "Frames without a landmark pass"). At 1080p a ~100 px plate may drift 2 px a frame.
BAR_STILL_MAX_SHIFT_PER_FRAME = 0.02
BAR_STILL_MIN_PX = 1.0


@dataclass(slots=True)
class SegmentResult:
    segment_index: int
    people: dict[int, list[PersonPose]]  # frame index -> people, original displayed-frame pixels
    bar_observations: list[Any]  # one per frame of the segment, in order (pipelines.bar's type)
    decode_s: float = 0.0
    pose_wait_s: float = 0.0
    bar_s: float = 0.0
    bar_cpu_s: float = 0.0  # the observation's CPU on its thread (bar_s, wall, counts waiting for a core)
    n_tracked: int = 0  # frames where the lifter was found by the tracking pass, not the detector
    n_stride_tracked: int = 0  # frames between detector frames found by `track` alone
    n_stride_fallback: int = 0  # frames between detector frames sent to the detector after all
    n_interpolated: int = 0  # frames between detector frames interpolated (still span, frame step): no model
    proxy: ProxySegment | None = None  # the segment's frames at the annotated video's size


def process_segment(
    source: VideoSource,
    probe: ProbeResult,
    segment: Segment,
    out_wh: tuple[int, int],
    scale_to_original: float,
    estimate: Callable[[np.ndarray], Any],
    observe_bar: Callable[..., list[Any]],
    track: Callable[..., Any] | None = None,
    tracking: TrackingConfig | None = None,
    detector_stride: int = DEFAULT_DETECTOR_STRIDE,
    proxy_coded_wh: tuple[int, int] | None = None,
) -> SegmentResult:
    """The body of the Ray task, with its collaborators passed in (so it runs without Ray in tests).

    ``estimate(frame_rgb)`` returns a pose response: something with ``.result()`` (a Serve response)
    or the list of people itself. ``track(frame_rgb, roi_hint)`` (optional, same kind of response) runs
    the landmark model on a hinted region: after every frame's detection has come back, frames of this
    segment where the lifter was not found are retried with a hint from the nearest frame where it was,
    all retries of a round sent at once (pipelines.pose.tracking). With ``detector_stride`` k > 1 (and a
    ``track``), only every k-th frame and the last go to ``estimate`` while decoding; the frames between
    then go to ``track(frame_rgb, roi_hint, False)`` (conditional re-crop) with hints from the detector
    frames around them, and those whose tracked result fails the backend's gate go to ``estimate``;
    frames between two detector frames where the lifter stood still and no plate moved get the two poses
    interpolated instead (``tracking.still_max_shift_fraction``; pipelines.pose.tracking.plan_still_frames),
    and with ``tracking.frame_step`` k > 1 only every k-th frame after a detector frame is tracked, the
    frames between interpolated from their measured neighbours (plan_frame_step; see _stride_pass).
    With ``proxy_coded_wh``, the segment's own frames are also encoded at that (stored-orientation) size
    for the annotated video (pipelines/video/proxy.py).
    """
    t0 = time.perf_counter()
    pending: list[tuple[int, Any]] = []
    frames_bgr: list[np.ndarray] = []
    frame_indices: list[int] = []
    deferred: list[int] = []  # frames left to `track` (detector stride)
    overlap_first = segment.start_frame > 0
    stride = detector_stride if track is not None else 1
    on_detector = set(detector_positions(segment.end_frame - segment.start_frame, stride))
    proxy = None if proxy_coded_wh is None else ProxyWriter(
        segment.start_frame, proxy_coded_wh, probe.info.rotation_deg
    )
    for idx, frame in decode_segment_frames(source, probe, segment, include_previous=overlap_first):
        rgb = analysis_rgb(frame, out_wh, probe.info.rotation_deg)
        if idx >= segment.start_frame:
            if proxy is not None:
                proxy.add(frame)
            if idx - segment.start_frame in on_detector:
                pending.append((idx, estimate(rgb)))  # asynchronous: pose runs while we keep decoding
            else:
                deferred.append(idx)
        frames_bgr.append(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        frame_indices.append(idx)
    if deferred and (not pending or deferred[-1] > pending[-1][0]):
        # the decoder stopped short of the planned last frame: the last one decoded needs the detector
        idx = deferred.pop()
        pending.append((idx, estimate(np.ascontiguousarray(cv2.cvtColor(frames_bgr[-1], cv2.COLOR_BGR2RGB)))))
    t1, cpu1 = time.perf_counter(), time.thread_time()
    bar_observations = observe_bar(frames_bgr, scale_to_original, overlap_first)
    t2, cpu2 = time.perf_counter(), time.thread_time()
    found_px: dict[int, list[PersonPose]] = {idx: _result(response) for idx, response in pending}
    n_tracked = 0
    stride_counts = (0, 0, 0)
    if track is not None and found_px:
        bgr_by_idx = dict(zip(frame_indices, frames_bgr, strict=True))
        if deferred:
            bar_still = _bar_still_between(bar_observations, segment.start_frame)
            stride_counts = _stride_pass(
                found_px, deferred, bgr_by_idx, probe.t_s, out_wh, estimate, track, tracking, bar_still
            )
        n_tracked = _tracking_passes(found_px, bgr_by_idx, probe.t_s, out_wh, track, tracking)
    del frames_bgr
    people = {idx: [p.scaled(scale_to_original) for p in found] for idx, found in found_px.items()}
    t3 = time.perf_counter()
    return SegmentResult(
        segment_index=segment.index, people=people, bar_observations=bar_observations,
        decode_s=t1 - t0, bar_s=t2 - t1, bar_cpu_s=cpu2 - cpu1, pose_wait_s=t3 - t2, n_tracked=n_tracked,
        n_stride_tracked=stride_counts[0], n_stride_fallback=stride_counts[1],
        n_interpolated=stride_counts[2],
        proxy=None if proxy is None else proxy.finish(),
    )


def _result(response: Any) -> list[PersonPose]:
    found: list[PersonPose] = response.result() if hasattr(response, "result") else response
    return list(found)


def _rgb(bgr: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def _bar_still_between(observations: list[Any], start_frame: int) -> Callable[[int, int], bool]:
    """(frame a, frame b) -> whether no plate candidate observed on frames a+1..b moved by more than
    BAR_STILL_MAX_SHIFT_PER_FRAME of its radius from its previous frame, relative to the background.
    Observations without that information (None, or no followed candidate) say nothing against it."""

    def still(a: int, b: int) -> bool:
        for frame in range(a + 1, b + 1):
            k = frame - start_frame
            obs: Any = observations[k] if 0 <= k < len(observations) else None
            disp = getattr(obs, "prev_disp_xy_px", None)
            if disp is None or len(disp) == 0:
                continue
            camera = np.nan_to_num(np.asarray(obs.camera_disp_xy_px, dtype=np.float64))
            moved = np.linalg.norm(np.asarray(disp, dtype=np.float64) - camera, axis=1)
            limit = np.maximum(BAR_STILL_MAX_SHIFT_PER_FRAME * np.asarray(obs.radius_px), BAR_STILL_MIN_PX)
            if bool(np.any(np.isfinite(moved) & (moved > limit))):
                return False
        return True

    return still


def _stride_pass(
    people: dict[int, list[PersonPose]],
    deferred: list[int],
    bgr_by_idx: dict[int, np.ndarray],
    t_s_all: np.ndarray,
    frame_wh: tuple[int, int],
    estimate: Callable[[np.ndarray], Any],
    track: Callable[..., Any],
    cfg: TrackingConfig | None,
    bar_still: Callable[[int, int], bool] | None = None,
) -> tuple[int, int, int]:
    """The frames between detector frames (people: detector frame -> people, updated in place with every
    deferred frame).
    1. Frames in a still span (plan_still_frames; bar_still(frame a, frame b) must agree) get the
       interpolated lifter.
    2. With cfg.frame_step k > 1, only every k-th frame after a detector frame is measured (plan_frame_step).
    3. The measured ones are all tracked at once from hints of the detector frames around them.
    4. A frame left out in 2 gets its neighbours' lifter interpolated when both were measured (detector
       lifter or tracked), else it is tracked after all (a second wave).
    5. Frames the tracker gives up on (or that have no hint) all go to the detector at once.
    Returns (tracked, sent to the detector, interpolated)."""
    cfg = cfg or TrackingConfig()
    indices = sorted([*people, *deferred])
    position = {idx: k for k, idx in enumerate(indices)}
    t_s = np.asarray(t_s_all, dtype=np.float64)[indices]
    detected = {position[i]: people[i] for i in people}
    lifter = lifter_at_detector_frames(t_s, detected, frame_wh)
    span_still = None if bar_still is None else (lambda a, b: bar_still(indices[a], indices[b]))
    interpolated = plan_still_frames(t_s, sorted(detected), lifter, cfg, span_still)
    between = [position[idx] for idx in deferred if position[idx] not in interpolated]
    skipped = plan_frame_step(sorted(detected), between, cfg.frame_step)
    hints = plan_stride_hints(t_s, detected, frame_wh, cfg, lifter)  # the lifter chosen once
    measured_lifter: dict[int, PersonPose] = dict(lifter)  # position -> lifter, detector or tracked
    fallback: list[int] = []
    tracked = 0

    def track_wave(wave: list[int]) -> None:
        nonlocal tracked
        requests = [(p, track(_rgb(bgr_by_idx[indices[p]]), hints[p], False)) for p in wave if p in hints]
        fallback.extend(p for p in wave if p not in hints)
        for p, response in requests:
            found = _result(response)
            if found:
                people[indices[p]] = found
                measured_lifter[p] = found[0]  # `track` returns the hinted body alone
                tracked += 1
            else:
                fallback.append(p)

    track_wave([p for p in between if p not in skipped])
    second_wave: list[int] = []
    for p, (left, right) in skipped.items():
        if left in measured_lifter and right in measured_lifter:
            w = float((t_s[p] - t_s[left]) / max(t_s[right] - t_s[left], 1e-9))
            interpolated[p] = interpolate_person(measured_lifter[left], measured_lifter[right], w)
        else:
            second_wave.append(p)
    track_wave(second_wave)
    for p, person in interpolated.items():
        people[indices[p]] = [person]
    detected_now = [(p, estimate(_rgb(bgr_by_idx[indices[p]]))) for p in fallback]
    for p, response in detected_now:
        people[indices[p]] = _result(response)
    return tracked, len(fallback), len(interpolated)


def _tracking_passes(
    people: dict[int, list[PersonPose]],
    bgr_by_idx: dict[int, np.ndarray],
    t_s_all: np.ndarray,
    frame_wh: tuple[int, int],
    track: Callable[[np.ndarray, np.ndarray], Any],
    cfg: TrackingConfig | None,
) -> int:
    """Rounds of tracking over the segment's frames (people: frame -> people in analysis pixels, updated
    in place). Returns the number of frames where a tracked person was added."""
    cfg = cfg or TrackingConfig()
    indices = sorted(people)
    t_s = np.asarray(t_s_all, dtype=np.float64)[indices]
    tried: dict[int, int] = {}
    added = 0
    for _ in range(cfg.max_rounds):
        plan = plan_tracking(t_s, [people[i] for i in indices], frame_wh, cfg, tried)
        if not plan:
            break
        # every retry of the round in flight at once: Serve batches them like first-pass frames
        requests = [(indices[k], track(_rgb(bgr_by_idx[indices[k]]), hint)) for k, hint in plan.items()]
        new_in_round = 0
        for idx, response in requests:
            for person in _result(response):
                if is_new_person(person, people[idx]):
                    people[idx].append(person)
                    new_in_round += 1
        added += new_in_round
        if new_in_round == 0:
            break
    return added


@dataclass(frozen=True, slots=True)
class PoseExecution:
    """Where a segment's frames meet the pose model.

    "serve": the Ray Serve deployment (the service: batches across videos, GPU replicas).
    "task": the model inside the segment task's own process, built once per worker (the embedded mode;
    services/inference/in_process.py says why).
    """

    mode: str = "serve"
    model: str = "blazepose_full_cpu"
    models_dir: str = "models"
    max_people: int = 3
    still_max_shift_fraction: float = DEFAULT_STILL_MAX_SHIFT_FRACTION  # 0: no still spans
    frame_step: int = DEFAULT_FRAME_STEP  # landmark pass on every k-th frame between detector frames

    @property
    def segment_task_num_cpus(self) -> float:
        # in-task pose keeps its core busy the whole segment; with Serve the replicas hold the CPUs
        return 1.0 if self.mode == "task" else 0.5


POSE_EXECUTION_MODES = ("serve", "task")


@ray.remote(max_retries=2)  # num_cpus: PoseExecution.segment_task_num_cpus
def segment_task(
    source: VideoSource,
    probe: ProbeResult,
    segment: Segment,
    out_wh: tuple[int, int],
    scale_to_original: float,
    pose: PoseExecution,
    proxy_coded_wh: tuple[int, int] | None,
) -> SegmentResult:
    from pipelines.bar import observe_bar_segment

    tracking = TrackingConfig(
        still_max_shift_fraction=pose.still_max_shift_fraction, frame_step=pose.frame_step
    )
    if pose.mode == "task":
        from services.inference.in_process import cached_estimator

        estimator = cached_estimator(pose.model, pose.models_dir, pose.max_people)

        def track_one(rgb: np.ndarray, hint: np.ndarray, always_refine: bool = True) -> list[PersonPose]:
            return track_with_flags(estimator, [rgb], [hint], [always_refine])[0]

        result = process_segment(
            source, probe, segment, out_wh, scale_to_original,
            estimate=lambda rgb: estimator.estimate([rgb])[0], observe_bar=observe_bar_segment,
            track=track_one if isinstance(estimator, RoiTracker) else None, tracking=tracking,
            proxy_coded_wh=proxy_coded_wh,
        )
    else:
        from ray import serve  # here: `ray.serve` costs 1-3 s per process, in-task pose never needs it

        from services.inference.serve_app import APP_NAME, DEPLOYMENT_NAME

        handle = serve.get_deployment_handle(DEPLOYMENT_NAME, app_name=APP_NAME)
        result = process_segment(
            source, probe, segment, out_wh, scale_to_original,
            estimate=handle.estimate.remote, observe_bar=observe_bar_segment,
            track=lambda rgb, hint, always_refine=True: handle.track.remote((rgb, hint, always_refine)),
            tracking=tracking, proxy_coded_wh=proxy_coded_wh,
        )
    # the segment's frames are freed; hand their pages back before this worker's next task
    release_free_heap()
    return result


def run_segments(
    source: str | ray.ObjectRef,
    probe: ProbeResult,
    segments: list[Segment],
    out_wh: tuple[int, int],
    scale_to_original: float,
    max_in_flight: int,
    pose: PoseExecution,
    on_done: Callable[[int, int], None] | None = None,
    proxy_coded_wh: tuple[int, int] | None = None,
) -> list[SegmentResult]:
    """Bounded fan-out: at most ``max_in_flight`` segments decode at once (memory stays flat).

    source: the clip's path (tasks on this machine) or an object ref to its bytes (tasks anywhere in the
    cluster; pipelines/video/source.py): Ray hands each task the bytes as a read-only array."""
    probe_ref = ray.put(probe)  # once, not per task
    task = segment_task.options(num_cpus=pose.segment_task_num_cpus)
    results: list[SegmentResult] = []
    in_flight: list[ray.ObjectRef] = []
    queue = list(segments)
    while queue or in_flight:
        while queue and len(in_flight) < max(1, max_in_flight):
            seg = queue.pop(0)
            in_flight.append(
                task.remote(source, probe_ref, seg, out_wh, scale_to_original, pose, proxy_coded_wh)
            )
        done, in_flight = ray.wait(in_flight, num_returns=1)
        results.extend(ray.get(done))
        if on_done is not None:
            on_done(len(results), len(segments))
    return sorted(results, key=lambda r: r.segment_index)
