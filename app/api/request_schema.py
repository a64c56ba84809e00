"""The request contract in the OpenAPI document (and the stream's events): the bodies of ``/v1/explain``,
``/v1/decode`` and ``/v1/simulate`` typed as a union keyed on ``method`` plus the bare transaction, from the request
models themselves (``chain.request_shapes``), so generated clients type what they send. The routes still parse the
body with ``chain.request.parse_request`` (its errors name each field)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chain.request_shapes import METHOD_REQUESTS, REQUEST_OF_METHOD, BareTransactionRequest, SignRequest

REF = "#/components/schemas/{model}"


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _union(models: tuple[type[BaseModel], ...], description: str) -> dict[str, Any]:
    keyed = {method: REF.format(model=model.__name__) for method, model in REQUEST_OF_METHOD.items()
             if model in models}
    return {"description": description, "anyOf": [_ref(BareTransactionRequest), {
        "oneOf": [_ref(m) for m in models], "discriminator": {"propertyName": "method", "mapping": keyed}}]}


def request_schemas() -> dict[str, dict[str, Any]]:
    """OpenAPI components: ``ExplainRequest`` (every request), ``TransactionRequest`` (those that execute) and
    the models they are made of."""
    _, top = models_json_schema([(m, "validation") for m in (BareTransactionRequest, *METHOD_REQUESTS)],
                                ref_template=REF)
    executing = tuple(m for m in METHOD_REQUESTS if m is not SignRequest)
    return {**top["$defs"],
            "ExplainRequest": _union(METHOD_REQUESTS, "A bare transaction, or an EIP-1193 request exactly as the "
                                     "wallet holds it (`method` and `params`), with `chain_id` beside it."),
            "TransactionRequest": _union(executing, "A request that executes: a bare transaction or an EIP-1193 "
                                         "transaction, batch or user operation (no signing request).")}


def event_schemas() -> dict[str, dict[str, Any]]:
    """OpenAPI components for what the stream sends besides the result: ``NarrativeEvent`` (and what it is made
    of, where the result's schemas do not hold it already)."""
    from app.contract import NarrativeEvent

    _, top = models_json_schema([(NarrativeEvent, "serialization")], ref_template=REF)
    return top["$defs"]


def request_body(schema: str, examples: dict[str, Any]) -> dict[str, Any]:
    """A route's ``openapi_extra`` for a JSON body of the named component, with its examples."""
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": REF.format(model=schema)}, "examples": examples}}}}
