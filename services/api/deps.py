"""The API's collaborators, opened once per process (in the app's lifespan) and injected into handlers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import redis
from redis.asyncio import Redis as AsyncRedis

from pipelines.settings import Settings
from pipelines.state import JobQueue, SessionStore
from pipelines.storage import ObjectStore, make_object_store
from services.api.accounts import AccountStore
from services.api.apikeys import ApiKeyStore
from services.api.coaching import CoachThreads
from services.api.principals import PrincipalCache
from services.api.ratelimit import SlidingWindowLimiter
from services.api.reports import PresignCache, ReportCache

ProbeFn = Callable[[Path, float], object]  # pipelines.video.probe.probe_video; raises on bad input


@dataclass(slots=True)
class ApiDeps:
    redis: redis.Redis
    store: ObjectStore
    sessions: SessionStore
    queue: JobQueue
    accounts: AccountStore
    keys: ApiKeyStore
    reports: ReportCache
    probe: ProbeFn
    principals: PrincipalCache
    limiter: SlidingWindowLimiter
    presigned: PresignCache
    threads: CoachThreads | None = None
    # Used from the event loop for the per-request rate-limit script (no thread hop); None in tools.
    aredis: AsyncRedis | None = None

    def close(self) -> None:
        self.redis.close()

    async def aclose(self) -> None:
        if self.aredis is not None:
            await self.aredis.aclose()
        self.close()


def _default_probe(path: Path, max_duration_s: float) -> object:
    from pipelines.video.probe import probe_video

    return probe_video(path, max_duration_s)


def open_deps(
    settings: Settings, *, probe: ProbeFn | None = None, threads: CoachThreads | None = None
) -> ApiDeps:
    """Open the real clients from settings (Redis connection pools, object store). Call from the event
    loop that serves requests: the asyncio Redis client belongs to it."""
    from pipelines.coach.threads import ThreadService

    client = redis.Redis.from_url(settings.redis_url, health_check_interval=30)
    store = make_object_store(settings)
    aclient = AsyncRedis.from_url(settings.redis_url, health_check_interval=30)
    ns = settings.redis_namespace
    accounts = AccountStore(client, ns)
    keys = ApiKeyStore(client, ns)
    principals = PrincipalCache(client, ns)
    accounts.on_change = keys.on_change = principals.clear
    return ApiDeps(
        redis=client,
        aredis=aclient,
        store=store,
        sessions=SessionStore(client, ns),
        queue=JobQueue(client, ns),
        accounts=accounts,
        keys=keys,
        reports=ReportCache(store),
        probe=probe or _default_probe,
        principals=principals,
        limiter=SlidingWindowLimiter(client, ns, aclient=aclient),
        presigned=PresignCache(store),
        # The coach always works: without an LLM configured its threads use the rule-based coach.
        threads=threads if threads is not None else ThreadService(client, settings),
    )
