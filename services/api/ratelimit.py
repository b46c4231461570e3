"""Per-key rate limiting: an exact sliding window in Redis (one Lua script, one round trip).

Fixed one-minute windows let a client send `limit` requests at the end of one window and `limit` more
at the start of the next (2x the limit in a second). A token bucket has the same edge (its burst plus
a minute of refill). Here every accepted request is a member of a sorted set scored by its time, and
a request is accepted only while fewer than `limit` accepted requests lie in the last `window_s`, so
no 60-second span ever holds more than `limit`. Memory: at most `limit` members per active key,
expiring with the window. Rejected requests are not recorded (a client that keeps retrying while
limited is served again as soon as its oldest request leaves the window). Retry-After is the time
until that happens.

Keys (namespace ``ns``): ``{ns}:rl:{key_id}`` (sorted set: member = unique request token, score = ms).
"""

from __future__ import annotations

import math
import secrets
import time

import redis
import redis.asyncio

WINDOW_S = 60.0

# KEYS[1]: the sorted set. ARGV: now_ms, window_ms, limit, member.
# Returns {1, 0} when accepted, {0, ms until the oldest accepted request leaves the window} when not.
_SLIDING_WINDOW_LUA = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window))
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tostring(tonumber(oldest[2]) + window - now)}
"""


def _retry_after_s(reply: list[object]) -> float | None:
    """None when accepted; else seconds to wait (at least 1, whole seconds as Retry-After wants)."""
    if int(str(reply[0])) == 1:
        return None
    wait_ms = float(reply[1].decode() if isinstance(reply[1], bytes) else str(reply[1]))
    return float(max(1, math.ceil(wait_ms / 1000.0)))


class SlidingWindowLimiter:
    """`hit` (blocking) and `ahit` (asyncio) share one script; each call is one EVALSHA."""

    def __init__(
        self,
        client: redis.Redis,
        namespace: str,
        *,
        aclient: redis.asyncio.Redis | None = None,
        window_s: float = WINDOW_S,
    ) -> None:
        self.ns = namespace
        self.window_s = window_s
        self._script = client.register_script(_SLIDING_WINDOW_LUA)
        self._ascript = aclient.register_script(_SLIDING_WINDOW_LUA) if aclient is not None else None

    def _args(self, key_id: str, limit: int, now_s: float | None) -> tuple[list[str], list[str | int]]:
        now_ms = (time.time() if now_s is None else now_s) * 1000.0
        member = f"{now_ms:.3f}:{secrets.token_hex(6)}"
        return [f"{self.ns}:rl:{key_id}"], [repr(now_ms), repr(self.window_s * 1000.0), limit, member]

    def hit(self, key_id: str, limit: int, now_s: float | None = None) -> float | None:
        """Record a request; None if allowed, else Retry-After seconds. `now_s` is for tests."""
        keys, args = self._args(key_id, limit, now_s)
        return _retry_after_s(self._script(keys=keys, args=args))

    async def ahit(self, key_id: str, limit: int, now_s: float | None = None) -> float | None:
        if self._ascript is None:
            raise RuntimeError("SlidingWindowLimiter was built without an asyncio client")
        keys, args = self._args(key_id, limit, now_s)
        return _retry_after_s(await self._ascript(keys=keys, args=args))
