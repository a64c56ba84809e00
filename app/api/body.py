"""Request bodies: one size limit and one JSON parse for every POST route, and their OpenAPI examples."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from fastapi import Request

from app.errors import BodyTooLarge, InvalidJson, UnsupportedMediaType
from app.runtime import Services
from chain.jsonlimits import JsonTooDeep, check_depth
from chain.request import SIGNING_METHODS, Signature, Transaction, parse_request

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"


def openapi_examples(transactions_only: bool = False) -> dict[str, Any]:
    """One OpenAPI request example per file in ``examples/`` (signing requests left out on request)."""
    examples = {}
    for path in sorted(EXAMPLES_DIR.glob("*.json")):
        body = json.loads(path.read_text())
        if transactions_only and body.get("method") in SIGNING_METHODS:
            continue
        examples[path.stem] = {"summary": path.stem.replace("-", " "), "value": body}
    return examples


JSON_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json\s*(?:;.*)?$", re.IGNORECASE)


async def read_json(request: Request, services: Services) -> Any:
    """The parsed body. Requiring ``application/json`` means a web page cannot post here without a CORS preflight
    (a 'simple' cross-site form or text/plain POST is refused), which matters most on the keyless loopback bind.

    Raises:
        UnsupportedMediaType: not declared JSON.
        BodyTooLarge: past the limit.
        InvalidJson: not JSON, or nested too deep.
    """
    declared = request.headers.get("content-type", "")
    if not JSON_TYPE.match(declared):
        raise UnsupportedMediaType(f"the body must be sent as application/json, not {declared[:80] or 'untyped'}")
    body = await request.body()
    if len(body) > services.settings.max_request_bytes:
        raise BodyTooLarge(f"body is {len(body)} bytes; the limit is {services.settings.max_request_bytes}")
    try:
        check_depth(body)
    except JsonTooDeep as exc:
        raise InvalidJson([{"field": "(body)", "message": str(exc)}]) from None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise InvalidJson([{"field": "(body)", "message": "is not valid JSON"}]) from None


async def read_request(request: Request, services: Services) -> Transaction | Signature:
    """The body parsed into the request contract.

    Raises:
        RequestError: a field does not fit the contract (each named); and what :func:`read_json` raises.
    """
    raw = await read_json(request, services)
    return parse_request(raw, max_calldata_bytes=services.settings.max_calldata_bytes)
