"""Reading a request body: one size limit and one JSON parse for every POST route."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from app.problems import problem
from app.service import Services


async def read_json(request: Request, services: Services) -> Any:
    """The parsed body, or the problem response (413 too large, 422 not JSON) to send instead."""
    body = await request.body()
    if len(body) > services.settings.max_request_bytes:
        return problem(413, "too-large", "Request too large",
                       f"body is {len(body)} bytes; the limit is {services.settings.max_request_bytes}")
    try:
        return json.loads(body)
    except ValueError as exc:
        return problem(422, "invalid-json", "Invalid JSON", f"body is not valid JSON: {exc}",
                       errors=[{"field": "(body)", "message": "is not valid JSON"}])
