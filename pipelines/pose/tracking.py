"""Second chance for frames where the detector missed the lifter: the landmark model alone, on a region
derived from the nearest frame where the lifter was found (what BlazePose's own tracking mode does from
the previous frame). Pure numpy: which frames to retry, with which region hint. The caller (the segment
task) sends the hints to the pose service, which stays stateless: the hint travels with the request.

A roi hint is (2, 2) float32 in the pixels of the frame sent: the body centre (mid-hip) and a point on the
circle around the whole body in the direction of the head (services.inference.protocol.RoiTracker).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pipelines.pose.lifter import select_lifter
from services.inference.blazepose_geometry import roi_hint_from_keypoints
from services.inference.protocol import PersonPose

# chosen by measurement: bench/pose.py --still 0.02 --frame-step 2 3 (docs/pose.md "Frames without a
# landmark pass")
DEFAULT_STILL_MAX_SHIFT_FRACTION = 0.02
DEFAULT_FRAME_STEP = 2


@dataclass(frozen=True, slots=True)
class TrackingConfig:
    max_source_gap_s: float = 1.0  # a hint comes from a found frame at most this far away in time
    max_rounds: int = 6  # retry rounds; each may use frames found in the round before as sources
    min_joints: int = 8  # a source pose needs this many joints with coordinates
    # between two detector frames where the lifter stands still (no joint seen at both ends moved more
    # than this fraction of the body's box diagonal), the frames between get the two poses interpolated
    # instead of a landmark pass; 0 = always run the model (docs/pose.md "Frames without a landmark pass")
    still_max_shift_fraction: float = DEFAULT_STILL_MAX_SHIFT_FRACTION
    still_min_score: float = 0.5  # joints compared for stillness: score >= this at both ends
    # between detector frames only every frame_step-th frame gets a landmark pass, the frames between
    # are interpolated from the measured ones around them; 1 = every frame (same section)
    frame_step: int = DEFAULT_FRAME_STEP


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


def lifter_at_detector_frames(
    t_s: np.ndarray, detected: dict[int, list[PersonPose]], frame_size_wh: tuple[int, int]
) -> dict[int, PersonPose]:
    """Detector position -> the lifter's PersonPose there (select_lifter over the detector frames, as
    plan_stride_hints chooses it). t_s: (n,) times of the segment's frames."""
    positions = sorted(detected)
    if not positions:
        return {}
    t_s = np.asarray(t_s, dtype=np.float64)
    lifter = select_lifter(t_s[positions], [detected[p] for p in positions], frame_size_wh)
    chosen: dict[int, PersonPose] = {}
    for k, position in enumerate(positions):
        if not lifter.lifter_found[k]:
            continue
        # select_lifter copies the chosen person's keypoints: find that person again for its box/score
        same = [p for p in detected[position]
                if np.array_equal(p.keypoints_xy_px, lifter.keypoints_xy_px[k], equal_nan=True)]
        if same:
            chosen[position] = same[0]
    return chosen


def is_still(
    a: PersonPose, b: PersonPose, max_shift_fraction: float, min_score: float, min_joints: int
) -> bool:
    """Whether the body barely moved from pose ``a`` to pose ``b``: at least min_joints joints seen (score
    >= min_score) in both, none of them moved more than max_shift_fraction of the mean box diagonal."""
    if max_shift_fraction <= 0.0:
        return False
    seen = (a.scores >= min_score) & (b.scores >= min_score)
    seen &= np.isfinite(a.keypoints_xy_px).all(axis=1) & np.isfinite(b.keypoints_xy_px).all(axis=1)
    if int(seen.sum()) < min_joints:
        return False
    diag = 0.5 * sum(float(np.hypot(p.box_xyxy_px[2] - p.box_xyxy_px[0], p.box_xyxy_px[3] - p.box_xyxy_px[1]))
                     for p in (a, b))
    shift = np.linalg.norm(a.keypoints_xy_px[seen] - b.keypoints_xy_px[seen], axis=1)
    return bool(float(shift.max()) <= max_shift_fraction * diag)


