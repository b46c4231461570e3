"""Ray Serve integration: frames of two videos interleaved in one batch come back to the right callers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from services.inference.serve_app import APP_NAME, DEPLOYMENT_NAME, build_pose_app, deployment_options


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


@pytest.fixture(scope="module")
def pose_handle() -> Iterator[object]:
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    import ray
    from ray import serve

    ray.init(num_cpus=2, include_dashboard=False)
    try:
        serve.run(
            build_pose_app({"max_batch_size": "8", "batch_wait_timeout_s": "0.05"}),
            name=APP_NAME,
            route_prefix=None,
        )
        yield serve.get_deployment_handle(DEPLOYMENT_NAME, app_name=APP_NAME)
    finally:
        serve.shutdown()
        ray.shutdown()


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
