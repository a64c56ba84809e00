"""The result contract is the domain models: every field a real result carries is typed in app.contract (and so in
the OpenAPI document and the SDK), and the models reproduce each result exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from app.contract import DecodeResult, ExplainResult, SimulateResult
from app.runtime import build_services
from app.settings import Settings
from chain.analyze import decode_request, simulate_request
from chain.request import Signature, parse_request, request_kind
from chain.simulate import RevmBackend
from tests.support.helpers import explain_now

ROOT = Path(__file__).resolve().parents[1]
CORPUS = [p["request"] for p in json.loads((ROOT / "tests/payloads/corpus.json").read_text())["payloads"]]
EXAMPLES = [json.loads(p.read_text()) for p in sorted((ROOT / "examples").glob("*.json"))]
REQUESTS = EXAMPLES + CORPUS


def untyped(model: type[BaseModel], value: dict[str, Any]) -> dict[str, Any]:
    """What the model loses or changes of ``value``: empty when the model types every field the same way."""
    again = model.model_validate(value).model_dump(mode="json", exclude_unset=True)
    return {k: (value.get(k), again.get(k)) for k in value.keys() | again.keys() if value.get(k) != again.get(k)}


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory, backend: RevmBackend):  # type: ignore[no-untyped-def]
    where = tmp_path_factory.mktemp("contract")
    built = build_services(Settings(database_url=f"sqlite:///{where / 'c.db'}", signing_key_path=where / "k",
                                    engine="none"), engine=None)
    built.backend = backend
    built.ledger.start()
    yield built
    built.ledger.close()


def test_every_explain_result_is_exactly_its_contract(services) -> None:  # type: ignore[no-untyped-def]
    kinds = set()
    for raw in REQUESTS:
        result = explain_now(raw, services)
        kinds.add(result["kind"])
        assert untyped(ExplainResult, result) == {}, result["kind"]
    assert kinds == {"transaction", "batch", "typed_data", "message"}


def test_every_decode_and_simulate_result_is_exactly_its_contract(services) -> None:  # type: ignore[no-untyped-def]
    for raw in REQUESTS:
        parsed = parse_request(raw)
        decoded = decode_request(parsed, services.policy, services.backend).model_dump(mode="json")
        assert untyped(DecodeResult, decoded) == {}
        assert decoded["kind"] == request_kind(parsed)
        if not isinstance(parsed, Signature):
            simulated = simulate_request(parsed, services.backend, services.policy).model_dump(mode="json")
            assert untyped(SimulateResult, simulated) == {}
            assert simulated["kind"] == request_kind(parsed)


def test_decode_simulate_and_explain_name_a_batch_alike(services) -> None:  # type: ignore[no-untyped-def]
    batch = json.loads((ROOT / "examples/wallet-send-calls-batch.json").read_text())
    parsed = parse_request(batch)
    answers = (decode_request(parsed, services.policy).kind, simulate_request(parsed, services.backend,
                                                                               services.policy).kind,
               explain_now(batch, services)["kind"])
    assert answers == ("batch", "batch", "batch")


def test_a_field_the_contract_does_not_type_is_caught() -> None:
    result = {"id": "x", "kind": "transaction", "chain_id": 1, "verdict": "ok", "explanation": {
        "summary": "s", "narrative": None, "narrative_source": "none"}, "model": {"engine": "none"},
        "policy": {"version": "v", "sha256": "0"}, "audit": {"id": "x", "leaf_hash": "0x", "seq": 1,
                                                             "chain_hash": "0x"}, "surprise": 1}
    assert "surprise" in untyped(ExplainResult, result)


def test_the_openapi_document_types_every_result_field_with_its_enum() -> None:
    from app.api import create_app

    schemas = create_app(Settings()).openapi()["components"]["schemas"]
    explain = schemas["ExplainResult"]["properties"]
    assert set(explain) == set(ExplainResult.model_fields)
    assert schemas["DecodeSource"]["enum"] == ["abi", "selectors", "bytecode", "guessed", "deployment", "unknown"]
    assert schemas["SimulationStatus"]["enum"] == ["success", "reverted", "unavailable"]
    assert schemas["NarrativeSource"]["enum"] == ["model", "cache", "none"]
    assert "chain_hash" in schemas["AuditRef"]["properties"]
    for field in ("typed_data", "message", "policy", "decoded", "simulation"):
        assert "$ref" in json.dumps(explain[field]), field


def test_the_result_names_the_sender_or_signer(services) -> None:  # type: ignore[no-untyped-def]
    kinds = set()
    for raw in REQUESTS:
        parsed = parse_request(raw)
        result = explain_now(raw, services)
        kinds.add(result["kind"])
        assert result["sender"] == (parsed.signer if isinstance(parsed, Signature) else parsed.sender)
    assert {"transaction", "typed_data", "message"} <= kinds
