"""The bundled lists a server answers with are in its ledger: at start, one ``intel_feed`` record per list version
(feed, sha256) not recorded yet; a restart on the same lists adds none; the ledger verifies."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.api import create_app
from app.runtime import Services
from audit import verify_ledger
from audit.models import AuditRecord
from chain.intel.bundled import bundled_feeds


def intel_records(services: Services) -> list[dict]:
    with services.sessions() as session:
        return list(session.scalars(select(AuditRecord.result).where(AuditRecord.kind == "intel_feed")))


def test_each_bundled_list_version_is_recorded_once(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    services = make_services(sqlite_url, record_bundled_feeds=True)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1"):
        pass
    first = intel_records(services)
    expected = {(p.feed, p.sha256, p.entries) for p in bundled_feeds()}
    assert {(r["feed"], r["sha256"], r["entries"]) for r in first} == expected
    names = {r["feed"] for r in first}
    assert {"ofac-sdn", "phishing-domains", "safe_deployments", "uniswap-default-token-list"} <= names
    assert all(r["category"] == "bundled" for r in first)
    again = make_services(sqlite_url, record_bundled_feeds=True)
    with TestClient(create_app(again.settings, again), base_url="http://127.0.0.1"):
        pass
    assert len(intel_records(again)) == len(first)  # the same versions: nothing new
    assert verify_ledger(again.sessions, again.ledger.signer.public_key_hex).ok
