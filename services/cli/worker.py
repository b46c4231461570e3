"""`liftlab worker`: the service-mode pipeline runner (a Ray driver) plus the coaching worker."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

import redis

from pipelines.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("worker", help="claim analysis jobs from Redis and run them on Ray")
    p.add_argument("--once", action="store_true", help="process at most one job, then exit")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pipelines.shell.ray_runtime import prepare_pose, shutdown_ray, start_ray
    from pipelines.shell.runner import Runner
    from pipelines.state import JobQueue, SessionStore
    from pipelines.storage import make_object_store

    settings = Settings.from_env()
    logging.getLogger().setLevel(settings.log_level)
    client = redis.Redis.from_url(settings.redis_url)
    store = make_object_store(settings)
    store.ensure_ready()
    if settings.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.metrics_port)
    start_ray(settings)
    prepare_pose(settings)
    from services.api.webhooks import notify_session_finished

    def notify(session_id: str) -> None:
        # Webhook delivery retries with backoff; it must never hold up the next analysis.
        threading.Thread(
            target=notify_session_finished, args=(client, settings, session_id), daemon=True,
        ).start()

    runner = Runner(
        settings,
        SessionStore(client, settings.redis_namespace),
        JobQueue(client, settings.redis_namespace),
        store,
        on_finished=notify,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    from pipelines.coach.worker import CoachWorker

    # Coaching threads (LLM or rule-based) run beside the pipeline, never inside an API request.
    coach = threading.Thread(target=CoachWorker(client, settings).run, args=(stop,), daemon=True)
    coach.start()
    try:
        if args.once:
            runner.run_once(block_ms=5000)
        else:
            runner.run_forever(stop)
    finally:
        stop.set()
        coach.join(timeout=10)
        shutdown_ray()
    return 0
