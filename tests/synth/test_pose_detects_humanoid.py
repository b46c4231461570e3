"""MediaPipe BlazePose must find the drawn lifter on the demo clip (the make-demo promise)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from pipelines.synth import demo_spec, render_lift
from services.inference.joints import JOINTS

# BlazePose landmark index of each canonical joint.
_BLAZEPOSE = {
    "nose": 0,
    "lsho": 11,
    "rsho": 12,
    "lelb": 13,
    "relb": 14,
    "lwri": 15,
    "rwri": 16,
    "lhip": 23,
    "rhip": 24,
    "lkne": 25,
    "rkne": 26,
    "lank": 27,
    "rank": 28,
    "lhee": 29,
    "rhee": 30,
    "ltoe": 31,
    "rtoe": 32,
}


@pytest.mark.slow
def test_blazepose_finds_the_demo_lifter(tmp_path: Path) -> None:
    mp_pose = pytest.importorskip("mediapipe.python.solutions.pose")
    path = tmp_path / "demo.mp4"
    truth = render_lift(demo_spec(), path)
    want = set(np.linspace(0, truth.n_frames - 1, 10).astype(int).tolist())
    found, errors = 0, []
    order = [_BLAZEPOSE[j] for j in JOINTS]
    with mp_pose.Pose(static_image_mode=True, model_complexity=1) as pose, av.open(str(path)) as c:
        for i, frame in enumerate(c.decode(video=0)):
            if i not in want:
                continue
            rgb = frame.to_ndarray(format="rgb24")
            h, w = rgb.shape[:2]
            res = pose.process(rgb)
            if res.pose_landmarks is None:
                continue
            found += 1
            lm = res.pose_landmarks.landmark
            xy = np.array([[lm[k].x * w, lm[k].y * h] for k in order])
            errors.append(float(np.median(np.linalg.norm(xy - truth.joints_xy_px[i], axis=1))))
    rate = found / len(want)
    print(
        f"BlazePose detection {rate:.0%}; median joint error per frame (px): {np.round(errors, 1).tolist()}"
    )
    assert rate >= 0.8, f"lifter found on {found}/{len(want)} frames"
