"""Choose the lifter over the whole clip, not frame by frame.

1. Link the people of consecutive frames into tracks (box-centre distance relative to the box size,
   greedy best-first, allowing short gaps).
2. Score every track over the clip: large, central and confidently detected for a long time wins (the
   lifter stays on the platform with the bar; bystanders walk through or stand at the side). Tracks that
   follow one another in time, the later starting where the earlier ended (place and size), are one body
   seen in pieces (the detector loses a side-on lifter for seconds while the plate hides the head in the
   front rack): the chain of such tracks with the highest total score wins, not the best single piece.
3. Re-join the lifter across occlusion and fragmented tracks: in a frame where the chosen track is absent,
   the person closest (in place and size) to where the lifter was last seen, at most reacquire_gap_s
   earlier (or next seen, later), is the lifter.
   People in the lifter's frames far smaller than the lifter's typical box are dropped (pieces, not the body).
4. Fill gaps of at most ``max_fill_s`` by linear interpolation in time, flagged in ``filled``; longer gaps
   stay NaN. Filled frames carry visibility 0: nothing was seen there.
   A chosen person that is itself an interpolation (``PersonPose.interpolated``: the segment task skipped
   the model between two measured poses of a body standing still) is also flagged ``filled``, but counts
   as found and keeps its visibility: the lower of the two measured ends.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from pipelines.types import PoseTrack
from services.inference.joints import JOINT_INDEX, N_JOINTS
from services.inference.protocol import PersonPose

_LHIP, _RHIP = JOINT_INDEX["lhip"], JOINT_INDEX["rhip"]


@dataclass(frozen=True, slots=True)
class LifterSelectionConfig:
    link_gap_s: float = 0.5  # a track may skip this long without a detection and still continue
    link_max_dist: float = 0.6  # centre jump per frame, as a fraction of the box diagonal
    reacquire_gap_s: float = 2.0  # after an occlusion this long the lifter may still be re-joined
    reacquire_max_dist: float = 0.75  # box diagonals between where the lifter vanished and reappeared
    max_fill_s: float = 0.25  # gaps up to this long are interpolated (and flagged)
    # Arms overhead or a deep catch can double the detector's box; the body is the same one.
    reacquire_max_size_ratio: float = 2.5
    # whole tracks this far apart in time are chained when the later starts where the earlier ended (same
    # reacquire_max_dist / reacquire_max_size_ratio gates): a front-rack pause with the plate over the
    # face (2-3 s without the lifter on side views) must not split the lifter into two candidates
    chain_gap_s: float = 4.0
    # a "person" whose box diagonal is under this fraction of the lifter's median one is a piece, not the
    # body: side-on front rack, the plate read as a person or a skeleton squeezed into the plate (70-120 px
    # boxes vs ~270, 75-140 px median joint error on the rendered clean and jerk); whole-body postures
    # (deep catch, arms overhead) stay within 0.5-1.5 of the median there
    min_body_diag_fraction: float = 0.5


@dataclass(slots=True)
class _Track:
    frames: list[int] = field(default_factory=list)
    people: list[PersonPose] = field(default_factory=list)

    @property
    def last_frame(self) -> int:
        return self.frames[-1]


def _centre_diag(box: np.ndarray) -> tuple[np.ndarray, float]:
    centre = np.array([(box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0])
    return centre, max(float(np.hypot(box[2] - box[0], box[3] - box[1])), 1.0)


def link_tracks(
    t_s: np.ndarray, people_per_frame: list[list[PersonPose]], cfg: LifterSelectionConfig
) -> list[_Track]:
    """Greedy frame-to-frame association of people into tracks."""
    tracks: list[_Track] = []
    for i, people in enumerate(people_per_frame):
        active = [k for k, tr in enumerate(tracks) if t_s[i] - t_s[tr.last_frame] <= cfg.link_gap_s]
        pairs: list[tuple[float, int, int]] = []
        for k in active:
            last_centre, last_diag = _centre_diag(tracks[k].people[-1].box_xyxy_px)
            for j, person in enumerate(people):
                centre, diag = _centre_diag(person.box_xyxy_px)
                size_ratio = max(diag, last_diag) / min(diag, last_diag)
                cost = float(np.linalg.norm(centre - last_centre)) / last_diag + 0.2 * (size_ratio - 1.0)
                if cost <= cfg.link_max_dist:
                    pairs.append((cost, k, j))
        used_tracks: set[int] = set()
        used_people: set[int] = set()
        for _, k, j in sorted(pairs):
            if k in used_tracks or j in used_people:
                continue
            tracks[k].frames.append(i)
            tracks[k].people.append(people[j])
            used_tracks.add(k)
            used_people.add(j)
        for j, person in enumerate(people):
            if j not in used_people:
                tracks.append(_Track([i], [person]))
    return tracks


def track_score(track: _Track, frame_size_wh: tuple[int, int]) -> float:
    """Sum over the track's frames of area fraction x centrality x mean keypoint score."""
    w, h = frame_size_wh
    total = 0.0
    for person in track.people:
        box = person.box_xyxy_px
        area = max(float((box[2] - box[0]) * (box[3] - box[1])), 0.0) / float(w * h)
        centrality = 1.0 - 0.7 * min(abs((box[0] + box[2]) / 2.0 / w - 0.5) * 2.0, 1.0)
        total += np.sqrt(area) * centrality * float(np.mean(person.scores))
    return total


