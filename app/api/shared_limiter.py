"""A rate limiter shared by every replica: the same token buckets as ``app.auth.RateLimiter``, kept in Redis and
refilled by one Lua script on Redis's own clock, so N replicas allow a key its rate once, not N times."""

from __future__ import annotations

import logging

from app.auth import RateLimiter

log = logging.getLogger("txexplain")

# KEYS[1]: the bucket; ARGV[1]: the rate per minute. Returns the milliseconds to wait (0: allowed).
_TAKE = """
local rate = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or rate
local at = tonumber(bucket[2]) or now
tokens = math.min(rate, tokens + (now - at) * rate / 60000)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) * 60000 / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 120000)
return tostring(wait)
"""


class SharedRateLimiter(RateLimiter):
    """Token buckets in Redis at ``url``; while Redis does not answer, each process limits on its own (the
    in-process buckets it inherits) rather than refusing every request."""

    def __init__(self, url: str, default_per_minute: int, prefix: str = "txexplain:rate:"):
        import redis

        super().__init__(default_per_minute)
        self.prefix = prefix
        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._take = self._redis.register_script(_TAKE)

    def take(self, key: str, per_minute: int | None = None) -> float:
        """Spend one token of ``key``'s shared bucket; 0.0 if allowed, else the seconds to wait."""
        import redis

        try:
            return float(self._take(keys=[self.prefix + key], args=[per_minute or self.default])) / 1000.0
        except redis.RedisError as exc:
            log.warning("shared rate limiter unavailable (%s): limiting in this process", type(exc).__name__)
            return super().take(key, per_minute)
