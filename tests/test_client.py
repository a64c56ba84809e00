"""The Python client, sync and async, against a real server on a loopback port."""

from __future__ import annotations

import asyncio

import pytest

from chain.rules import RULES
from client import AsyncTxExplainClient, TxExplainClient, TxExplainError, with_chain
from client import models as client_models
from client.enums import RequestKind, RuleId
from tests.support.helpers import ALICE, DRAINER_EOA, DUSD, MAX_UINT, calldata

WALLET_REQUEST = {"method": "eth_sendTransaction",  # exactly what an EIP-1193 provider receives
                  "params": [{"from": ALICE, "to": DUSD,
                              "data": calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT)}]}


def test_client_explains_the_wallets_request_unchanged(server: str) -> None:
    with TxExplainClient(server) as client:
        result = client.explain(WALLET_REQUEST, chain_id=31337)
        record = client.audit_record(result.audit.id)
        decoded = client.decode(WALLET_REQUEST, chain_id=31337)
        simulated = client.simulate(WALLET_REQUEST, chain_id=31337)
        rules = client.rules()
        ready = client.ready()
        feedback = client.feedback(result.audit.id, "rejected", "the wallet warned me")
        linked = client.audit_record(result.audit.id)["feedback"]
    assert result.verdict == "block"
    assert feedback["record_id"] == result.audit.id and [f["decision"] for f in linked] == ["rejected"]
    assert [f.rule for f in result.findings] == ["APPROVAL_TO_EOA", "UNLIMITED_APPROVAL"]
    assert result.explanation.summary.startswith("Approves a spender on")
    assert (record["leaf_hash"], record["record"]["verdict"]) == (result.audit.leaf_hash, "block")
    assert decoded.decoded["function"] == "approve(address,uint256)"
    assert simulated.simulation["status"] == "success" and simulated.approvals[0]["spender"] == DRAINER_EOA
    assert len(rules["rules"]) == len(RULES) and ready["status"] == "ready"
    assert isinstance(result.findings[0].rule, RuleId) and result.kind == RequestKind.TRANSACTION


def test_client_raises_with_the_field_named(server: str) -> None:
    with TxExplainClient(server) as client, pytest.raises(TxExplainError) as caught:
        client.explain({**WALLET_REQUEST, "params": [{**WALLET_REQUEST["params"][0], "to": "0x12"}]}, chain_id=1)
    assert caught.value.status == 422
    assert caught.value.errors == [{"field": "params[0].to", "message": "must be a 0x-prefixed 20-byte hex address"}]


def test_async_client_matches_the_sync_one(server: str) -> None:
    async def run() -> tuple[str, str]:
        async with AsyncTxExplainClient(server) as client:
            result = await client.explain(WALLET_REQUEST, chain_id=31337)
            decoded = await client.decode(WALLET_REQUEST, chain_id=31337)
            return result.verdict, decoded.decoded["function"]

    assert asyncio.run(run()) == ("block", "approve(address,uint256)")


def test_with_chain_keeps_the_request_and_an_explicit_chain() -> None:
    assert with_chain(WALLET_REQUEST, 1) == {**WALLET_REQUEST, "chain_id": 1}
    assert with_chain({**WALLET_REQUEST, "chain_id": 5}, 1)["chain_id"] == 5
    assert with_chain(WALLET_REQUEST, None) is WALLET_REQUEST


MODELS = ("ExplainResult", "DecodeResult", "SimulateResult", "Finding", "Explanation", "AuditRef", "SkippedCheck")


@pytest.mark.parametrize("name", MODELS)
def test_client_models_are_held_to_the_openapi_document(name: str) -> None:
    """Each client model has exactly the fields the service's OpenAPI document gives it, required alike."""
    import json

    from tests.conftest import ROOT

    schema = json.loads((ROOT / "sdk/ts/openapi.json").read_text())["components"]["schemas"][name]
    model = getattr(client_models, name)
    assert set(model.model_fields) == set(schema["properties"])
    assert {n for n, f in model.model_fields.items() if f.is_required()} == set(schema.get("required", []))


def test_client_enums_are_generated_from_the_openapi_document() -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run([sys.executable, "scripts/gen_client_enums.py", "--check"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert {r.value for r in RuleId} == set(RULES)
