"""The Ray Serve pose app: one deployment wrapping whichever backend the manifest names, batched with
@serve.batch at the model boundary. ``build_pose_app`` is the composition root (serve configs and KubeRay
point at ``services.inference.serve_app:build_pose_app``).

Callers send one frame per call (already scaled so the long side is <= 960 px, C-contiguous RGB uint8);
Serve gathers concurrent calls from many videos into one batch. The backends keep no state across
calls, so interleaved videos cannot leak into each other.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import numpy as np
from ray import serve

from services.inference.protocol import PersonPose, track_with_flags
from services.inference.registry import DEFAULT_MODELS_DIR, build_estimator, load_manifest

APP_NAME = "pose"
DEPLOYMENT_NAME = "PoseEstimator"
DEFAULT_MAX_BATCH_SIZE = 16
DEFAULT_BATCH_WAIT_TIMEOUT_S = 0.01


@serve.deployment(name=DEPLOYMENT_NAME)
class PoseDeployment:
    def __init__(self, model: str, models_dir: str, max_people: int) -> None:
        self._estimator = build_estimator(load_manifest(model, Path(models_dir)), max_people=max_people)

    def reconfigure(self, user_config: dict[str, Any]) -> None:
        # @serve.batch adds these setters to the method; mypy sees only the wrapped signature
        self.estimate.set_max_batch_size(  # type: ignore[attr-defined]
            int(user_config.get("max_batch_size", DEFAULT_MAX_BATCH_SIZE))
        )
        self.estimate.set_batch_wait_timeout_s(  # type: ignore[attr-defined]
            float(user_config.get("batch_wait_timeout_s", DEFAULT_BATCH_WAIT_TIMEOUT_S))
        )
        self.track.set_max_batch_size(  # type: ignore[attr-defined]
            int(user_config.get("max_batch_size", DEFAULT_MAX_BATCH_SIZE))
        )
        self.track.set_batch_wait_timeout_s(  # type: ignore[attr-defined]
            float(user_config.get("batch_wait_timeout_s", DEFAULT_BATCH_WAIT_TIMEOUT_S))
        )

    @serve.batch(max_batch_size=DEFAULT_MAX_BATCH_SIZE, batch_wait_timeout_s=DEFAULT_BATCH_WAIT_TIMEOUT_S)
    async def estimate(self, frames_rgb: list[np.ndarray]) -> list[list[PersonPose]]:
        """Called with ONE frame per request; Serve hands the method the batch, in request order."""
        # off the event loop, so the replica keeps queueing the next batch while this one runs
        return await asyncio.to_thread(self._estimator.estimate, list(frames_rgb))

    @serve.batch(max_batch_size=DEFAULT_MAX_BATCH_SIZE, batch_wait_timeout_s=DEFAULT_BATCH_WAIT_TIMEOUT_S)
    async def track(self, requests: list[tuple[Any, ...]]) -> list[list[PersonPose]]:
        """ONE (frame, roi hint) or (frame, roi hint, always_refine) tuple per request
        (protocol.RoiTracker; always_refine defaults to True): the landmark model on the hinted region
        only, in a batch queue of its own. Backends without the capability find nobody."""
        frames = [request[0] for request in requests]
        hints = [request[1] for request in requests]
        flags = [bool(request[2]) if len(request) > 2 else True for request in requests]
        return await asyncio.to_thread(track_with_flags, self._estimator, frames, hints, flags)


def deployment_options(args: dict[str, str], device: str, manifest_options: dict[str, Any]) -> dict[str, Any]:
    """Serve options from builder args (strings, as serve configs pass them) and the manifest."""
    max_batch = int(args.get("max_batch_size", DEFAULT_MAX_BATCH_SIZE))
    wait_s = float(args.get("batch_wait_timeout_s", DEFAULT_BATCH_WAIT_TIMEOUT_S))
    default_gpus = float(manifest_options.get("num_gpus", 1.0)) if device == "cuda" else 0.0
    options: dict[str, Any] = {
        "user_config": {"max_batch_size": max_batch, "batch_wait_timeout_s": wait_s},
        # below max_batch_size in-flight requests a batch can never fill (Serve's default is 5)
        "max_ongoing_requests": max(int(args.get("max_ongoing_requests", 2 * max_batch)), max_batch),
        "ray_actor_options": {
            "num_cpus": float(args.get("num_cpus", 1)),
            "num_gpus": float(args.get("num_gpus", default_gpus)),
        },
    }
    if args.get("autoscaling", "false").lower() in ("1", "true", "yes"):
        options["autoscaling_config"] = {
            "min_replicas": int(args.get("min_replicas", 0 if device == "cuda" else 1)),
            "max_replicas": int(args.get("max_replicas", 4)),
            "target_ongoing_requests": float(args.get("target_ongoing_requests", max_batch)),
            "upscale_delay_s": 5.0,
            "downscale_delay_s": 120.0,
        }
    else:
        options["num_replicas"] = int(args.get("num_replicas", 1))
    return options


def build_pose_app(args: dict[str, str]) -> serve.Application:
    """args: model (manifest name), models_dir, max_people, max_batch_size, batch_wait_timeout_s,
    max_ongoing_requests, num_replicas | autoscaling + min_replicas/max_replicas/target_ongoing_requests,
    num_cpus, num_gpus (fractional allowed; defaults to the manifest's num_gpus on cuda manifests)."""
    model = args.get("model", "blazepose_full_cpu")
    models_dir = str(args.get("models_dir", DEFAULT_MODELS_DIR))
    manifest = load_manifest(model, Path(models_dir))  # fail at build time on a bad manifest
    options = deployment_options(args, manifest.device, manifest.options)
    return PoseDeployment.options(  # type: ignore[attr-defined]
        **options
    ).bind(model, models_dir, int(args.get("max_people", 3)))
