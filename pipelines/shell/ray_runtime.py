"""Start or join Ray and make sure the pose Serve app is running (one place for both modes)."""

from __future__ import annotations

import logging
import os

import ray
from ray import serve

from pipelines.settings import Settings

log = logging.getLogger(__name__)


def start_ray(settings: Settings) -> None:
    if ray.is_initialized():
        return
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # local cluster on loopback; see docs/architecture.md
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    kwargs: dict[str, object] = {"include_dashboard": False, "log_to_driver": False}
    if settings.ray_address:
        ray.init(address=settings.ray_address, **kwargs)  # type: ignore[arg-type]
    else:
        if settings.ray_num_cpus:
            kwargs["num_cpus"] = settings.ray_num_cpus
        ray.init(**kwargs)  # type: ignore[arg-type]


def ensure_pose_app(settings: Settings) -> None:
    """Deploy the pose app unless it already runs (in a cluster, KubeRay's RayService owns it)."""
    from services.inference.serve_app import APP_NAME, build_pose_app

    try:
        status = serve.status()
        app = status.applications.get(APP_NAME)
        if app is not None and str(app.status) in ("RUNNING", "ApplicationStatus.RUNNING"):
            return
    except Exception:
        log.debug("serve not running yet; starting it")
    app_args = {
        "model": settings.pose_model,
        "models_dir": str(settings.models_dir),
        "max_batch_size": str(settings.pose_max_batch_size),
        "batch_wait_timeout_s": str(settings.pose_batch_wait_timeout_s),
        "num_replicas": str(settings.pose_replicas),
        "max_people": str(settings.pose_max_people),
    }
    serve.run(build_pose_app(app_args), name=APP_NAME, route_prefix=None, blocking=False)


def shutdown_ray() -> None:
    if ray.is_initialized():
        try:
            serve.shutdown()
        finally:
            ray.shutdown()