def _median_diag(track: _Track) -> float:
    return float(np.median([_centre_diag(p.box_xyxy_px)[1] for p in track.people]))


def best_chain(
    t_s: np.ndarray, tracks: list[_Track], frame_size_wh: tuple[int, int], cfg: LifterSelectionConfig
) -> list[int]:
    """Indices (in time order) of the chain of tracks with the highest summed track_score. A track may
    follow another when it starts after that one's last frame, within chain_gap_s, with its first person
    near the other's last (anchor points <= reacquire_max_dist x the larger median box diagonal of the
    two) and median box sizes within reacquire_max_size_ratio. Best path over this time-ordered graph by
    dynamic programming (tracks are few). A single track is a chain of one."""
    if not tracks:
        return []
    order = sorted(range(len(tracks)), key=lambda k: tracks[k].frames[0])
    score = [track_score(tracks[k], frame_size_wh) for k in order]
    diag = [_median_diag(tracks[k]) for k in order]
    total = list(score)  # best chain score ending with order[b]
    previous: list[int | None] = [None] * len(order)
    for b, kb in enumerate(order):
        first_b = tracks[kb].frames[0]
        for a in range(b):
            ka = order[a]
            last_a = tracks[ka].last_frame
            if last_a >= first_b or t_s[first_b] - t_s[last_a] > cfg.chain_gap_s:
                continue
            larger, smaller = max(diag[a], diag[b]), min(diag[a], diag[b])
            if larger / smaller >= cfg.reacquire_max_size_ratio:
                continue
            step = _anchor_point(tracks[kb].people[0]) - _anchor_point(tracks[ka].people[-1])
            if float(np.linalg.norm(step)) > cfg.reacquire_max_dist * larger:
                continue
            if total[a] + score[b] > total[b]:
                total[b], previous[b] = total[a] + score[b], a
    end: int | None = int(np.argmax(total))
    chain: list[int] = []
    while end is not None:
        chain.append(order[end])
        end = previous[end]
    return chain[::-1]


def _anchor_point(person: PersonPose) -> np.ndarray:
    """The hip midpoint when both hips were seen, else the box centre. Hips barely move while the arms go
    overhead or the lifter folds into the catch, when the box changes shape and size the most."""
    hips = person.keypoints_xy_px[[_LHIP, _RHIP]]
    if np.all(np.isfinite(hips)) and float(np.min(person.scores[[_LHIP, _RHIP]])) >= 0.3:
        return np.asarray(hips.mean(axis=0), dtype=np.float64)
    return _centre_diag(person.box_xyxy_px)[0]


def _nearest_match(
    person_ref: PersonPose, people: list[PersonPose], cfg: LifterSelectionConfig, ref_diag: float
) -> PersonPose | None:
    """The person in `people` closest to person_ref, if close enough in place and size to be the same body.
    ref_diag is the lifter's typical box diagonal (one odd box must not shrink or blow up the gate)."""
    ref_point = _anchor_point(person_ref)
    best, best_dist = None, cfg.reacquire_max_dist * ref_diag
    for person in people:
        diag = _centre_diag(person.box_xyxy_px)[1]
        dist = float(np.linalg.norm(_anchor_point(person) - ref_point))
        if dist <= best_dist and max(diag, ref_diag) / min(diag, ref_diag) < cfg.reacquire_max_size_ratio:
            best, best_dist = person, dist
    return best


