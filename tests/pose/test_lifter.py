from __future__ import annotations

import numpy as np

from pipelines.pose.lifter import select_lifter
from services.inference.joints import N_JOINTS
from services.inference.protocol import PersonPose

FPS = 30.0
FRAME_WH = (960, 540)


def _person(cx: float, cy: float, h: float, score: float = 0.9) -> PersonPose:
    """A person box of height h centred at (cx, cy); keypoints spread down the box (marker: x = cx)."""
    w = h * 0.4
    ys = np.linspace(cy - h / 2, cy + h / 2, N_JOINTS)
    kp = np.stack([np.full(N_JOINTS, cx), ys], axis=1).astype(np.float32)
    return PersonPose(
        kp,
        np.full(N_JOINTS, score, np.float32),
        np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], np.float32),
        score,
    )


def _times(n: int) -> np.ndarray:
    return np.arange(n) / FPS


def test_bystander_walking_across_in_front_is_never_chosen() -> None:
    n = 90
    frames = []
    for i in range(n):
        lifter = _person(480 + 5 * np.sin(i / 10), 300, 300)
        bystander_x = -100 + 14 * i  # walks across the whole frame, crossing the lifter mid-clip
        people = [lifter]
        if 0 <= bystander_x <= 960:
            people.insert(0, _person(bystander_x, 310, 330, score=0.95))  # even bigger and more confident
        frames.append(people)
    track = select_lifter(_times(n), frames, FRAME_WH)
    assert track.lifter_found.all()
    x = track.keypoints_xy_px[:, 0, 0]
    assert np.all(np.abs(x - 480) < 10), (
        f"lifter jumped to the bystander at frames {np.flatnonzero(np.abs(x - 480) >= 10)}"
    )


def test_lifter_occluded_then_reacquired_and_short_gap_filled() -> None:
    n = 120
    frames: list[list[PersonPose]] = []
    for i in range(n):
        people = [_person(150, 300, 200, score=0.8)]  # a coach standing at the side all along
        if not (40 <= i < 45 or 70 <= i < 100):  # lifter hidden for 5 frames, then for 1 s
            people.append(_person(500 + i, 300, 320))
        frames.append(people)
    track = select_lifter(_times(n), frames, FRAME_WH)
    x = track.keypoints_xy_px[:, 0, 0]
    seen = track.lifter_found
    assert not seen[40:45].any() and track.filled[40:45].all(), "a 5-frame gap is filled and flagged"
    np.testing.assert_allclose(x[40:45], 500 + np.arange(40, 45), atol=1e-3)
    assert not track.filled[70:100].any() and np.isnan(x[70:100]).all(), "a 1 s gap stays unknown"
    assert seen[100:].all(), "the lifter is re-joined after the occlusion"
    np.testing.assert_allclose(x[seen], (500 + np.arange(n))[seen], atol=1e-3)
    assert (track.visibility[track.filled] == 0).all()
    assert 0 < track.mean_markers_validity < 0.9


def test_no_people_gives_an_empty_track() -> None:
    track = select_lifter(_times(10), [[] for _ in range(10)], FRAME_WH)
    assert not track.lifter_found.any() and np.isnan(track.keypoints_xy_px).all()
    assert track.mean_markers_validity == 0.0


def test_lifter_lost_longer_than_the_reacquire_gap_is_one_chain_of_tracks() -> None:
    # side-on clean and jerk: the plate hides the face in the front rack and the detector loses the lifter
    # for 2.3 s; the jerk piece alone (arms overhead: bigger box) would outscore the clean piece
    n = 313
    frames: list[list[PersonPose]] = []
    for i in range(n):
        people = [_person(120, 320, 150, score=0.6)]  # someone small at the side all along
        if i <= 140:
            people.append(_person(490, 330, 260))
        elif i >= 208:
            people.append(_person(495, 310, 380))
        frames.append(people)
    track = select_lifter(_times(n), frames, FRAME_WH)
    assert track.lifter_found[:141].all() and track.lifter_found[208:].all()
    assert not track.lifter_found[141:208].any()
    assert np.all(np.abs(track.keypoints_xy_px[track.lifter_found, 0, 0] - 492.5) < 5)


def test_tracks_are_not_chained_across_a_place_or_size_change_or_a_long_gap() -> None:
    n = 300
    frames: list[list[PersonPose]] = []
    for i in range(n):
        people: list[PersonPose] = []
        if i < 100:
            people.append(_person(480, 300, 300))
        elif 170 <= i < 200:
            people.append(_person(850, 300, 300))  # somebody else, far from where the lifter was
        elif i >= 260:
            people.append(_person(480, 300, 300))  # back in place, but 5.3 s later
        frames.append(people)
    track = select_lifter(_times(n), frames, FRAME_WH)
    assert track.lifter_found[:100].all() and not track.lifter_found[100:].any()


def test_a_piece_far_smaller_than_the_lifter_is_not_the_lifter() -> None:
    # the plate over the head read as a small "person" where the lifter stands (front rack, side view)
    n = 90
    frames = [[_person(480, 300, 300)] for _ in range(n)]
    for i in range(30, 50):
        frames[i] = [_person(480, 220, 130, score=0.7)]  # box diagonal 0.43 of the lifter's
    track = select_lifter(_times(n), frames, FRAME_WH)
    assert not track.lifter_found[30:50].any() and not track.filled[30:50].any()
    assert track.lifter_found[:30].all() and track.lifter_found[50:].all()
