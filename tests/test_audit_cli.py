"""The audit CLI reads a ledger and never invents one: verification is read-only (no migration, no key), an
exported file verifies with no database at all — against a saved checkpoint too — and feedback or replay keep to
what the record says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.runtime import Services
from audit import downgrade, make_engine
from audit.db import current_revision
from tests.conftest import ROOT
from tests.support.helpers import ALICE, BOB, DRAINER_EOA, DUSD, MAX_UINT, calldata, explain_now, tx

REQUESTS = [tx(DUSD, calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT)),
            tx(DUSD, calldata("transfer(address,uint256)", BOB, 5)),
            {"chain_id": 31337, "from": ALICE, "to": BOB, "value": hex(10**16)}]


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def ledger(sqlite_url: str, make_services: Callable[..., Services]) -> tuple[Services, dict[str, str]]:
    services = make_services(sqlite_url)
    for raw in REQUESTS * 2:
        explain_now(raw, services)
    return services, {"TXEXPLAIN_DATABASE_URL": sqlite_url,
                      "TXEXPLAIN_SIGNING_KEY_PATH": str(services.settings.signing_key_path)}


def test_an_export_verifies_without_a_database_and_against_a_saved_checkpoint(
        ledger: tuple[Services, dict[str, str]], tmp_path: Path) -> None:
    _, env = ledger
    export, checkpoint = tmp_path / "ledger.jsonl", tmp_path / "checkpoint.json"
    export.write_text(cli(env, "audit", "export").stdout)
    assert cli(env, "audit", "checkpoint", "export", "--output", str(checkpoint)).returncode == 0
    offline = {**env, "TXEXPLAIN_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}  # no database to open
    done = cli(offline, "audit", "verify", "--export", str(export), "--checkpoint", str(checkpoint), "--json")
    report = json.loads(done.stdout)
    assert (done.returncode, report["ok"], report["records"]) == (0, True, 6), done.stderr
    assert report["root_hash"] == json.loads(checkpoint.read_text())["root_hash"]
    assert not (tmp_path / "none.db").exists()

    rows = export.read_text().splitlines()
    tampered = json.loads(rows[2])
    tampered["verdict"] = "ok" if tampered["verdict"] != "ok" else "block"
    (tmp_path / "tampered.jsonl").write_text("\n".join([*rows[:2], json.dumps(tampered), *rows[3:]]) + "\n")
    bad = json.loads(cli(offline, "audit", "verify", "--export", str(tmp_path / "tampered.jsonl"), "--json").stdout)
    assert (bad["ok"], bad["first_bad_seq"], bad["reason"]) == (False, 3, "column 'verdict' differs from the "
                                                                          "canonical JSON")
    (tmp_path / "short.jsonl").write_text("\n".join(rows[:4]) + "\n")
    short = cli(offline, "audit", "verify", "--export", str(tmp_path / "short.jsonl"), "--checkpoint",
                str(checkpoint), "--json")
    assert short.returncode == 1 and "does not hold the first 6 records" in json.loads(short.stdout)["reason"]


def test_verify_neither_migrates_nor_mints_a_key(ledger: tuple[Services, dict[str, str]], tmp_path: Path) -> None:
    _, env = ledger
    keyless = cli({**env, "TXEXPLAIN_SIGNING_KEY_PATH": str(tmp_path / "nokey.pem")}, "audit", "verify")
    assert keyless.returncode == 2 and keyless.stderr.startswith("error: public_key: no signing key at")
    assert not (tmp_path / "nokey.pem").exists()
    engine = make_engine(env["TXEXPLAIN_DATABASE_URL"])
    downgrade(engine, "0005_rate_buckets")  # a ledger written by an older txexplain
    done = cli(env, "audit", "verify")
    assert done.returncode == 2 and "run `txexplain db upgrade` first" in done.stderr
    assert current_revision(engine) == "0005_rate_buckets"


def test_feedback_is_only_about_an_explained_request(sqlite_url: str,
                                                     make_services: Callable[..., Services]) -> None:
    from app.intel_records import record_bundled_feeds

    services = make_services(sqlite_url)
    feed_records = record_bundled_feeds(services.sessions, services.ledger, services.policy.identity)
    explained = explain_now(REQUESTS[0], services)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        on_feed = client.post("/v1/feedback", json={"record_id": feed_records[0], "decision": "false_positive"})
        on_request = client.post("/v1/feedback", json={"record_id": explained["id"], "decision": "false_positive"})
        on_feedback = client.post("/v1/feedback", json={"record_id": on_request.json()["id"],
                                                        "decision": "proceeded"})
    assert on_feed.status_code == on_feedback.status_code == 422
    assert on_feed.json()["errors"][0]["field"] == "record_id" and "intel_feed record" in on_feed.json()["detail"]
    assert on_request.status_code == 201


def test_replay_narrates_in_the_recorded_mode_and_a_cached_narrative_is_no_difference(
        sqlite_url: str, make_services: Callable[..., Services], scripted_engine) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from app.replay import replay
    from audit import get_record

    good = json.dumps({"headline": "A transfer of 5 DUSD.", "explanation": "This moves 5 DUSD to the recipient.",
                       "advice": "Check the recipient before you sign."})
    recorded = make_services(sqlite_url, narrator=scripted_engine([good]), narrative_mode="free")
    explain_now(REQUESTS[1], recorded)
    cached = explain_now(REQUESTS[1], recorded)  # the same facts: served from the cache
    assert cached["explanation"]["narrative_source"] == "cache"
    replaying = make_services(sqlite_url, narrator=scripted_engine([good]))  # the server now defaults to claims
    outcome = asyncio.run(replay(get_record(replaying.sessions, cached["id"]), replaying))
    assert outcome.equal, outcome.diff
    assert replaying.engine.calls, "the model was asked again, in free mode as recorded"
