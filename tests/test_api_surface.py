"""/v1/simulate, /v1/rules, /readyz, and eth_signTransaction intake over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.runtime import Services
from audit import count_records
from chain.rules import RULES, catalogue
from tests.support.helpers import ALICE, BOB, DRAINER_EOA, DUSD, MAX_UINT, calldata, example, send_calls, tx


@pytest.fixture
def services(sqlite_url: str, make_services) -> Services:  # type: ignore[no-untyped-def]
    services = make_services(sqlite_url, engine="none")
    return services


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as test_client:
        yield test_client


def test_rules_endpoint_lists_the_policy_catalogue(client: TestClient, services: Services) -> None:
    body = client.get("/v1/rules").json()
    assert body == catalogue(services.policy)
    assert {r["rule"]: r["severity"] for r in body["rules"]}["APPROVAL_TO_EOA"] == "critical"
    assert len(body["rules"]) == len(RULES) and body["policy"]["sha256"] == services.policy.sha256


def test_simulate_endpoint_returns_decoded_simulation_and_approvals(client: TestClient, services: Services) -> None:
    approve = calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT)
    body = client.post("/v1/simulate", json=tx(DUSD, approve)).json()
    assert body["kind"] == "transaction" and body["decoded"]["function"] == "approve(address,uint256)"
    assert body["simulation"]["status"] == "success" and body["simulation"]["backend"] == "revm"
    assert body["approvals"] == [{"standard": "erc20", "token": DUSD, "spender": DRAINER_EOA, "amount": str(MAX_UINT),
                                  "unlimited": True, "expires_at": None, "token_id": None,
         "revokes": False, "standard_confirmed": True, "source": "calldata"}]
    assert "verdict" not in body
    batch = client.post("/v1/simulate", json=send_calls({"to": BOB, "value": hex(10**18)})).json()
    assert batch["kind"] == "batch"
    assert sorted((c["address"], c["delta"]) for c in batch["simulation"]["asset_changes"]) == sorted(
        [(ALICE, str(-(10**18))), (BOB, str(10**18))])
    assert count_records(services.sessions) == 0


def test_simulate_endpoint_refuses_signing_requests_naming_the_field(client: TestClient) -> None:
    response = client.post("/v1/simulate", json=example("permit2-phishing-signature"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [{"field": "method",
                                          "message": "signing requests execute nothing; use /v1/decode or /v1/explain"}]
    bad = client.post("/v1/simulate", json={"chain_id": 31337, "from": ALICE, "to": "0x12"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "to"


def test_explain_takes_eth_sign_transaction_like_eth_send_transaction(client: TestClient) -> None:
    params = {"from": ALICE, "to": DUSD, "data": calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT)}
    signed, sent = (client.post("/v1/explain", json={"chain_id": 31337, "method": method, "params": [params]}).json()
                    for method in ("eth_signTransaction", "eth_sendTransaction"))
    assert signed["verdict"] == sent["verdict"] == "block"
    assert [f["rule"] for f in signed["findings"]] == [f["rule"] for f in sent["findings"]]
    unsupported = client.post("/v1/explain", json={"chain_id": 1, "method": "eth_getBalance", "params": []})
    assert unsupported.status_code == 422 and unsupported.json()["errors"][0]["field"] == "method"


def test_readyz_reports_each_part(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready", "degraded": [],
        "checks": {"database": {"ok": True, "detail": "sqlite"},
                   "ledger": {"ok": True, "detail": "every record is covered by a checkpoint the sequencer signed"},
                   "model": {"ok": True, "detail": "no model configured (TXEXPLAIN_ENGINE=none): summaries only"},
                   "rpc": {"ok": True, "detail": "revm over the embedded devnet"},
                   "intel": {"ok": True, "detail": "0 imported feeds", "stale": [], "failing": []}},
    }


def test_readyz_is_503_without_the_database_and_degraded_without_the_node(client: TestClient,
                                                                          services: Services) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from app.runtime import UnavailableEngine
    from chain.simulate import RpcBackend
    from tests.support.anvil import free_port

    dead = f"127.0.0.1:{free_port()}"
    services.sessions = sessionmaker(create_engine(f"postgresql+psycopg://postgres@{dead}/test",
                                                   connect_args={"connect_timeout": 2}))
    services.backend = RpcBackend(f"http://{dead}", timeout_s=0.5, retries=0)
    services.engine = UnavailableEngine(services.engine.identity if services.engine else _identity(),
                                        "weights not found")
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503 and body["status"] == "not_ready"
    assert body["degraded"] == ["model", "rpc"]
    assert body["checks"]["database"]["ok"] is False and "OperationalError" in body["checks"]["database"]["detail"]
    assert body["checks"]["model"] == {"ok": False, "detail": "weights not found"}
    assert body["checks"]["rpc"]["ok"] is False and body["checks"]["rpc"]["detail"].startswith(f"http://{dead}")


def _identity():  # type: ignore[no-untyped-def]
    from inference.engine import ModelIdentity

    return ModelIdentity(engine="llama_cpp", name="missing", weights_sha256=None, quantization=None)


def test_openapi_has_examples_for_the_post_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    def examples(path: str) -> set[str]:
        return set(paths[path]["post"]["requestBody"]["content"]["application/json"]["examples"])

    assert examples("/v1/explain") == examples("/v1/decode")
    assert {"wallet-send-calls-batch", "permit2-phishing-signature"} <= examples("/v1/explain")
    assert "wallet-send-calls-batch" in examples("/v1/simulate")
    assert "permit2-phishing-signature" not in examples("/v1/simulate")
    assert {"/v1/rules", "/readyz", "/v1/audit/records"} <= set(paths)


def test_every_operation_documents_a_success_example_and_its_problems(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            success = (operation["responses"].get("200") or operation["responses"]["201"])["content"]
            assert any("example" in body for body in success.values()), f"{method} {path} has no example"
            for status, answer in operation["responses"].items():
                if status.startswith(("4", "5")) and status != "503":
                    assert "application/problem+json" in answer.get("content", {}), f"{method} {path} {status}"
    schemas = document["components"]["schemas"]
    assert {"ExplainResult", "DecodeResult", "SimulateResult", "Problem", "RecordView", "Readiness"} <= set(schemas)
    assert schemas["ExplainResult"]["properties"]["verdict"]["enum"] == ["ok", "warn", "block"]


def test_framework_errors_are_problem_json_naming_the_field(client: TestClient) -> None:
    bad_query = client.get("/v1/audit/records", params={"limit": 0, "verdict": "maybe"})
    unknown = client.get("/v1/nope")
    wrong_method = client.get("/v1/explain")
    assert bad_query.status_code == 422
    assert bad_query.headers["content-type"] == "application/problem+json"
    assert {e["field"] for e in bad_query.json()["errors"]} == {"limit", "verdict"}
    assert (unknown.status_code, unknown.json()["type"]) == (404, "https://txexplain.dev/problems/not-found")
    assert wrong_method.status_code == 405 and wrong_method.json()["status"] == 405
    assert "allow" in wrong_method.headers


def test_deeply_nested_body_is_422_naming_the_limit(server: str) -> None:
    import time

    start = time.perf_counter()
    answer = httpx.post(f"{server}/v1/explain", content="[" * 100_000 + "]" * 100_000,
                        headers={"content-type": "application/json"})
    assert answer.status_code == 422 and time.perf_counter() - start < 2
    assert answer.json()["errors"] == [{"field": "(body)", "message": "nests deeper than 64 levels"}]
    assert httpx.get(f"{server}/healthz").json() == {"status": "ok"}  # the server is still there


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_posts_not_declared_json_are_415_so_no_web_page_can_write_without_a_preflight(
        server: str, content_type: str) -> None:
    body = json.dumps({"chain_id": 31337, "from": ALICE, "to": BOB, "value": "0x1"})
    answer = httpx.post(f"{server}/v1/explain", content=body, headers={"content-type": content_type})
    assert answer.status_code == 415
    assert answer.json()["errors"] == [{"field": "Content-Type", "message": "must be application/json"}]
    ok = httpx.post(f"{server}/v1/explain", content=body, headers={"content-type": "application/json; charset=utf-8"})
    assert ok.status_code == 200


def test_responses_say_nosniff_and_audit_answers_are_never_cached(server: str) -> None:
    assert httpx.get(f"{server}/healthz").headers["x-content-type-options"] == "nosniff"
    listing = httpx.get(f"{server}/v1/audit/records")
    assert listing.headers["cache-control"] == "no-store" and listing.headers["x-content-type-options"] == "nosniff"
    assert httpx.get(f"{server}/audit").headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("host", "status"), [("attacker.example", 421), ("attacker.example:8000", 421),
                                              ("127.0.0.1:8000", 200), ("localhost", 200), ("[::1]:8000", 200)])
def test_keyless_server_answers_only_to_loopback_host_names(services: Services, host: str, status: int) -> None:
    """DNS rebinding: a page on attacker.example whose name now resolves to 127.0.0.1 reaches a keyless server;
    its requests carry that Host and are refused."""
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        answer = client.get("/v1/rules", headers={"host": host})
    assert answer.status_code == status
    if status == 421:
        assert answer.json()["errors"] == [{"field": "Host", "message": "must be localhost or a loopback address"}]


def test_cors_policy_is_explicit_none_by_default(services: Services) -> None:
    preflight = {"origin": "https://evil.example", "access-control-request-method": "POST",
                 "access-control-request-headers": "content-type"}
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        refused = client.options("/v1/explain", headers=preflight)
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
    wallet = services.settings.model_copy(update={"cors_origins": ["https://wallet.example"]})
    with TestClient(create_app(wallet, services), base_url="http://127.0.0.1") as client:
        allowed = client.options("/v1/explain", headers={**preflight, "origin": "https://wallet.example"})
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "https://wallet.example"
