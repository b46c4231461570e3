"""Two snatches in real gym footage: the bar stage's track (no pose) through the kinematics stage.

Skips when the clip is absent. About a minute of CPU (plate observation on every frame).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

_DEFAULT_CLIPS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "clips"
CLIPS = Path(os.environ.get("LIFTLAB_CLIPS_DIR", _DEFAULT_CLIPS))
CLIP = CLIPS / "snatch_side_gym_2reps.mp4"


@pytest.mark.realdata
@pytest.mark.slow
def test_two_snatches_found_with_plausible_velocities() -> None:
    if not CLIP.is_file():
        pytest.skip(f"clip not present: {CLIP}")
    from pipelines.bar import track_bar
    from pipelines.bar.observe import observe_bar_segment
    from pipelines.metrics.analyze import BodyProfile, analyze_lift
    from pipelines.types import PoseTrack
    from pipelines.video.decode import Segment, analysis_size, decode_segment
    from pipelines.video.probe import probe_video
    from services.inference.joints import N_JOINTS

    probe = probe_video(CLIP)
    info = probe.info
    w, h, scale = analysis_size(info.width_px, info.height_px, 960)
    n = len(probe.t_s)
    frames = [rgb[:, :, ::-1].copy() for _, rgb in decode_segment(CLIP, probe, Segment(0, 0, n), (w, h))]
    observations = observe_bar_segment(frames, scale, False)
    bar, calib, _ = track_bar(probe.t_s, observations, None, (info.width_px, info.height_px), 0.45)
    no_pose = PoseTrack(
        t_s=probe.t_s,
        keypoints_xy_px=np.full((n, N_JOINTS, 2), np.nan, np.float32),
        visibility=np.zeros((n, N_JOINTS), np.float32),
        lifter_found=np.zeros(n, bool),
        filled=np.zeros(n, bool),
    )
    a = analyze_lift(no_pose, bar, calib, "snatch", 60.0, BodyProfile(), ["all"])
    assert len(a.reps) == 2, f"expected 2 reps, got {len(a.reps)}"
    liftoffs = [r.events["start_of_lifting"].frame for r in a.reps]
    # The issue names frames ~307 and ~587 (bar clearly off the floor); the track's own onset of
    # motion is at ~295 and ~577, and the onset fit lands within a few frames of that.
    for found, named in zip(liftoffs, (307, 587), strict=True):
        assert named - 20 <= found <= named + 5, f"lift-off at frame {found}, issue names ~{named}"
    for rep in a.reps:
        assert rep.complete
        lo, hi = rep.events["start_of_lifting"].frame, rep.events["peak_bar_height"].frame
        peak_vy = float(np.nanmax(a.series["bar_vy_mps"][lo : hi + 1]))
        assert 1.4 <= peak_vy <= 3.0, f"peak upward bar velocity {peak_vy:.2f} m/s"
