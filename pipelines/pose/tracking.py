"""Second chance for frames where the detector missed the lifter: the landmark model alone, on a region
derived from the nearest frame where the lifter was found (what BlazePose's own tracking mode does from
the previous frame). Pure numpy: which frames to retry, with which region hint. The caller (the segment
task) sends the hints to the pose service, which stays stateless: the hint travels with the request.

A roi hint is (2, 2) float32 in the pixels of the frame sent: the body centre (mid-hip) and a point on the
circle around the whole body in the direction of the head (services.inference.protocol.RoiTracker).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.pose.lifter import select_lifter
from services.inference.blazepose_geometry import roi_hint_from_keypoints
from services.inference.protocol import PersonPose


@dataclass(frozen=True, slots=True)
class TrackingConfig:
    max_source_gap_s: float = 1.0  # a hint comes from a found frame at most this far away in time
    max_rounds: int = 6  # retry rounds; each may use frames found in the round before as sources
    min_joints: int = 8  # a source pose needs this many joints with coordinates


def roi_hint_from_pose(keypoints_xy_px: np.ndarray, min_joints: int = 8) -> np.ndarray | None:
    """(N_JOINTS, 2) canonical keypoints (NaN where missing) -> (2, 2) roi hint, or None when the pose has
    no hips, no shoulders or fewer than min_joints joints: hip centre, head direction from the shoulders,
    radius 1.15 x the farthest joint (services.inference.blazepose_geometry.roi_hint_from_keypoints, the
    same definition the backend checks a stride frame's tracked pose against)."""
    return roi_hint_from_keypoints(keypoints_xy_px, min_joints)


def plan_tracking(
    t_s: np.ndarray,
    people_per_frame: list[list[PersonPose]],
    frame_size_wh: tuple[int, int],
    cfg: TrackingConfig | None = None,
    already_tried: dict[int, int] | None = None,
) -> dict[int, np.ndarray]:
    """Frames to retry -> roi hint. t_s: (n,) times of the frames; people_per_frame: n lists of people
    (same pixels as the frames that will be sent). The lifter is chosen among these frames with
    select_lifter; every frame where it was not observed gets the hint of the nearest frame where it was
    (detected or tracked), within max_source_gap_s. ``already_tried`` (frame -> source frame) is updated;
    a frame is not retried from the same source twice."""
    cfg = cfg or TrackingConfig()
    n = len(people_per_frame)
    if n == 0:
        return {}
    lifter = select_lifter(t_s, people_per_frame, frame_size_wh)
    found = np.flatnonzero(lifter.lifter_found)
    tried = already_tried if already_tried is not None else {}
    plan: dict[int, np.ndarray] = {}
    if found.size == 0:
        return plan
    for i in np.flatnonzero(~lifter.lifter_found):
        source = int(found[np.argmin(np.abs(t_s[found] - t_s[i]))])
        if abs(float(t_s[source] - t_s[i])) > cfg.max_source_gap_s or tried.get(int(i)) == source:
            continue
        hint = roi_hint_from_pose(lifter.keypoints_xy_px[source], cfg.min_joints)
        if hint is None:
            continue
        tried[int(i)] = source
        plan[int(i)] = hint
    return plan


def is_new_person(person: PersonPose, people: list[PersonPose], max_iou: float = 0.6) -> bool:
    """False when ``person`` (a tracked result) is a body already in the frame's list (box IoU > max_iou):
    then the detector had found the lifter and only the selection had not linked it."""
    a = person.box_xyxy_px
    for other in people:
        b = other.box_xyxy_px
        inter = max(min(a[2], b[2]) - max(a[0], b[0]), 0.0) * max(min(a[3], b[3]) - max(a[1], b[1]), 0.0)
        union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
        if inter / max(float(union), 1e-9) > max_iou:
            return False
    return True


def detector_positions(n_frames: int, stride: int) -> list[int]:
    """Positions (0..n_frames-1) of a segment that go through the person detector: every stride-th one
    and the last (so every other frame lies between two detector frames). stride 1: all."""
    if stride < 1:
        raise ValueError(f"detector stride: expected >= 1, got {stride}")
    if n_frames <= 0:
        return []
    return sorted(set(range(0, n_frames, stride)) | {n_frames - 1})


def plan_stride_hints(
    t_s: np.ndarray,
    detected: dict[int, list[PersonPose]],
    frame_size_wh: tuple[int, int],
    cfg: TrackingConfig | None = None,
) -> dict[int, np.ndarray]:
    """Roi hints for the frames between detector frames (BlazePose's tracking mode without state: every
    hint comes from detector frames, so all of them can be sent at once). t_s: (n,) times of the
    segment's frames; detected: detector position -> people found there. The lifter is chosen among the
    detector frames (select_lifter); a frame between two detector frames where it was found within
    max_source_gap_s gets the hint interpolated in time between theirs (the body moves between them),
    otherwise the nearest one's; frames with no such source get no hint (-> the detector)."""
    cfg = cfg or TrackingConfig()
    positions = sorted(detected)
    if not positions:
        return {}
    t_s = np.asarray(t_s, dtype=np.float64)
    lifter = select_lifter(t_s[positions], [detected[p] for p in positions], frame_size_wh)
    sources: list[tuple[int, np.ndarray]] = []  # (position, hint) where the lifter was detected
    for k, position in enumerate(positions):
        if lifter.lifter_found[k]:
            hint = roi_hint_from_pose(lifter.keypoints_xy_px[k], cfg.min_joints)
            if hint is not None:
                sources.append((position, hint))
    plan: dict[int, np.ndarray] = {}
    if not sources:
        return plan
    source_t = np.array([t_s[p] for p, _ in sources])
    for i in range(len(t_s)):
        if i in detected:
            continue
        after = int(np.searchsorted(source_t, t_s[i]))  # first source at or after this frame
        near = [j for j in (after - 1, after) if 0 <= j < len(sources)]
        near = [j for j in near if abs(float(source_t[j] - t_s[i])) <= cfg.max_source_gap_s]
        if len(near) == 2:
            (_, h0), (_, h1) = sources[near[0]], sources[near[1]]
            w = float((t_s[i] - source_t[near[0]]) / max(source_t[near[1]] - source_t[near[0]], 1e-9))
            plan[i] = ((1.0 - w) * h0 + w * h1).astype(np.float32)
        elif near:
            plan[i] = sources[near[0]][1]
    return plan
