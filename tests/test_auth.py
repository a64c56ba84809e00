"""API keys, tenants, roles and rate limits over HTTP, and the `keys` CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.api import create_app
from app.auth import AuthError, authenticate, create_key, revoke_key
from app.runtime import Services
from audit.models import ApiKey
from tests.conftest import ROOT, need
from tests.support.helpers import example


@pytest.fixture
def services(sqlite_url: str, make_services) -> Services:  # type: ignore[no-untyped-def]
    services = make_services(sqlite_url, host="0.0.0.0", rate_limit_per_minute=600)  # a public bind: keys required
    return services


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as test_client:
        yield test_client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_keys_are_stored_hashed_and_checked(services: Services) -> None:
    key, row = create_key(services.sessions, "acme")
    with services.sessions() as session:
        stored = session.scalars(select(ApiKey)).one()
    secret = key.split("_", 2)[2]
    assert key.startswith(f"txe_{row.id}_") and secret not in json.dumps(
        {c.name: str(getattr(stored, c.name)) for c in ApiKey.__table__.columns})
    assert authenticate(services.sessions, f"Bearer {key}", True).tenant == "acme"
    for bad in (f"Bearer {key}x", f"Bearer txe_{row.id}_nope", "Bearer nonsense", f"Basic {key}"):
        with pytest.raises(AuthError, match=r"unknown API key|must be 'Bearer"):
            authenticate(services.sessions, bad, True)
    assert revoke_key(services.sessions, row.id)
    with pytest.raises(AuthError, match="revoked"):
        authenticate(services.sessions, f"Bearer {key}", True)


def test_public_bind_requires_a_key(client: TestClient, services: Services) -> None:
    response = client.post("/v1/decode", json=example("plain-token-transfer"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="txexplain"'
    assert response.json()["errors"] == [{"field": "Authorization",
                                          "message": "an API key is required: send Authorization: Bearer txe_…"}]
    key, _ = create_key(services.sessions, "acme")
    assert client.post("/v1/decode", json=example("plain-token-transfer"), headers=bearer(key)).status_code == 200
    assert client.get("/v1/rules").status_code == 401 and client.get("/healthz").status_code == 200


def test_audit_queries_see_only_the_callers_tenant_unless_auditor(client: TestClient, services: Services) -> None:
    acme, _ = create_key(services.sessions, "acme")
    globex, _ = create_key(services.sessions, "globex")
    auditor, _ = create_key(services.sessions, "audit-team", role="auditor")
    acme_record = client.post("/v1/explain", json=example("plain-token-transfer"), headers=bearer(acme)).json()
    globex_record = client.post("/v1/explain", json=example("unlimited-approval-to-eoa"), headers=bearer(globex)).json()

    def ids(key: str) -> list[str]:
        return [r["id"] for r in client.get("/v1/audit/records", headers=bearer(key)).json()["records"]]

    assert ids(acme) == [acme_record["audit"]["id"]]
    assert ids(globex) == [globex_record["audit"]["id"]]
    assert ids(auditor) == [globex_record["audit"]["id"], acme_record["audit"]["id"]]
    other = client.get(f"/v1/audit/records/{globex_record['audit']['id']}", headers=bearer(acme))
    assert other.status_code == 404
    mine = client.get(f"/v1/audit/records/{acme_record['audit']['id']}", headers=bearer(acme)).json()
    assert mine["record"]["tenant"] == "acme"
    # What a client key learns of the shared log, by design: its size and root, in the signed checkpoint every
    # inclusion proof is checked against (a transparency log's head is public) — never another tenant's records.
    head = client.get("/v1/audit/checkpoints/latest", headers=bearer(acme)).json()
    assert head["size"] == 2 and mine["checkpoint"]["size"] == 2 and mine["seq"] in (1, 2)


def test_rate_limit_answers_429_with_retry_after(client: TestClient, services: Services) -> None:
    key, _ = create_key(services.sessions, "acme", rate_per_minute=3)
    other, _ = create_key(services.sessions, "acme")
    codes = [client.get("/v1/rules", headers=bearer(key)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/v1/rules", headers=bearer(key))
    assert limited.status_code == 429 and limited.headers["retry-after"] == "20"
    assert limited.headers["content-type"] == "application/problem+json"
    assert client.get("/v1/rules", headers=bearer(other)).status_code == 200  # buckets are per key


def test_loopback_without_keys_is_the_local_operator(sqlite_url: str, make_services) -> None:  # type: ignore[no-untyped-def]
    services = make_services(sqlite_url)
    assert not services.settings.keys_required
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        assert client.get("/v1/audit/records").status_code == 200


def test_keys_off_is_refused_on_a_public_bind() -> None:
    from pydantic import ValidationError

    from app.settings import Settings

    with pytest.raises(ValidationError, match="TXEXPLAIN_API_KEYS=off is refused on a public bind"):
        Settings(host="0.0.0.0", api_keys="off")


def test_keys_cli_creates_lists_and_revokes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "TXEXPLAIN_DATABASE_URL": f"sqlite:///{tmp_path / 'keys.db'}"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app.cli", "keys", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    created = json.loads(cli("create", "--tenant", "acme", "--role", "auditor", "--json").stdout)
    assert created["key"].startswith(f"txe_{created['id']}_") and created["role"] == "auditor"
    listed = json.loads(cli("list", "--json").stdout)
    assert [(k["id"], k["tenant"], k["revoked_at"]) for k in listed] == [(created["id"], "acme", None)]
    assert "key" not in listed[0]
    assert cli("revoke", "--id", created["id"]).returncode == 0
    assert json.loads(cli("list", "--json").stdout)[0]["revoked_at"] is not None
    bad = cli("create", "--tenant", "acme", "--role", "root")
    assert bad.returncode == 2 and "role must be one of client, auditor" in bad.stderr
    assert cli("create").returncode == 2


def test_metrics_need_a_key_where_keys_are_required(client: TestClient, services: Services) -> None:
    from app.auth import create_key

    assert client.get("/metrics").status_code == 401
    key, _ = create_key(services.sessions, "acme")
    assert client.get("/metrics", headers=bearer(key)).status_code == 200


def test_failed_key_checks_are_throttled_per_client_address(client: TestClient, services: Services) -> None:
    """Guessing keys costs time: after 10 failed checks a minute the address waits, even with a right key."""
    from app.auth import FAILED_KEYS_PER_MINUTE, create_key

    good, _ = create_key(services.sessions, "acme")
    wrong = [client.get("/v1/rules", headers=bearer("txe_nope_guess")).status_code
             for _ in range(FAILED_KEYS_PER_MINUTE + 1)]
    assert wrong == [401] * FAILED_KEYS_PER_MINUTE + [429]
    blocked = client.get("/v1/rules", headers=bearer(good))
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    assert client.get("/healthz").status_code == 200


def test_two_replicas_on_one_redis_share_a_keys_rate(services: Services) -> None:
    """With TXEXPLAIN_REDIS_URL the bucket lives in Redis (127.0.0.1:6379 here): two replicas allow a key its
    rate once, not twice."""
    import uuid

    import redis

    from app.auth import create_key

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        need(False, f"Redis at {url} ({exc})")
    key, row = create_key(services.sessions, "acme", rate_per_minute=3)
    shared = services.settings.model_copy(update={"redis_url": url})
    first, second = create_app(shared, services), create_app(shared, services)
    for app in (first, second):
        app.state.limiter.prefix = f"test:{uuid.uuid4().hex}:"
    second.state.limiter.prefix = first.state.limiter.prefix  # the same Redis keyspace, as replicas have
    with TestClient(first, base_url="http://127.0.0.1") as a, TestClient(second, base_url="http://127.0.0.1") as b:
        codes = [(a if i % 2 else b).get("/v1/rules", headers=bearer(key)).status_code for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    redis.Redis.from_url(url).delete(first.state.limiter.prefix + row.id)


@pytest.mark.postgres
def test_two_replicas_without_redis_share_a_keys_rate_through_postgres(postgres_url: str, make_services) -> None:  # type: ignore[no-untyped-def]
    """No TXEXPLAIN_REDIS_URL: the buckets live in the audit database the replicas share, refilled on its clock."""
    from app.api.db_limiter import DatabaseRateLimiter

    services = make_services(postgres_url, host="0.0.0.0")
    key, _ = create_key(services.sessions, "acme", rate_per_minute=3)
    first, second = create_app(services.settings, services), create_app(services.settings, services)
    assert isinstance(first.state.limiter, DatabaseRateLimiter)
    with TestClient(first, base_url="http://127.0.0.1") as a, TestClient(second, base_url="http://127.0.0.1") as b:
        codes = [(a if i % 2 else b).get("/v1/rules", headers=bearer(key)) for i in range(5)]
    assert [c.status_code for c in codes] == [200, 200, 200, 429, 429]
    assert 1 <= int(codes[-1].headers["retry-after"]) <= 20  # a token every 20 s at 3 a minute
