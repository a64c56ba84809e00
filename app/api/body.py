"""Request bodies: one size limit and one JSON parse for every POST route, and their OpenAPI examples."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from app.api.problems import problem
from app.runtime import Services
from chain.jsonlimits import JsonTooDeep, check_depth
from chain.request import SIGNING_METHODS, RequestError, Signature, Transaction, parse_request

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
    """The parsed body, or the problem response (415 not declared JSON, 413 too large, 422 not JSON) to send
    instead. Requiring ``application/json`` means a web page cannot post here without a CORS preflight (a
    'simple' cross-site form or text/plain POST is refused), which matters most on the keyless loopback bind."""
    declared = request.headers.get("content-type", "")
    if not JSON_TYPE.match(declared):
        return problem(415, "unsupported-media-type", "Unsupported media type",
                       f"the body must be sent as application/json, not {declared[:80] or 'untyped'}",
                       errors=[{"field": "Content-Type", "message": "must be application/json"}])
    body = await request.body()
    if len(body) > services.settings.max_request_bytes:
        return problem(413, "too-large", "Request too large",
                       f"body is {len(body)} bytes; the limit is {services.settings.max_request_bytes}")
    try:
        check_depth(body)
    except JsonTooDeep as exc:
        return problem(422, "invalid-json", "Invalid JSON", f"body {exc}", errors=[{"field": "(body)",
                                                                                    "message": str(exc)}])
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        return problem(422, "invalid-json", "Invalid JSON", f"body is not valid JSON: {exc}",
                       errors=[{"field": "(body)", "message": "is not valid JSON"}])


async def read_request(request: Request, services: Services) -> Transaction | Signature | JSONResponse:
    """The body parsed into the request contract, or the problem response (413, 422 naming fields)."""
    raw = await read_json(request, services)
    if isinstance(raw, JSONResponse):
        return raw
    try:
        return parse_request(raw, max_calldata_bytes=services.settings.max_calldata_bytes)
    except RequestError as exc:
        return problem(422, "invalid-request", "Invalid request", str(exc), errors=exc.errors)
