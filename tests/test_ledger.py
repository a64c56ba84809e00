"""The ledger: gapless sequencing, proofs through the API, tamper detection, append-only Postgres."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.api import create_app
from app.runtime import Services
from audit import AuditRecord, Checkpoint, VerificationError, export_records, verify_ledger, verify_record_proof
from audit.merkle import verify_consistency
from chain.rules.policy import RuleSettings
from tests.conftest import ROOT
from tests.support.helpers import BOB, DEMO, DPUNK, DRAINER_EOA, DUSD, MAX_UINT, calldata, explain_now, tamper, tx

REQUESTS = [
    tx(DUSD, calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT)),
    tx(DUSD, calldata("transfer(address,uint256)", BOB, 5)),
    tx(DPUNK, calldata("setApprovalForAll(address,bool)", DEMO, True)),
    tx(DUSD, "0xdeadbeef"),
]

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def ledger_services(request: pytest.FixtureRequest,
                    make_services: Callable[..., Services]) -> Callable[[str], Services]:
    """Services without the model (the ledger is what is tested), on the named database."""

    def build(database: str) -> Services:
        services = make_services(request.getfixturevalue(f"{database}_url"))
        return services

    return build


def fill(services: Services, count: int) -> list[dict]:
    return [explain_now(REQUESTS[i % len(REQUESTS)], services) for i in range(count)]


@pytest.mark.parametrize("database", DATABASES)
def test_concurrent_appends_are_gapless_and_verify(database: str, ledger_services) -> None:  # type: ignore[no-untyped-def]
    services = ledger_services(database)
    services.ledger.start()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda i: explain_now(REQUESTS[i % 4], services), range(40)))
    finally:
        services.ledger.close()
    assert sorted(r["audit"]["seq"] for r in results) == list(range(1, 41))
    report = verify_ledger(services.sessions, services.ledger.signer.public_key_hex)
    assert report.ok and report.records == 40, report
    with services.sessions() as session:
        sizes = list(session.scalars(select(Checkpoint.size).order_by(Checkpoint.size)))
    assert sizes[-1] == 40 and len(sizes) < 40  # concurrent appends were batched under one checkpoint


@pytest.mark.parametrize("database", DATABASES)
def test_api_record_proof_verifies_and_tampered_proof_fails(database: str, ledger_services) -> None:  # type: ignore[no-untyped-def]
    services = ledger_services(database)
    results = fill(services, 5)
    key = services.ledger.signer.public_key_hex
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        body = client.get(f"/v1/audit/records/{results[2]['id']}").json()
        latest = client.get("/v1/audit/checkpoints/latest").json()
        consistency = client.get("/v1/audit/consistency", params={"first": 3, "second": 5}).json()
        missing = client.get("/v1/audit/records/01NOPE")
    assert body["seq"] == 3 and body["leaf_hash"] == results[2]["audit"]["leaf_hash"]
    assert body["record"]["result"]["verdict"] == results[2]["verdict"]
    assert body["checkpoint"] == latest and latest["size"] == 5
    verify_record_proof(body["leaf_hash"], body["seq"], body["inclusion_proof"], body["checkpoint"], key)
    flipped = list(body["inclusion_proof"])
    flipped[0] = flipped[0][:-1] + ("0" if flipped[0][-1] != "0" else "1")
    for bad in (flipped, body["inclusion_proof"][:-1]):
        with pytest.raises(VerificationError):
            verify_record_proof(body["leaf_hash"], body["seq"], bad, body["checkpoint"], key)
    with pytest.raises(VerificationError, match="untrusted key"):
        verify_record_proof(body["leaf_hash"], body["seq"], body["inclusion_proof"], body["checkpoint"],
                            "0x" + "11" * 32)
    forged = {**body["checkpoint"], "root_hash": "0x" + "00" * 32}
    with pytest.raises(VerificationError):
        verify_record_proof(body["leaf_hash"], body["seq"], body["inclusion_proof"], forged, key)
    assert consistency["first_checkpoint"]["size"] == 3 and consistency["second_checkpoint"]["size"] == 5
    verify_consistency(3, 5, [bytes.fromhex(p[2:]) for p in consistency["proof"]],
                       bytes.fromhex(consistency["first_root"][2:]), bytes.fromhex(consistency["second_root"][2:]))
    assert consistency["second_root"] == latest["root_hash"]
    assert missing.status_code == 404 and missing.json()["errors"] == [{"field": "record_id", "message": "not found"}]


def test_api_lists_records_with_filters_and_cursor(ledger_services) -> None:  # type: ignore[no-untyped-def]
    services = ledger_services("sqlite")
    results = fill(services, 8)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        blocked = client.get("/v1/audit/records", params={"verdict": "block"}).json()
        by_rule = client.get("/v1/audit/records", params={"rule": "UNKNOWN_FUNCTION"}).json()
        by_address = client.get("/v1/audit/records", params={"address": DRAINER_EOA.lower()}).json()
        first = client.get("/v1/audit/records", params={"limit": 3}).json()
        second = client.get("/v1/audit/records", params={"limit": 3, "cursor": first["next_cursor"]}).json()
        bad = client.get("/v1/audit/records", params={"verdict": "maybe"})
    assert [r["seq"] for r in blocked["records"]] == [5, 1]
    assert [r["seq"] for r in by_rule["records"]] == [8, 4]
    assert [r["seq"] for r in by_address["records"]] == [5, 1]
    assert [r["seq"] for r in first["records"]] == [8, 7, 6] and first["next_cursor"] == 6
    assert [r["seq"] for r in second["records"]] == [5, 4, 3]
    assert first["records"][0]["id"] == results[7]["id"]
    assert bad.status_code == 422


@pytest.mark.parametrize("database", DATABASES)
def test_time_filters_mean_the_same_instant_whatever_the_offset(database: str, ledger_services) -> None:  # type: ignore[no-untyped-def]
    services = ledger_services(database)
    fill(services, 2)
    now = datetime.now(UTC)
    east, west = timezone(timedelta(hours=5)), timezone(timedelta(hours=-5))
    hour_ago, in_an_hour = now - timedelta(hours=1), now + timedelta(hours=1)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        def seqs(**times: datetime | str) -> list[int]:
            params = {k: v if isinstance(v, str) else v.isoformat() for k, v in times.items()}
            response = client.get("/v1/audit/records", params=params)
            assert response.status_code == 200, response.text
            return [r["seq"] for r in response.json()["records"]]

        # an hour ago written at +05:00 reads later on the clock than now in UTC; it is still an hour ago
        assert seqs(since=hour_ago.astimezone(east)) == [2, 1]
        assert seqs(until=in_an_hour.astimezone(west)) == [2, 1]
        assert seqs(since=in_an_hour.astimezone(west)) == []
        assert seqs(until=hour_ago.astimezone(east)) == []
        # a time without an offset is UTC, the ledger's clock, whatever the database server's zone
        assert seqs(since=hour_ago.replace(tzinfo=None).isoformat()) == [2, 1]
        assert seqs(until=hour_ago.replace(tzinfo=None).isoformat()) == []
    exported = [r["seq"] for r in export_records(services.sessions, since=hour_ago.astimezone(east))]
    assert exported == [1, 2]


@pytest.mark.parametrize("database", DATABASES)
@pytest.mark.parametrize(("what", "sql", "reason"), [
    ("canonical", "UPDATE audit_records SET canonical = replace(canonical, '\"verdict\":', '\"verdicT\":') "
                  "WHERE seq = :seq", "leaf hash does not match the canonical JSON"),
    ("result column", "UPDATE audit_records SET verdict = 'ok' WHERE seq = :seq",
     "column 'verdict' differs from the canonical JSON"),
    ("deleted record", "DELETE FROM audit_record_terms WHERE seq = :seq; DELETE FROM audit_records WHERE seq = :seq",
     "expected seq 3, found 4 (a gap or a duplicate)"),
])
def test_verify_names_first_tampered_seq(database: str, what: str, sql: str, reason: str, ledger_services,  # type: ignore[no-untyped-def]
                                         tmp_path: Path) -> None:
    services = ledger_services(database)
    fill(services, 5)
    for statement in sql.split("; "):
        tamper(services, 3, statement)
    report = verify_ledger(services.sessions, services.ledger.signer.public_key_hex)
    assert (report.first_bad_seq, report.reason) == (3, reason)
    env = {**os.environ, "TXEXPLAIN_DATABASE_URL": str(services.sessions.kw["bind"].url.render_as_string(False)),
           "TXEXPLAIN_SIGNING_KEY_PATH": str(services.settings.signing_key_path)}
    done = subprocess.run([sys.executable, "-m", "app.cli", "audit", "verify", "--json"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert json.loads(done.stdout) | {"records": None, "first_bad_id": None} == {
        "ok": False, "records": None, "checkpoints": 5, "first_bad_seq": 3, "first_bad_id": None, "reason": reason,
        "root_hash": None}


@pytest.mark.postgres
def test_postgres_refuses_update_delete_truncate(ledger_services) -> None:  # type: ignore[no-untyped-def]
    services = ledger_services("postgres")
    fill(services, 2)
    engine = services.sessions.kw["bind"]
    attempts = ["UPDATE audit_records SET verdict = 'ok' WHERE seq = 1", "DELETE FROM audit_records WHERE seq = 2",
                "TRUNCATE audit_records CASCADE", "UPDATE audit_checkpoints SET root_hash = 'x'"]
    for statement in attempts:  # the trigger stops even the table owner
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    for statement in attempts[:2]:  # and the app role has no such privilege at all
        with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
            conn.execute(text("SET LOCAL ROLE txexplain_app"))
            conn.execute(text(statement))
    with engine.begin() as conn:  # while reading and appending stay allowed for the app role
        conn.execute(text("SET LOCAL ROLE txexplain_app"))
        assert conn.execute(text("SELECT count(*) FROM audit_records")).scalar() == 2
    assert verify_ledger(services.sessions).ok


def test_export_and_query_cli(ledger_services) -> None:  # type: ignore[no-untyped-def]
    services = ledger_services("sqlite")
    fill(services, 3)
    env = {**os.environ, "TXEXPLAIN_DATABASE_URL": str(services.sessions.kw["bind"].url),
           "TXEXPLAIN_SIGNING_KEY_PATH": str(services.settings.signing_key_path)}
    exported = subprocess.run([sys.executable, "-m", "app.cli", "audit", "export"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [line["seq"] for line in lines] == [1, 2, 3]
    with services.sessions() as session:
        stored = {r.id: r.canonical for r in session.scalars(select(AuditRecord))}
    assert all(stored[line["id"]] == line["canonical"] for line in lines)
    queried = subprocess.run([sys.executable, "-m", "app.cli", "audit", "query", "--verdict", "block", "--json"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert [r["seq"] for r in json.loads(queried.stdout)["records"]] == [1]


@pytest.mark.model
def test_replay_reproduces_recorded_result(sqlite_url: str, engine,  # type: ignore[no-untyped-def]
                                           make_services: Callable[..., Services]) -> None:
    from app.replay import replay
    from audit import get_record

    services = make_services(sqlite_url, narrator=engine)
    result = explain_now(REQUESTS[0], services)
    outcome = asyncio.run(replay(get_record(services.sessions, result["id"]), services))
    assert outcome.equal, outcome.diff
    assert outcome.notes == []
    stricter = services.policy.model_copy(update={"rules": {
        **services.policy.rules,
        "UNLIMITED_APPROVAL": RuleSettings(severity="critical"),
    }, "sha256": "0" * 64})
    services.policy = stricter
    changed = asyncio.run(replay(get_record(services.sessions, result["id"]), services))
    assert not changed.equal and '"severity": "critical"' in changed.diff
    assert changed.notes[0].startswith("policy differs")


@pytest.mark.parametrize("database", DATABASES)
def test_one_bad_record_never_fails_the_good_ones_batched_with_it(database: str, ledger_services) -> None:  # type: ignore[no-untyped-def]
    """A batch holding a record the store refuses is written again one record at a time: only that one fails,
    and its error names no other client's data."""
    from concurrent.futures import Future
    from dataclasses import replace
    from datetime import UTC, datetime

    from audit import AuditWriteError, RecordBody

    services = ledger_services(database)
    good = [explain_now(REQUESTS[i], services)["id"] for i in range(2)]
    with services.sessions() as session:
        template = session.scalars(select(AuditRecord).where(AuditRecord.id == good[0])).one()
    def body(record_id: str, result: object) -> RecordBody:
        return RecordBody(id=record_id, created_at=datetime.now(UTC), kind="transaction", chain_id=31337,
                          verdict="ok", request={"secret": "client A's request"}, result=result,  # type: ignore[arg-type]
                          model=template.model, sampling=None, prompt=None, raw_output=None,
                          validator=template.validator, tool_calls=[], policy={"version": template.policy_version,
                                                                              "sha256": template.policy_sha256})
    ulids = ["01J00000000000000000000001", "01J00000000000000000000002", "01J00000000000000000000003"]
    batch = [(body(ulids[0], {"ok": 1}), Future()), (replace(body(ulids[1], {"ok": 2}), result={"bad": {1, 2}}),
                                                      Future()), (body(ulids[2], {"ok": 3}), Future())]
    services.ledger._write_batch(batch)  # the sequencer's own path for one batch
    assert [f.exception() is None for _, f in batch] == [True, False, True]
    error = batch[1][1].exception()
    assert isinstance(error, AuditWriteError) and "client A" not in str(error)
    assert verify_ledger(services.sessions, services.ledger.signer.public_key_hex).ok
