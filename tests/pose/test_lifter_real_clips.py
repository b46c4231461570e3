"""Lifter selection on real footage (skips when ../shared/data/clips is absent)."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from pipelines.pose.lifter import select_lifter
from services.inference.registry import DEFAULT_MODELS_DIR, build_estimator, load_manifest

CLIPS_DIR = Path(
    os.environ.get(
        "LIFTLAB_CLIPS_DIR", Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "clips"
    )
)
STEP = 2  # every 2nd frame keeps the test to seconds; selection works on any frame subset


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.parametrize(
    "clip", ["snatch_side_gym_2reps.mp4", "snatch_front_broadcast_121kg.mp4", "deadlift_side_gym.mp4"]
)
def test_lifter_found_and_never_swapped(clip: str) -> None:
    import av

    path = CLIPS_DIR / clip
    if not path.is_file():
        pytest.skip(f"real clip {path} absent")
    estimator = build_estimator(load_manifest("blazepose_full_cpu", DEFAULT_MODELS_DIR))
    t_s, people = [], []
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i % STEP:
                continue
            image = frame.to_ndarray(format="rgb24")
            k = min(1.0, 960 / max(image.shape[:2]))
            small = np.ascontiguousarray(cv2.resize(image, None, fx=k, fy=k, interpolation=cv2.INTER_AREA))
            t_s.append(float(frame.time))
            people.append([p.scaled(1.0 / k) for p in estimator.estimate([small])[0]])
            size_wh = (image.shape[1], image.shape[0])
    track = select_lifter(np.array(t_s), people, size_wh)
    with_person = np.array([len(p) > 0 for p in people])
    found_frac = float(track.lifter_found[with_person].mean())
    assert found_frac >= 0.95, f"{clip}: lifter found on {found_frac:.1%} of frames with a person"
    # never jumps: between consecutive found frames the skeleton's median point moves less than half the
    # skeleton's diagonal (a swap to another person moves it by a body width or more; a bad landmark does not)
    idx = np.flatnonzero(track.lifter_found)
    kp = track.keypoints_xy_px[idx]
    centre = np.nanmedian(kp, axis=1)
    diag = np.hypot(
        np.nanmax(kp[:, :, 0], axis=1) - np.nanmin(kp[:, :, 0], axis=1),
        np.nanmax(kp[:, :, 1], axis=1) - np.nanmin(kp[:, :, 1], axis=1),
    )
    jumps = np.linalg.norm(np.diff(centre, axis=0), axis=1) / np.maximum(diag[:-1], 1.0)
    assert float(np.max(jumps)) < 0.5, (
        f"{clip}: lifter jumped {np.max(jumps):.2f} diagonals at {idx[np.argmax(jumps)]}"
    )
    print(
        f"{clip}: frames {len(t_s)}, with person {with_person.mean():.1%}, found {found_frac:.1%}, "
        f"filled {track.filled.sum()}, validity {track.mean_markers_validity:.2f}, "
        f"max jump {np.max(jumps):.2f}"
    )
