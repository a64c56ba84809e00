"""End to end on the example: HTTP and CLI, real model, SQLite and Postgres, leaf hashes recomputed."""

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
from audit import AuditRecord, canonical_json, count_records, get_record, leaf_hash
from tests.support.helpers import DRAINER_EOA, DUSD, ROOT_DIR, calldata, example, tx

APPROVAL = example("unlimited-approval-to-eoa")


def assert_block_result(result: dict) -> None:
    assert result["verdict"] == "block"
    assert [f["rule"] for f in result["findings"]] == ["APPROVAL_TO_EOA", "UNLIMITED_APPROVAL"]
    assert result["decoded"]["function"] == "approve(address,uint256)"
    assert result["decoded"]["args"][0] == {"name": "spender", "type": "address", "value": DRAINER_EOA}
    assert result["approvals"][0]["spender"] == DRAINER_EOA and result["approvals"][0]["unlimited"] is True
    assert result["simulation"]["status"] == "success"
    assert result["model"]["engine"] == "llama_cpp" and result["model"]["quantization"] == "Q4_1"
    assert len(result["model"]["weights_sha256"]) == 64
    explanation = result["explanation"]
    assert explanation["summary"].startswith('Approves a spender on "DUSD"')
    assert (explanation["narrative"] is None) == (explanation["rejected_reason"] is not None)
    assert result["id"] == result["audit"]["id"]


def assert_record_recomputes(services: Services, result: dict) -> AuditRecord:
    record = get_record(services.sessions, result["id"])
    assert record is not None
    assert record.leaf_hash == result["audit"]["leaf_hash"] == leaf_hash(record.canonical.encode())
    body = json.loads(record.canonical)
    assert canonical_json(body).decode() == record.canonical  # stored text is RFC 8785 canonical
    assert body["result"] == {k: v for k, v in result.items() if k != "audit"}
    assert body["request"] == APPROVAL
    assert record.prompt and record.raw_output is not None
    assert [c["name"] for c in record.tool_calls] == [
        "decode", "simulate", "approvals", "lookup_code", "token_metadata", "effects", "prices", "rules",
        "narrative_cache", "model.generate", "validate"]
    return record


@pytest.mark.model
@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_http_explain_example_blocks_and_is_audited(database: str, request: pytest.FixtureRequest, engine,  # type: ignore[no-untyped-def]
                                                    make_services: Callable[..., Services]) -> None:
    services = make_services(request.getfixturevalue(f"{database}_url"), narrator=engine)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        response = client.post("/v1/explain", json=APPROVAL)
        assert response.status_code == 200, response.text
        result = response.json()
        assert_block_result(result)
        record = assert_record_recomputes(services, result)
        assert record.seq == result["audit"]["seq"] == 1
        second = client.post("/v1/explain", json=APPROVAL).json()
        assert second["audit"]["seq"] == 2 and second["id"] != result["id"]


BAD_INPUTS = [
    ({**APPROVAL, "params": [{**APPROVAL["params"][0], "data": "0xzz"}]}, "params[0].data", "must be 0x-prefixed hex"),
    ({**APPROVAL, "params": [{**APPROVAL["params"][0], "to": "0x12"}]}, "params[0].to",
     "must be a 0x-prefixed 20-byte hex address"),
    ({**APPROVAL, "params": [{**APPROVAL["params"][0], "data": "0x095"}]}, "params[0].data",
     "has an odd number of hex digits"),
    ({"chain_id": 31337, "method": "eth_sendTransaction", "params": [{"to": DUSD}]}, "params[0].from",
     "Field required"),
]


@pytest.mark.parametrize(("raw", "field", "message"), BAD_INPUTS, ids=["bad-hex", "bad-address", "odd-data", "missing"])
def test_http_bad_input_is_422_naming_field_and_stores_nothing(raw: dict, field: str, message: str,
                                                               sqlite_url: str,
                                                               make_services: Callable[..., Services]) -> None:
    services = make_services(sqlite_url)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        response = client.post("/v1/explain", json=raw)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://txexplain.dev/problems/invalid-request", "title": "Invalid request", "status": 422,
        "detail": f"{field}: {message}", "errors": [{"field": field, "message": message}]}
    assert count_records(services.sessions) == 0


