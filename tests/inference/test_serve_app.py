"""Ray Serve integration: frames of two videos interleaved in one batch come back to the right callers."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from services.inference.serve_app import APP_NAME, DEPLOYMENT_NAME, deployment_options


def test_options_keep_batches_fillable_and_gpus_fractional() -> None:
    opts = deployment_options(
        {"max_batch_size": "64", "max_ongoing_requests": "8"}, "cuda", {"num_gpus": 0.25}
    )
    assert opts["max_ongoing_requests"] >= 64
    assert opts["ray_actor_options"]["num_gpus"] == 0.25
    assert opts["user_config"] == {"max_batch_size": 64, "batch_wait_timeout_s": 0.01}
    auto = deployment_options({"autoscaling": "true", "max_replicas": "3"}, "cpu", {})
    assert auto["autoscaling_config"]["max_replicas"] == 3 and "num_replicas" not in auto
    assert auto["ray_actor_options"]["num_gpus"] == 0.0


@pytest.fixture
def pose_handle(ray_pose: object) -> object:
    """The session's real pose app (tests/conftest.py: local Ray + build_pose_app, batching on)."""
    from ray import serve

    return serve.get_deployment_handle(DEPLOYMENT_NAME, app_name=APP_NAME)


@pytest.mark.slow
@pytest.mark.realdata
def test_interleaved_videos_return_to_their_callers(
    pose_handle: object, frame_reader: Callable[[str, float], np.ndarray]
) -> None:
    read_frame = frame_reader
    video_a = [read_frame("snatch_front_broadcast_121kg.mp4", t) for t in (3.0, 5.0, 7.0)]
    video_b = [read_frame("deadlift_side_gym.mp4", t) for t in (0.3, 1.0, 1.6)]
    interleaved = [f for pair in zip(video_a, video_b, strict=True) for f in pair]
    responses = [pose_handle.estimate.remote(f) for f in interleaved]  # type: ignore[attr-defined]
    results = [r.result() for r in responses]
    from services.inference.registry import DEFAULT_MODELS_DIR, build_estimator, load_manifest

    local = build_estimator(load_manifest("blazepose_full_cpu", DEFAULT_MODELS_DIR))
    for frame, served in zip(interleaved, results, strict=True):
        expected = local.estimate([frame])[0]
        assert len(served) == len(expected) >= 1
        np.testing.assert_allclose(served[0].keypoints_xy_px, expected[0].keypoints_xy_px, atol=1e-3)
    # and the two videos really differ (a mix-up would not go unnoticed)
    assert (
        results[0][0].box_xyxy_px[2] > 300
        and abs(results[0][0].box_xyxy_px[0] - results[1][0].box_xyxy_px[0]) > 5
    )


@pytest.mark.slow
@pytest.mark.realdata
def test_track_through_serve_matches_the_local_backend(
    pose_handle: object, frame_reader: Callable[[str, float], np.ndarray]
) -> None:
    from pipelines.pose.tracking import roi_hint_from_pose
    from services.inference.registry import DEFAULT_MODELS_DIR, build_estimator, load_manifest

    local = build_estimator(load_manifest("blazepose_full_cpu", DEFAULT_MODELS_DIR))
    frames = [frame_reader("deadlift_side_gym.mp4", t) for t in (0.3, 1.0)]
    hints = [roi_hint_from_pose(local.estimate([f])[0][0].keypoints_xy_px) for f in frames]
    assert all(h is not None for h in hints)
    # the hint travels with each request; the second frame takes the first frame's region (tracking)
    requests = [(frames[0], hints[0]), (frames[1], hints[0]), (np.full_like(frames[0], 128), hints[0])]
    served = [pose_handle.track.remote(r).result() for r in requests]  # type: ignore[attr-defined]
    expected = local.track([f for f, _ in requests], [h for _, h in requests])  # type: ignore[attr-defined]
    assert [len(s) for s in served] == [len(e) for e in expected] and len(served[0]) == 1 and served[2] == []
    for s, e in zip(served[:2], expected[:2], strict=True):
        assert s[0].tracked
        np.testing.assert_allclose(s[0].keypoints_xy_px, e[0].keypoints_xy_px, atol=1e-3)
    # the detector stride's form: (frame, hint, always_refine=False), the conditional re-crop
    conditional = pose_handle.track.remote((frames[1], hints[0], False)).result()  # type: ignore[attr-defined]
    local_conditional = local.track([frames[1]], [hints[0]], always_refine=False)  # type: ignore[attr-defined]
    assert len(conditional) == len(local_conditional) == 1
    np.testing.assert_allclose(
        conditional[0].keypoints_xy_px, local_conditional[0][0].keypoints_xy_px, atol=1e-3
    )