def interpolate_person(a: PersonPose, b: PersonPose, w: float) -> PersonPose:
    """The pose at fraction w (0..1) of the way from a to b: keypoints and box linear in time, each joint's
    score and the person's score the lower of the two ends (seen at both), ``interpolated`` set."""
    return PersonPose(
        keypoints_xy_px=((1.0 - w) * a.keypoints_xy_px + w * b.keypoints_xy_px).astype(np.float32),
        scores=np.minimum(a.scores, b.scores).astype(np.float32),
        box_xyxy_px=((1.0 - w) * a.box_xyxy_px + w * b.box_xyxy_px).astype(np.float32),
        score=min(a.score, b.score),
        interpolated=True,
    )


def plan_still_frames(
    t_s: np.ndarray,
    detector_frames: list[int],
    lifter: dict[int, PersonPose],
    cfg: TrackingConfig | None = None,
    span_still: Callable[[int, int], bool] | None = None,
) -> dict[int, PersonPose]:
    """Frames between two consecutive detector frames where the lifter stands still -> the interpolated
    lifter (no landmark pass needed there). t_s: (n,) times of the segment's frames; lifter: detector
    position -> the lifter there (lifter_at_detector_frames). span_still(a, b), when given, must also
    agree that nothing moved between positions a and b (the segment task asks the bar observations).
    Frames next to a detector frame without the lifter, or between poses that moved, are not planned
    (they go to ``track``)."""
    cfg = cfg or TrackingConfig()
    positions = sorted(detector_frames)
    if cfg.still_max_shift_fraction <= 0.0 or len(positions) < 2:
        return {}
    t_s = np.asarray(t_s, dtype=np.float64)
    plan: dict[int, PersonPose] = {}
    for a, b in itertools.pairwise(positions):
        if b - a < 2 or a not in lifter or b not in lifter:
            continue
        fraction, min_score = cfg.still_max_shift_fraction, cfg.still_min_score
        if not is_still(lifter[a], lifter[b], fraction, min_score, cfg.min_joints):
            continue
        if span_still is not None and not span_still(a, b):
            continue
        for i in range(a + 1, b):
            w = float((t_s[i] - t_s[a]) / max(t_s[b] - t_s[a], 1e-9))
            plan[i] = interpolate_person(lifter[a], lifter[b], w)
    return plan


def plan_frame_step(detector_frames: list[int], between: list[int], step: int) -> dict[int, tuple[int, int]]:
    """Frames between detector frames that need no landmark pass of their own when only every
    ``step``-th frame after each detector frame is measured -> (left, right): the measured positions
    around it to interpolate from (the next detector frame at the latest). between: the positions left
    between detector frames. step 1: none."""
    plan: dict[int, tuple[int, int]] = {}
    positions = sorted(detector_frames)
    if step <= 1 or not positions:
        return plan
    for p in between:
        k = int(np.searchsorted(positions, p))  # first detector position after p
        if k == 0 or k == len(positions):
            continue
        a, b = positions[k - 1], positions[k]
        offset = p - a
        if offset % step == 0:
            continue
        plan[p] = (a + step * (offset // step), min(a + step * (offset // step + 1), b))
    return plan


def plan_stride_hints(
    t_s: np.ndarray,
    detected: dict[int, list[PersonPose]],
    frame_size_wh: tuple[int, int],
    cfg: TrackingConfig | None = None,
    lifter: dict[int, PersonPose] | None = None,
) -> dict[int, np.ndarray]:
    """Roi hints for the frames between detector frames (BlazePose's tracking mode without state: every
    hint comes from detector frames, so all of them can be sent at once). t_s: (n,) times of the
    segment's frames; detected: detector position -> people found there. The lifter is chosen among the
    detector frames (lifter_at_detector_frames; pass its result as ``lifter`` when already at hand); a
    frame between two detector frames where it was found within max_source_gap_s gets the hint
    interpolated in time between theirs (the body moves between them), otherwise the nearest one's; frames
    with no such source get no hint (-> the detector)."""
    cfg = cfg or TrackingConfig()
    t_s = np.asarray(t_s, dtype=np.float64)
    if lifter is None:
        lifter = lifter_at_detector_frames(t_s, detected, frame_size_wh)
    sources: list[tuple[int, np.ndarray]] = []  # (position, hint) where the lifter was detected
    for position in sorted(lifter):
        hint = roi_hint_from_pose(lifter[position].keypoints_xy_px, cfg.min_joints)
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
