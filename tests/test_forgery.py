"""Forgery through the database: a role holding only database credentials (the app role) inserts a record with
well-formed hashes (and, for good measure, a checkpoint signed with its own key, or a seq gap). The sequencer must
not sign it into its next checkpoint, `audit verify` must name it, the service must state the fault (503 naming it,
/readyz, a metric) instead of failing silently, and `txexplain audit repair` must bring the ledger back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, text

from app.api import create_app
from app.runtime import Services
from audit import AuditRecord, Signer, verify_ledger
from audit.hashing import chain_next, leaf_hash
from audit.ledger import signed_checkpoint
from audit.merkle import Frontier
from audit.models import Checkpoint
from audit.record import row
from tests.support.helpers import ROOT_DIR, explain_now, record_body, tamper
from tests.test_ledger import REQUESTS


def forge(services: Services, *, gap: int = 0, sign_with: Signer | None = None) -> str:
    """Insert, as the app role, a record chained onto the head with valid leaf and chain hashes; optionally a
    checkpoint over it signed by another key. Returns the forged record's id."""
    engine = services.sessions.kw["bind"]
    body = record_body({"verdict": "ok", "findings": []}).storable()
    canonical = body.canonical().decode()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL ROLE txexplain_app"))
        head = conn.execute(select(AuditRecord.seq, AuditRecord.chain_hash).order_by(AuditRecord.seq.desc())
                            .limit(1)).one()
        leaf = leaf_hash(canonical.encode())
        chain = chain_next(head.chain_hash, leaf)
        conn.execute(insert(AuditRecord), [row(body, head.seq + 1 + gap, canonical, leaf, chain)])
        if sign_with is not None:
            frontier = Frontier()
            for (leaf_hex,) in conn.execute(select(AuditRecord.leaf_hash).order_by(AuditRecord.seq)):
                frontier.append(bytes.fromhex(leaf_hex[2:]))
            conn.execute(insert(Checkpoint), [signed_checkpoint(sign_with, frontier, chain, datetime.now(UTC))])
    return body.id


def repair_cli(services: Services, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TXEXPLAIN_DATABASE_URL": services.sessions.kw["bind"].url.render_as_string(False),
           "TXEXPLAIN_SIGNING_KEY_PATH": str(services.settings.signing_key_path)}
    return subprocess.run([sys.executable, "-m", "app.cli", "audit", "repair", *args, "--json"], cwd=ROOT_DIR,
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.postgres
@pytest.mark.parametrize("variant", ["after the head", "past a seq gap", "with its own signed checkpoint"])
def test_a_forged_row_is_never_signed_is_stated_and_is_repaired(variant: str, postgres_url: str, tmp_path: Path,
                                                               make_services: Callable[..., Services]) -> None:
    services = make_services(postgres_url)
    for request in REQUESTS[:3]:
        explain_now(request, services)
    forged = forge(services, gap=4 if variant == "past a seq gap" else 0,
                   sign_with=Signer.load_or_create(tmp_path / "attacker.key") if "signed" in variant else None)
    report = verify_ledger(services.sessions, services.ledger.signer.public_key_hex)
    assert not report.ok and report.first_bad_seq in (4, 8)
    if variant == "after the head":
        assert report.first_bad_id == forged and "covered by no signed checkpoint" in (report.reason or "")
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        refused = client.post("/v1/explain", json=REQUESTS[0])
        assert refused.status_code == 503
        assert "ledger fault" in refused.json()["detail"] and "txexplain audit repair" in refused.json()["detail"]
        ready = client.get("/readyz")
        assert ready.status_code == 503 and not ready.json()["checks"]["ledger"]["ok"]
        assert "txexplain_ledger_fault 1.0" in client.get("/metrics").text
        with services.sessions() as session:  # nothing was chained onto the forgery
            assert session.scalar(select(AuditRecord.seq).order_by(AuditRecord.seq.desc()).limit(1)) in (4, 8)
        quarantined = tmp_path / "quarantine.jsonl"
        done = repair_cli(services, "--quarantine", str(quarantined))
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["removed"] == [forged] and json.loads(done.stdout)["trusted_size"] == 3
        assert json.loads(quarantined.read_text().splitlines()[0])["id"] == forged
        assert client.post("/v1/explain", json=REQUESTS[0]).status_code == 200
        assert client.get("/readyz").status_code == 200
        assert "txexplain_ledger_fault 0.0" in client.get("/metrics").text
    assert verify_ledger(services.sessions, services.ledger.signer.public_key_hex).ok


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_adopt_signs_over_rows_the_operator_vouches_for(database: str, request: pytest.FixtureRequest,
                                                        make_services: Callable[..., Services]) -> None:
    """A ledger whose last rows no checkpoint covers (one from before checkpoints): --adopt signs over them."""
    services = make_services(request.getfixturevalue(f"{database}_url"))
    explain_now(REQUESTS[0], services)
    tamper(services, 0, "DELETE FROM audit_checkpoints WHERE size > :seq")  # as a ledger from before checkpoints
    assert not verify_ledger(services.sessions, services.ledger.signer.public_key_hex).ok
    done = repair_cli(services, "--adopt")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["trusted_size"] == 1
    assert verify_ledger(services.sessions, services.ledger.signer.public_key_hex).ok
    assert explain_now(REQUESTS[1], services)["audit"]["seq"] == 2
