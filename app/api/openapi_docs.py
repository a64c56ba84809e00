"""Response examples for the OpenAPI document (request examples come from examples/ via app.api.body)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.api.schemas import Checkpoint, Consistency, Readiness, RecordList, RecordView, RuleCatalogue
from app.contract import DecodeResult, ExplainResult, SimulateResult

SPENDER = "0xeE76Fa70e8A002c9114C0aCB137b1E2951615424"
TOKEN = "0xF3F0912A998Cf4173790Bf119Cd4F477933c57A9"
OWNER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
MAX = str(2**256 - 1)
LEAF = "0x6c0e3b0f2b3c8a1d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5"
ROOT = "0x1f2e3d4c5b6a79880716253443526170f1e2d3c4b5a69788796a5b4c3d2e1f00"

DECODED = {"selector": "0x095ea7b3", "function": "approve(address,uint256)", "source": "abi",
           "args": [{"name": "spender", "type": "address", "value": SPENDER},
                    {"name": "amount", "type": "uint256", "value": MAX}], "calls": []}
APPROVAL = {"standard": "erc20", "token": TOKEN, "spender": SPENDER, "amount": MAX, "unlimited": True,
            "expires_at": None}
SIMULATION = {"status": "success", "backend": "revm", "revert_reason": None, "gas_used": 46_114, "asset_changes": []}

EXPLAIN = {
    "id": "01JD6Z8Q4W3X5Y7Z9A1B2C3D4E", "kind": "transaction", "chain_id": 1, "verdict": "block",
    "findings": [
        {"rule": "APPROVAL_TO_EOA", "severity": "critical",
         "message": f"Approves {SPENDER}, an address with no code, to spend the token.",
         "evidence": {"spender": SPENDER}},
        {"rule": "UNLIMITED_APPROVAL", "severity": "high", "message": "Approves an unlimited amount.",
         "evidence": {"amount": MAX}},
    ],
    "decoded": DECODED, "approvals": [APPROVAL], "simulation": SIMULATION,
    "explanation": {"summary": f"Calls approve(address,uint256) on {TOKEN}: lets {SPENDER} spend an unlimited amount.",
                    "narrative": "This lets another wallet take all of this token at any time. Do not sign.",
                    "narrative_source": "model", "rejected_reason": None},
    "model": {"engine": "llama_cpp", "name": "SmolLM2-135M-Instruct", "weights_sha256": "9f6c…",
              "quantization": "Q4_1"},
    "policy": {"version": "2026.12.5", "sha256": "0x3b…"},
    "audit": {"id": "01JD6Z8Q4W3X5Y7Z9A1B2C3D4E", "leaf_hash": LEAF, "seq": 42, "cid": None, "chain_hash": ROOT},
}
DECODE = {"kind": "transaction", "decoded": DECODED, "approvals": [APPROVAL]}
SIMULATE = {"kind": "transaction", "decoded": DECODED, "simulation": SIMULATION, "approvals": [APPROVAL]}
RULES = {"policy": {"version": "2026.12.8", "sha256": "0x3b…"},
         "rules": [{"rule": "APPROVAL_TO_EOA", "severity": "critical",
                    "description": "the spender/operator of an approval has no code, or only an EIP-7702 delegation",
                    "needs": ["spender_code"], "allowlisted_severity": None}]}
READY = {"status": "ready", "degraded": [],
         "checks": {"database": {"ok": True, "detail": "postgresql"},
                    "ledger": {"ok": True, "detail": "every record is covered by a checkpoint the sequencer signed"},
                    "model": {"ok": True, "detail": "llama_cpp SmolLM2-135M-Instruct"},
                    "rpc": {"ok": True, "detail": "revm over the embedded devnet"}}}
SUMMARY = {"id": "01JD6Z8Q4W3X5Y7Z9A1B2C3D4E", "seq": 42, "created_at": "2026-11-24T09:30:00+00:00",
           "tenant": "default", "kind": "transaction", "chain_id": 1, "verdict": "block",
           "rules": ["APPROVAL_TO_EOA", "UNLIMITED_APPROVAL"], "model": "SmolLM2-135M-Instruct",
           "leaf_hash": LEAF, "chain_hash": ROOT, "cid": None}
CHECKPOINT = {"size": 42, "root_hash": ROOT, "chain_head": ROOT,
              "signed": '{"chain_head":"0x1f…","origin":"txexplain","root_hash":"0x1f…","size":42,"timestamp":"…"}',
              "key_id": "a1b2c3d4e5f60718", "public_key": "0x…32 bytes", "signature": "0x…64 bytes", "cid": None}
RECORD = {"record": {"id": SUMMARY["id"], "seq": 42, "verdict": "block", "kind": "transaction", "result": EXPLAIN},
          "canonical": "{…RFC 8785 JSON of the record…}", "seq": 42, "leaf_hash": LEAF, "chain_hash": ROOT,
          "cid": None, "pin_status": None, "checkpoint": CHECKPOINT, "inclusion_proof": [ROOT],
          "feedback": [{"id": "01JD6Z9A0B1C2D3E4F5G6H7J8K", "created_at": "2026-12-01T12:00:00+00:00",
                        "tenant": "default", "decision": "false_positive", "comment": "I expected this"}]}
CONSISTENCY = {"first": 10, "second": 42, "proof": [ROOT], "first_root": ROOT, "second_root": ROOT,
               "first_checkpoint": None, "second_checkpoint": CHECKPOINT}


def ok_response(model: type, example: Any, description: str = "Success",
                status: int = 200) -> dict[int | str, dict[str, Any]]:
    """A success entry (200 unless ``status``) with its schema and one example."""
    return {status: {"model": model, "description": description,
                     "content": {"application/json": {"example": example}}}}


EXPLAIN_OK = ok_response(ExplainResult, EXPLAIN, "The result, already audited (or, with ?stream=true, "
                                                 "text/event-stream: `result` then `narrative` events)")
DECODE_OK = ok_response(DecodeResult, DECODE)
SIMULATE_OK = ok_response(SimulateResult, SIMULATE)
RULES_OK = ok_response(RuleCatalogue, RULES)
READY_OK = ok_response(Readiness, READY, "Ready (the database answers); `degraded` lists parts that are down")
RECORDS_OK = ok_response(RecordList, {"records": [SUMMARY], "next_cursor": 41})
RECORD_OK = ok_response(RecordView, RECORD)
CONSISTENCY_OK = ok_response(Consistency, CONSISTENCY)
CHECKPOINT_OK = ok_response(Checkpoint, CHECKPOINT)
HEALTH_OK: dict[int | str, dict[str, Any]] = {200: {"description": "The process answers",
                                                    "content": {"application/json": {"example": {"status": "ok"}}}}}
METRICS_OK: dict[int | str, dict[str, Any]] = {200: {"description": "Prometheus text format", "content": {
    "text/plain": {"example": "txexplain_explain_seconds_count 42.0\ntxexplain_ttft_seconds_count 40.0\n"}}}}


def install_openapi(app: FastAPI) -> None:
    """Generate the document once with every error as problem+json: FastAPI's default 422 schema is
    replaced by ``Problem``, and each /v1 operation documents the 401, 429 and 503 its key check can give."""
    from fastapi.openapi.utils import get_openapi

    from app.api.problems import PROBLEM_EXAMPLE
    from app.api.request_schema import event_schemas, request_schemas

    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
        problem_body = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"},
                                                     "example": PROBLEM_EXAMPLE}}
        for path, operations in document["paths"].items():
            for operation in operations.values():
                responses = operation["responses"]
                if "422" in responses:
                    responses["422"] = {"description": responses["422"].get("description", "Invalid request")
                                        .replace("Validation Error", "A parameter is invalid (named in `errors`)."),
                                        "content": problem_body}
                if path.startswith("/v1/"):
                    responses.setdefault("401", {"description": "An API key is required, or the one given is "
                                                                "unknown or revoked.", "content": problem_body})
                    responses.setdefault("429", {"description": "The key's rate limit is reached; see Retry-After.",
                                                 "content": problem_body})
                    responses.setdefault("503", {"description": "The audit store does not answer (`audit-unavailable`"
                                                                ", with Retry-After): the key could not be checked or "
                                                                "nothing could be recorded.",
                                                 "content": problem_body})
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        for name, schema in request_schemas().items():
            if name in schemas and schemas[name] != schema:
                raise ValueError(f"OpenAPI component {name} is both a request and a response shape")
            schemas[name] = schema
        for name, schema in event_schemas().items():  # the stream's events reuse the results' components
            schemas.setdefault(name, schema)
        document["components"]["schemas"] = dict(sorted(schemas.items()))
        app.openapi_schema = document
        return document

    app.openapi = build  # type: ignore[method-assign]
