"""The per-frame cost knobs of the BlazePose backend: conditional re-crop and same-body candidates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest

from services.inference.blazepose_backend import BlazePoseEstimator
from services.inference.blazepose_geometry import Detection, RotatedRoi, roi_from_detection, roi_shift
from services.inference.manifest import resolve_weights
from services.inference.registry import DEFAULT_MODELS_DIR, load_manifest


def _build(**knobs: float) -> BlazePoseEstimator:
    manifest = load_manifest("blazepose_full_cpu", DEFAULT_MODELS_DIR)
    return BlazePoseEstimator(
        name=manifest.name,
        detector_path=resolve_weights(manifest, "detector"),
        landmark_path=resolve_weights(manifest, "landmarks"),
        index_per_joint=manifest.layout_index_per_joint(),
        **knobs,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def always_refine() -> BlazePoseEstimator:
    """The backend as before the cost knobs: every candidate re-cropped once, every candidate run."""
    return _build(refine_min_shift=0.0, refine_below_presence=2.0, same_body_hip_fraction=0.0)


@pytest.fixture(scope="module")
def defaults() -> BlazePoseEstimator:
    return _build()


def test_roi_shift_is_the_largest_of_centre_size_and_half_the_turn() -> None:
    down = np.array([0.0, 1.0])
    a = RotatedRoi(centre_xy_px=np.array([100.0, 100.0]), size_px=200.0, down_unit=down)
    assert roi_shift(a, a) == 0.0
    moved = replace(a, centre_xy_px=np.array([110.0, 100.0]))
    assert roi_shift(a, moved) == pytest.approx(0.05)
    assert roi_shift(a, replace(moved, size_px=230.0)) == pytest.approx(0.15)
    turn = 0.2
    turned = replace(a, down_unit=np.array([np.sin(turn), np.cos(turn)]))
    assert roi_shift(a, turned) == pytest.approx(turn / 2.0)


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("clip", "at_s"),
    [
        ("snatch_front_broadcast_121kg.mp4", 4.0),
        ("deadlift_side_gym.mp4", 1.0),
        ("snatch_side_gym_2reps.mp4", 3.0),
    ],
)
def test_defaults_cost_at_most_the_always_refined_passes_and_stay_near_its_joints(
    always_refine: BlazePoseEstimator,
    defaults: BlazePoseEstimator,
    frame_reader: Callable[[str, float], np.ndarray],
    clip: str,
    at_s: float,
) -> None:
    frame = frame_reader(clip, at_s)
    before0, after0 = always_refine.landmark_passes, defaults.landmark_passes
    reference = always_refine.estimate([frame])[0]
    people = defaults.estimate([frame])[0]
    before_passes = always_refine.landmark_passes - before0
    after_passes = defaults.landmark_passes - after0
    assert reference and people
    assert before_passes == 2 * len(always_refine.detect(frame))
    assert 1 <= after_passes <= before_passes
    error_px = np.linalg.norm(people[0].keypoints_xy_px - reference[0].keypoints_xy_px, axis=1)
    # measured on the real clips: 0-2.1 px median (docs/pose.md "Cost per frame")
    assert float(np.nanmedian(error_px)) < 6.0, error_px


@pytest.mark.realdata
def test_a_second_candidate_on_the_same_hips_is_not_run(
    frame_reader: Callable[[str, float], np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = frame_reader("deadlift_side_gym.mp4", 1.0)
    counted = {"on": _build(), "off": _build(same_body_hip_fraction=0.0)}
    first = counted["on"].detect(frame)[0]
    hip, top = first.keypoints_xy_px[0], first.keypoints_xy_px[1]
    # the detector's typical duplicate: the same hips, a 30 % larger radius, the centre 5 % of the side off
    side = roi_from_detection(first).size_px
    twin_kps = first.keypoints_xy_px.copy()
    twin_kps[0] = hip + np.array([0.05 * side, 0.0], np.float32)
    twin_kps[1] = twin_kps[0] + 1.3 * (top - hip)
    twin = Detection(first.score * 0.9, twin_kps)
    for estimator in counted.values():
        monkeypatch.setattr(estimator, "detect", lambda _frame: [first, twin])
    on0, off0 = counted["on"].landmark_passes, counted["off"].landmark_passes
    people_on = counted["on"].estimate_one(frame)
    people_off = counted["off"].estimate_one(frame)
    assert len(people_on) == 1
    passes_on = counted["on"].landmark_passes - on0
    passes_off = counted["off"].landmark_passes - off0
    assert passes_off > passes_on  # the twin ran (and may have come back as a second skeleton) only when off
    assert len(people_off) >= 1


def test_manifest_options_match_the_backend_defaults() -> None:
    """The registry builds the backend from the manifest; until it passes these options through, the
    backend's defaults are what runs, so the two must agree."""
    from services.inference import blazepose_backend as backend

    options = load_manifest("blazepose_full_cpu", DEFAULT_MODELS_DIR).options
    assert options["refine_min_shift"] == backend.DEFAULT_REFINE_MIN_SHIFT
    assert options["refine_below_presence"] == backend.DEFAULT_REFINE_BELOW_PRESENCE
    assert options["same_body_hip_fraction"] == backend.DEFAULT_SAME_BODY_HIP_FRACTION
