"""A rate limiter shared through the audit database, for replicas with no Redis configured: the same token
buckets as ``app.auth.RateLimiter``, refilled on the database's clock in one atomic upsert per request."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.auth import RateLimiter

log = logging.getLogger("txexplain")

# :rate tokens per minute, bursting to :rate; `allowed` records whether this take spent a token.
_TAKE = text("""
INSERT INTO rate_buckets AS b (key, tokens, at, allowed)
VALUES (:key, :rate - 1, extract(epoch FROM clock_timestamp()), true)
ON CONFLICT (key) DO UPDATE SET
    tokens = least(CAST(:rate AS float8), b.tokens + (extract(epoch FROM clock_timestamp()) - b.at) * :rate / 60.0)
             - CASE WHEN least(CAST(:rate AS float8),
                               b.tokens + (extract(epoch FROM clock_timestamp()) - b.at) * :rate / 60.0) >= 1
                    THEN 1 ELSE 0 END,
    allowed = least(CAST(:rate AS float8), b.tokens + (extract(epoch FROM clock_timestamp()) - b.at) * :rate / 60.0)
              >= 1,
    at = extract(epoch FROM clock_timestamp())
RETURNING allowed, tokens
""")


class DatabaseRateLimiter(RateLimiter):
    """Token buckets in the ``rate_buckets`` table (Postgres); while the database does not answer, each process
    limits on its own (the in-process buckets it inherits) — the request then fails its key check anyway."""

    def __init__(self, sessions: Callable[[], sessionmaker[Session]], default_per_minute: int, prefix: str = ""):
        super().__init__(default_per_minute)
        self.sessions = sessions  # called on use: the app's services are built at startup, after the limiter
        self.prefix = prefix

    def take(self, key: str, per_minute: int | None = None) -> float:
        """Spend one token of ``key``'s shared bucket; 0.0 if allowed, else the seconds to wait."""
        rate = per_minute or self.default
        try:
            with self.sessions().begin() as session:
                allowed, tokens = session.execute(_TAKE, {"key": self.prefix + key, "rate": rate}).one()
        except SQLAlchemyError as exc:
            log.warning("shared rate limiter unavailable (%s): limiting in this process", type(exc).__name__)
            return super().take(key, per_minute)
        return 0.0 if allowed else (1.0 - tokens) * 60.0 / rate