def _extend_by_proximity(
    t_s: np.ndarray,
    people_per_frame: list[list[PersonPose]],
    lifter: dict[int, PersonPose],
    cfg: LifterSelectionConfig,
) -> dict[int, PersonPose]:
    """Claim, in frames where the lifter's track is absent, the person nearest to where the lifter was last
    (forward) or next (backward) seen within reacquire_gap_s: re-joins the lifter after occlusions and
    after the detector's box changed too much for frame-to-frame linking (bent-over side views)."""
    out = dict(lifter)
    n = len(people_per_frame)
    ref_diag = float(np.median([_centre_diag(p.box_xyxy_px)[1] for p in lifter.values()])) if lifter else 1.0
    for order in (range(n), range(n - 1, -1, -1)):
        anchor: int | None = None
        for i in order:
            if i in out:
                anchor = i
                continue
            if anchor is None or abs(t_s[i] - t_s[anchor]) > cfg.reacquire_gap_s or not people_per_frame[i]:
                continue
            match = _nearest_match(out[anchor], people_per_frame[i], cfg, ref_diag)
            if match is not None:
                out[i] = match
                anchor = i
    return out


def select_lifter(
    t_s: np.ndarray,
    people_per_frame: list[list[PersonPose]],
    frame_size_wh: tuple[int, int],
    cfg: LifterSelectionConfig | None = None,
) -> PoseTrack:
    """t_s: (n,) frame times; people_per_frame: n lists of people in original-frame pixels.
    Returns the lifter's PoseTrack (NaN keypoints and visibility 0 where not found and not filled)."""
    cfg = cfg or LifterSelectionConfig()
    n = len(people_per_frame)
    if t_s.shape != (n,):
        raise ValueError(f"t_s: expected ({n},), got {t_s.shape}")
    keypoints = np.full((n, N_JOINTS, 2), np.nan, dtype=np.float32)
    visibility = np.zeros((n, N_JOINTS), dtype=np.float32)
    found = np.zeros(n, dtype=bool)
    interpolated = np.zeros(n, dtype=bool)
    tracks = link_tracks(t_s, people_per_frame, cfg)
    if tracks:
        chosen_track: dict[int, PersonPose] = {}
        for k in best_chain(t_s, tracks, frame_size_wh, cfg):
            chosen_track.update(zip(tracks[k].frames, tracks[k].people, strict=True))
        lifter = _extend_by_proximity(t_s, people_per_frame, chosen_track, cfg)
        body_diag = float(np.median([_centre_diag(p.box_xyxy_px)[1] for p in lifter.values()]))
        for f, person in lifter.items():
            if _centre_diag(person.box_xyxy_px)[1] < cfg.min_body_diag_fraction * body_diag:
                continue
            keypoints[f] = person.keypoints_xy_px
            visibility[f] = person.scores
            found[f] = True
            interpolated[f] = person.interpolated
    filled = fill_short_gaps(t_s, keypoints, found, cfg.max_fill_s) | interpolated
    return PoseTrack(
        t_s=t_s.astype(np.float64),
        keypoints_xy_px=keypoints,
        visibility=visibility,
        lifter_found=found,
        filled=filled,
    )


def fill_short_gaps(
    t_s: np.ndarray, keypoints_xy_px: np.ndarray, found: np.ndarray, max_fill_s: float
) -> np.ndarray:
    """Interpolate (in place, linearly in time) interior runs of not-found frames lasting <= max_fill_s
    between two found frames. keypoints_xy_px: (n, J, 2). Returns (n,) bool, the frames filled."""
    filled = np.zeros(found.shape, dtype=bool)
    idx = np.flatnonzero(found)
    for a, b in itertools.pairwise(idx):
        if b - a < 2 or t_s[b] - t_s[a] > max_fill_s:
            continue
        w = ((t_s[a + 1 : b] - t_s[a]) / (t_s[b] - t_s[a]))[:, None, None]
        keypoints_xy_px[a + 1 : b] = (1.0 - w) * keypoints_xy_px[a] + w * keypoints_xy_px[b]
        filled[a + 1 : b] = True
    return filled
