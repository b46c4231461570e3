"""Parallel per-segment work on Ray: decode a time segment, ask the pose deployment about each frame,
and collect the bar observations. Frames never leave the task except as pose requests to Serve."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import ray
from ray import serve

from pipelines.pose.tracking import TrackingConfig, is_new_person, plan_tracking
from pipelines.video.decode import Segment, decode_segment
from pipelines.video.probe import ProbeResult
from services.inference.protocol import PersonPose


@dataclass(slots=True)
class SegmentResult:
    segment_index: int
    people: dict[int, list[PersonPose]]  # frame index -> people, original displayed-frame pixels
    bar_observations: list[Any]  # one per frame of the segment, in order (pipelines.bar's type)
    decode_s: float = 0.0
    pose_wait_s: float = 0.0
    bar_s: float = 0.0
    n_tracked: int = 0  # frames where the lifter was found by the tracking pass, not the detector
    timings: dict[str, float] = field(default_factory=dict)


def process_segment(
    source: str,
    probe: ProbeResult,
    segment: Segment,
    out_wh: tuple[int, int],
    scale_to_original: float,
    estimate: Callable[[np.ndarray], Any],
    observe_bar: Callable[..., list[Any]],
    track: Callable[[np.ndarray, np.ndarray], Any] | None = None,
    tracking: TrackingConfig | None = None,
) -> SegmentResult:
    """The body of the Ray task, with its collaborators passed in (so it runs without Ray in tests).

    ``estimate(frame_rgb)`` returns a pose response: something with ``.result()`` (a Serve response)
    or the list of people itself. ``track(frame_rgb, roi_hint)`` (optional, same kind of response) runs
    the landmark model on a hinted region: after every frame's detection has come back, frames of this
    segment where the lifter was not found are retried with a hint from the nearest frame where it was,
    all retries of a round sent at once (pipelines.pose.tracking).
    """
    t0 = time.perf_counter()
    pending: list[tuple[int, Any]] = []
    frames_bgr: list[np.ndarray] = []
    frame_indices: list[int] = []
    overlap_first = segment.start_frame > 0
    for idx, rgb in decode_segment(Path(source), probe, segment, out_wh, include_previous=overlap_first):
        if idx >= segment.start_frame:
            pending.append((idx, estimate(rgb)))  # asynchronous: pose runs while we keep decoding
        frames_bgr.append(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        frame_indices.append(idx)
    t1 = time.perf_counter()
    bar_observations = observe_bar(frames_bgr, scale_to_original, overlap_first)
    t2 = time.perf_counter()
    found_px: dict[int, list[PersonPose]] = {idx: _result(response) for idx, response in pending}
    n_tracked = 0
    if track is not None and found_px:
        bgr_by_idx = dict(zip(frame_indices, frames_bgr, strict=True))
        n_tracked = _tracking_passes(found_px, bgr_by_idx, probe.t_s, out_wh, track, tracking)
    del frames_bgr
    people = {idx: [p.scaled(scale_to_original) for p in found] for idx, found in found_px.items()}
    t3 = time.perf_counter()
    return SegmentResult(
        segment_index=segment.index, people=people, bar_observations=bar_observations,
        decode_s=t1 - t0, bar_s=t2 - t1, pose_wait_s=t3 - t2, n_tracked=n_tracked,
    )


def _result(response: Any) -> list[PersonPose]:
    found: list[PersonPose] = response.result() if hasattr(response, "result") else response
    return list(found)


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
        requests = []
        for k, hint in plan.items():
            rgb = np.ascontiguousarray(cv2.cvtColor(bgr_by_idx[indices[k]], cv2.COLOR_BGR2RGB))
            requests.append((indices[k], track(rgb, hint)))
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


@ray.remote(num_cpus=0.5, max_retries=2)
def segment_task(
    source: str, probe: ProbeResult, segment: Segment, out_wh: tuple[int, int], scale_to_original: float,
) -> SegmentResult:
    from pipelines.bar import observe_bar_segment
    from services.inference.serve_app import APP_NAME, DEPLOYMENT_NAME

    handle = serve.get_deployment_handle(DEPLOYMENT_NAME, app_name=APP_NAME)
    return process_segment(
        source, probe, segment, out_wh, scale_to_original,
        estimate=handle.estimate.remote, observe_bar=observe_bar_segment,
        track=lambda rgb, hint: handle.track.remote((rgb, hint)),
    )


def run_segments(
    source: str,
    probe: ProbeResult,
    segments: list[Segment],
    out_wh: tuple[int, int],
    scale_to_original: float,
    max_in_flight: int,
    on_done: Callable[[int, int], None] | None = None,
) -> list[SegmentResult]:
    """Bounded fan-out: at most ``max_in_flight`` segments decode at once (memory stays flat)."""
    probe_ref = ray.put(probe)  # once, not per task
    results: list[SegmentResult] = []
    in_flight: list[ray.ObjectRef] = []
    queue = list(segments)
    while queue or in_flight:
        while queue and len(in_flight) < max(1, max_in_flight):
            seg = queue.pop(0)
            in_flight.append(segment_task.remote(source, probe_ref, seg, out_wh, scale_to_original))
        done, in_flight = ray.wait(in_flight, num_returns=1)
        results.extend(ray.get(done))
        if on_done is not None:
            on_done(len(results), len(segments))
    return sorted(results, key=lambda r: r.segment_index)