def test_http_invalid_json_and_oversized_body(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    services = make_services(sqlite_url, max_request_bytes=2048)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        broken = client.post("/v1/explain", content=b"{not json", headers={"content-type": "application/json"})
        huge = client.post("/v1/explain", json=tx(DUSD, "0x" + "00" * 4096))
    assert broken.status_code == 422
    assert broken.json()["errors"] == [{"field": "(body)", "message": "is not valid JSON"}]
    assert huge.status_code == 413
    assert count_records(services.sessions) == 0


@pytest.mark.model
def test_http_truncated_calldata_is_explained_not_rejected(sqlite_url: str,
                                                           make_services: Callable[..., Services]) -> None:
    services = make_services(sqlite_url)
    truncated = tx(DUSD, calldata("approve(address,uint256)", DRAINER_EOA, 1)[:50])
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        result = client.post("/v1/explain", json=truncated).json()
    assert result["verdict"] == "warn"
    assert [f["rule"] for f in result["findings"]] == ["SIMULATION_REVERTED", "UNKNOWN_FUNCTION"]
    assert result["decoded"]["source"] == "unknown"
    assert count_records(services.sessions) == 1


def test_http_audit_failure_is_503_without_explanation(sqlite_url: str,
                                                       make_services: Callable[..., Services]) -> None:
    services = make_services(sqlite_url)
    AuditRecord.__table__.drop(services.sessions.kw["bind"])  # the store breaks after startup
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        response = client.post("/v1/explain", json=APPROVAL)
        streamed = client.post("/v1/explain", params={"stream": "true"}, json=APPROVAL)
    assert response.status_code == 503
    body = response.json()
    assert body["title"] == "Audit store unavailable" and "verdict" not in body
    assert response.headers["Retry-After"] == "5"
    # streamed: the unaudited result is never sent; the stream is one error event with the same problem
    events = [line for line in streamed.text.splitlines() if line.startswith("event: ")]
    assert events == ["event: error"] and '"verdict"' not in streamed.text
    error = json.loads(streamed.text.split("data: ", 1)[1].splitlines()[0])
    assert error["type"].endswith("/audit-unavailable") and error["retry_after"] == 5


def test_healthz(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    services = make_services(sqlite_url)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        spec = client.get("/openapi.json").json()
    examples = spec["paths"]["/v1/explain"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    assert examples["unlimited-approval-to-eoa"]["value"] == APPROVAL


def run_cli(*args: str, database_url: str, signing_key: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TXEXPLAIN_DATABASE_URL": database_url,
           "TXEXPLAIN_SIGNING_KEY_PATH": signing_key}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT_DIR, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_cli_explain_json_prints_contract(database: str, request: pytest.FixtureRequest, tmp_path: Path,
                                          make_services: Callable[..., Services]) -> None:
    url = request.getfixturevalue(f"{database}_url")
    key = str(tmp_path / "signing.key")
    done = run_cli("explain", "examples/unlimited-approval-to-eoa.json", "--json", database_url=url, signing_key=key)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert_block_result(result)
    assert_record_recomputes(make_services(url, signing_key_path=tmp_path / "signing.key"), result)
    failing = run_cli("explain", "examples/unlimited-approval-to-eoa.json", "--json", "--fail-on", "block",
                      database_url=url, signing_key=key)
    assert failing.returncode == 1 and json.loads(failing.stdout)["verdict"] == "block"


@pytest.mark.parametrize(("raw", "field", "message"), BAD_INPUTS, ids=["bad-hex", "bad-address", "odd-data", "missing"])
def test_cli_bad_input_exits_2_naming_field(raw: dict, field: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(raw))
    db = tmp_path / "audit.db"
    done = run_cli("explain", str(path), "--json", database_url=f"sqlite:///{db}",
                   signing_key=str(tmp_path / "signing.key"))
    assert done.returncode == 2
    assert done.stdout == ""
    assert f"error: {field}: {message}" in done.stderr
    assert not db.exists()


def test_http_explains_a_permit2_signature_request(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    services = make_services(sqlite_url)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        result = client.post("/v1/explain", json=example("permit2-phishing-signature")).json()
    assert (result["kind"], result["verdict"], result["decoded"], result["simulation"]) == (
        "typed_data", "block", None, None)
    assert result["typed_data"]["classification"] == "permit2_PermitSingle"
    assert result["explanation"]["summary"].startswith("Signs a Permit2 PermitSingle for ")
    assert get_record(services.sessions, result["id"]).kind == "typed_data"
