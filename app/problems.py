"""RFC 9457 problem+json responses that name the offending field."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

PROBLEM_TYPE = "https://txexplain.dev/problems/"


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response; ``extra`` members (e.g. ``errors``) are added as-is."""
    body = {"type": PROBLEM_TYPE + slug, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")
