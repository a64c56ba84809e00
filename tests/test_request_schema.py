"""The request contract as the OpenAPI document types it: every request the SDKs and wallets sent (the corpora,
the examples) is valid against `ExplainRequest`, a transaction against `TransactionRequest`, and what the parser
refuses by shape the schema refuses too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from app.api import create_app
from app.settings import Settings
from chain.request import parse_request
from chain.request_shapes import SIGNING_METHODS, SUPPORTED_METHODS

ROOT = Path(__file__).resolve().parents[1]
REQUESTS = [json.loads(p.read_text()) for p in sorted((ROOT / "examples").glob("*.json"))] + [
    p["request"] for name in ("corpus.json", "world.json")
    for p in json.loads((ROOT / "tests/payloads" / name).read_text())["payloads"]]


@pytest.fixture(scope="module")
def components() -> dict[str, Any]:
    return create_app(Settings()).openapi()["components"]


def validator(components: dict[str, Any], name: str) -> Any:
    return jsonschema_rs.validator_for({"$ref": f"#/components/schemas/{name}", "components": components})


def test_every_sdk_request_is_valid_against_the_typed_body(components: dict[str, Any]) -> None:
    explain, transaction = validator(components, "ExplainRequest"), validator(components, "TransactionRequest")
    assert len(REQUESTS) > 60
    for raw in REQUESTS:
        parse_request(raw)  # the service takes it, and so does the schema
        assert explain.is_valid(raw), (raw.get("method"), list(explain.iter_errors(raw))[:2])
        assert transaction.is_valid(raw) == (raw.get("method") not in SIGNING_METHODS), raw.get("method")


@pytest.mark.parametrize("bad", [
    {"chain_id": 1, "method": "eth_sendTransaction", "params": [{"form": "0x" + "11" * 20}]},
    {"chain_id": 1, "method": "eth_sendBogus", "params": []},
    {"chain_id": 1, "from": "0x1234", "to": "0x" + "22" * 20},
    {"chain_id": 1, "method": "personal_sign", "params": ["0x68"]},
], ids=["misspelt field", "unknown method", "short address", "one param"])
def test_what_the_parser_refuses_by_shape_the_schema_refuses(components: dict[str, Any], bad: dict) -> None:
    from chain.request import RequestError

    with pytest.raises(RequestError):
        parse_request(bad)
    assert not validator(components, "ExplainRequest").is_valid(bad)


def test_the_body_union_is_keyed_on_every_accepted_method(components: dict[str, Any]) -> None:
    keyed = components["schemas"]["ExplainRequest"]["anyOf"][1]["discriminator"]["mapping"]
    assert tuple(keyed) == SUPPORTED_METHODS
    operations = create_app(Settings()).openapi()["paths"]
    bodies = {path: operations[path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
              for path in ("/v1/explain", "/v1/decode", "/v1/simulate")}
    assert bodies == {"/v1/explain": "#/components/schemas/ExplainRequest",
                      "/v1/decode": "#/components/schemas/ExplainRequest",
                      "/v1/simulate": "#/components/schemas/TransactionRequest"}
