"""Start or join Ray and make sure the pose Serve app is running (one place for both modes)."""

from __future__ import annotations

import logging
import os
import sys
import time

import ray

from pipelines.errors import ConfigError
from pipelines.settings import Settings

log = logging.getLogger(__name__)

# How long a runner that joined a cluster waits for the cluster's own pose app to come up.
_CLUSTER_APP_WAIT_S = 600.0


def start_ray(settings: Settings) -> None:
    if ray.is_initialized():
        return
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # local cluster on loopback; see docs/architecture.md
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    kwargs: dict[str, object] = {"include_dashboard": False, "log_to_driver": False}
    if settings.ray_address:
        ray.init(address=settings.ray_address, **kwargs)  # type: ignore[arg-type]
        return
    num_cpus = settings.ray_num_cpus or None
    if settings.ray_lean_head:
        from pipelines.shell.lean_head import start_lean_head, stop_lean_head

        address = start_lean_head(num_cpus)
        if address is not None:
            try:
                # WARNING: Ray would announce "Connecting to existing Ray cluster" for the head
                # this process has just started itself
                ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
            except BaseException:
                stop_lean_head()
                raise
            return
    if num_cpus:
        kwargs["num_cpus"] = num_cpus
    ray.init(**kwargs)  # type: ignore[arg-type]


def pose_replica_count(settings: Settings) -> int:
    """settings.pose_replicas, or with 0 one replica per CPU of the local Ray (1..4): a replica runs
    its batch on one thread, so on 2 cores one replica leaves a core idle whenever decoding waits."""
    if settings.pose_replicas > 0:
        return settings.pose_replicas
    cpus = int(ray.cluster_resources().get("CPU", 1)) if ray.is_initialized() else (os.cpu_count() or 1)
    return max(1, min(4, cpus))


def _pose_app_running() -> bool:
    from ray import serve

    from services.inference.serve_app import APP_NAME

    try:
        app = serve.status().applications.get(APP_NAME)
    except Exception:  # Serve not started yet is the normal first-run case
        return False
    return app is not None and str(app.status).endswith("RUNNING")


def ensure_pose_app(settings: Settings) -> None:
    """Locally, deploy the pose app. Joined to a cluster, wait for the cluster's own app (KubeRay's
    RayService owns it there; redeploying it from a driver would replace its GPU/autoscaling config)."""
    # `ray.serve` is imported only where Serve is used: it costs 1-3 s per process (in-task pose skips it)
    from ray import serve

    from services.inference.serve_app import APP_NAME, build_pose_app

    if _pose_app_running():
        return
    if settings.ray_address:
        deadline = time.monotonic() + _CLUSTER_APP_WAIT_S
        while not _pose_app_running():
            if time.monotonic() > deadline:
                raise ConfigError(f"the cluster's Serve app {APP_NAME!r} is not running "
                                  f"after {_CLUSTER_APP_WAIT_S:.0f} s")
            time.sleep(2.0)
        return
    app_args = {
        "model": settings.pose_model,
        "models_dir": str(settings.models_dir),
        "max_batch_size": str(settings.pose_max_batch_size),
        "batch_wait_timeout_s": str(settings.pose_batch_wait_timeout_s),
        "num_replicas": str(pose_replica_count(settings)),
        "num_cpus": str(settings.pose_replica_num_cpus),
        "max_people": str(settings.pose_max_people),
    }
    # The pipeline calls the app through handles only: no HTTP proxy actor (about 200 MB and a second
    # of start-up). A no-op when Serve is already running.
    serve.start(proxy_location="Disabled")
    serve.run(build_pose_app(app_args), name=APP_NAME, route_prefix=None, blocking=False)
    deadline = time.monotonic() + 120.0
    while not _pose_app_running():
        if time.monotonic() > deadline:
            raise ConfigError(f"the pose app {APP_NAME!r} did not become ready in 120 s")
        time.sleep(0.2)


def prepare_pose(settings: Settings) -> None:
    """Make the configured pose execution ready: the Serve app deployed (or joined), or, for in-task
    pose, the model's manifest checked here in the driver so a bad one fails before any decoding."""
    from pipelines.shell.segments import POSE_EXECUTION_MODES

    if settings.pose_execution == "serve":
        ensure_pose_app(settings)
    elif settings.pose_execution == "task":
        from services.inference.in_process import check_in_process_model

        check_in_process_model(settings.pose_model, settings.models_dir)
    else:
        raise ConfigError(f"LIFTLAB_POSE_EXECUTION: expected one of {POSE_EXECUTION_MODES}, "
                          f"got {settings.pose_execution!r}")


def shutdown_ray() -> None:
    if ray.is_initialized():
        try:
            if "ray.serve" in sys.modules:  # never imported: this process started no Serve app
                from ray import serve

                serve.shutdown()
        finally:
            ray.shutdown()
    from pipelines.shell.lean_head import stop_lean_head

    stop_lean_head()
