"""API keys, tenants, roles and per-key rate limits.

A key reads ``txe_<id>_<secret>``. Only ``sha256(salt ‖ secret)`` is stored, next to the public ``id``;
checking a key is one primary-key read and a constant-time compare. Roles: ``client`` (explain,
decode, simulate; audit queries see its own tenant) and ``auditor`` (audit queries see every tenant).
Without keys — allowed only when the server binds a loopback address — the caller is the local
operator: tenant ``default`` with the auditor role.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from audit.models import ApiKey

ROLES = ("client", "auditor")
PREFIX = "txe"


class AuthError(Exception):
    """The request carries no usable key (401)."""


class RateLimited(Exception):
    """The caller's key has no tokens left; ``retry_after`` seconds until it has one (429)."""

    def __init__(self, retry_after: float):
        self.retry_after = retry_after
        super().__init__(f"rate limit reached; retry in {retry_after:.1f} s")


@dataclass(frozen=True)
class Caller:
    """Who is calling: the key's id (None without keys), tenant and role."""

    key_id: str | None
    tenant: str
    role: str
    rate_per_minute: int | None = None

    @property
    def sees_all_tenants(self) -> bool:
        return self.role == "auditor"


LOCAL_OPERATOR = Caller(key_id=None, tenant="default", role="auditor")


def _digest(salt: bytes, secret: str) -> str:
    return hashlib.sha256(salt + secret.encode()).hexdigest()


def create_key(sessions: sessionmaker[Session], tenant: str, role: str = "client",
               rate_per_minute: int | None = None) -> tuple[str, ApiKey]:
    """Store a new key; returns the full key (shown once, never stored) and its row.

    Raises:
        ValueError: an unknown role or an empty tenant.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not tenant or len(tenant) > 64:
        raise ValueError("tenant must be 1 to 64 characters")
    key_id, secret, salt = secrets.token_hex(6), secrets.token_urlsafe(32), secrets.token_bytes(16)
    row = ApiKey(id=key_id, tenant=tenant, role=role, salt=salt.hex(), secret_sha256=_digest(salt, secret),
                 rate_per_minute=rate_per_minute, created_at=datetime.now(UTC))
    with sessions.begin() as session:
        session.add(row)
    return f"{PREFIX}_{key_id}_{secret}", row


def revoke_key(sessions: sessionmaker[Session], key_id: str) -> bool:
    """Mark a key revoked; False if there is no such key."""
    with sessions.begin() as session:
        row = session.get(ApiKey, key_id)
        if row is None:
            return False
        row.revoked_at = row.revoked_at or datetime.now(UTC)
    return True


def list_keys(sessions: sessionmaker[Session]) -> list[ApiKey]:
    """Every key (no secrets: none are stored), oldest first."""
    with sessions() as session:
        return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at)))


def authenticate(sessions: sessionmaker[Session], authorization: str | None, required: bool) -> Caller:
    """The caller named by an ``Authorization: Bearer`` header.

    Raises:
        AuthError: a key is required and missing, or a given key is malformed, unknown or revoked.
    """
    if not authorization:
        if required:
            raise AuthError("an API key is required: send Authorization: Bearer txe_…")
        return LOCAL_OPERATOR
    scheme, _, token = authorization.partition(" ")
    parts = token.strip().split("_", 2)
    if scheme.lower() != "bearer" or len(parts) != 3 or parts[0] != PREFIX:
        raise AuthError("the Authorization header must be 'Bearer txe_<id>_<secret>'")
    _, key_id, secret = parts
    with sessions() as session:
        row = session.get(ApiKey, key_id)
    # compare even when the id is unknown, so timing does not tell which ids exist
    expected = row.secret_sha256 if row is not None else "0" * 64
    salt = bytes.fromhex(row.salt) if row is not None else b"\0" * 16
    if not hmac.compare_digest(expected, _digest(salt, secret)) or row is None:
        raise AuthError("unknown API key")
    if row.revoked_at is not None:
        raise AuthError("this API key was revoked")
    return Caller(key_id=row.id, tenant=row.tenant, role=row.role, rate_per_minute=row.rate_per_minute)


class RateLimiter:
    """One token bucket per key: ``rate`` requests per minute, bursting to the same number."""

    def __init__(self, default_per_minute: int):
        self.default = default_per_minute
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, last refill)
        self._lock = threading.Lock()

    def _tokens(self, key: str, rate: int, now: float) -> float:
        """``key``'s tokens at ``now`` (refilled at ``rate`` per minute, capped at ``rate``); call under the lock."""
        tokens, last = self._buckets.get(key, (float(rate), now))
        return min(float(rate), tokens + (now - last) * rate / 60.0)

    def peek(self, key: str, per_minute: int | None = None) -> float:
        """0.0 if ``key`` has a token now, else the seconds until it has one; spends nothing."""
        rate = per_minute or self.default
        with self._lock:
            tokens = self._tokens(key, rate, time.monotonic())
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) * 60.0 / rate

    def take(self, key: str, per_minute: int | None = None) -> float:
        """Spend one token; 0.0 if allowed, else the seconds until one is available (Retry-After)."""
        rate = per_minute or self.default
        now = time.monotonic()
        with self._lock:
            tokens = self._tokens(key, rate, now)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) * 60.0 / rate


FAILED_KEYS_PER_MINUTE = 10  # failed key checks a client address may make per minute before it waits
