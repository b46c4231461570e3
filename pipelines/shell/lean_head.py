"""A local Ray head without the helper processes an embedded run never uses.

`ray.init()` on one machine starts, besides the GCS, the raylet and its two agents, three Python
processes that liftlab has no use for when it owns the cluster: the autoscaler monitor (nothing to
scale on one machine), the log monitor (drivers run with log_to_driver=False) and the dashboard/API
server (no dashboard, job or state API is called). `ray.init` has no switch for any of them, and it
blocks until the API server has written its address. Measured on a 2-core machine
(docs/performance.md, "Round 4"): ray.init 5.1-6.6 s -> 3.5-4.6 s, ray.shutdown 1.5 -> 0.3-0.6 s, the
idle cluster's PSS 522 -> 357 MB.

This uses Ray's own Node class (private API, pinned with ray==2.60.0 in pyproject.toml); any change
there falls back to plain `ray.init()` with a warning rather than failing the run. Joined to a cluster
(ray_address set) none of this is used: KubeRay's head runs the stock processes.
"""

from __future__ import annotations

import atexit
import logging
from typing import Any

log = logging.getLogger(__name__)

class _Started:
    node: Any = None  # the head this process started (ray._private.node.Node), or None


def _lean_node_class() -> type:
    import ray._private.node as ray_node

    class LeanHeadNode(ray_node.Node):  # type: ignore[misc]  # Ray's private, untyped class
        def start_api_server(self, *, include_dashboard: bool | None, raise_on_failure: bool) -> None:
            # Ray starts its dashboard/API server here and waits for it (2-3 s of a cold run on 2
            # cores). Nothing in an embedded run talks to it.
            return None

    return LeanHeadNode


def start_lean_head(num_cpus: int | None) -> str | None:
    """Start a local head node; returns its GCS address for `ray.init(address=...)`, or None when
    Ray's internals do not match the pinned version (the caller then uses plain `ray.init()`)."""
    if _Started.node is not None:
        return str(_Started.node.address)
    try:
        from ray._private.parameter import RayParams

        params = RayParams(
            num_cpus=num_cpus,
            include_dashboard=False,
            no_monitor=True,
            include_log_monitor=False,  # type: ignore[arg-type]  # annotated str, read as a flag
        )
        # Same flags as ray.init's own local head. Linux kernel fate-sharing ties every process
        # started here to this one, so a crashed driver leaves no orphaned cluster behind.
        _Started.node = _lean_node_class()(
            params, head=True, shutdown_at_exit=False, spawn_reaper=True, ray_init_cluster=True
        )
    except (AttributeError, TypeError, ImportError) as exc:
        log.warning("lean Ray head unavailable with this Ray version (%s); using ray.init()", exc)
        return None
    atexit.register(stop_lean_head)
    return str(_Started.node.address)


def lean_head_running() -> bool:
    return _Started.node is not None


def stop_lean_head() -> None:
    """Stop the head this process started (call after ray.shutdown()); a no-op when none."""
    node, _Started.node = _Started.node, None
    if node is not None:
        node.kill_all_processes(check_alive=False, allow_graceful=True)
