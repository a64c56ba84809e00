"""RFC 9457 problem+json responses that name the offending field."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

PROBLEM_TYPE = "https://txexplain.dev/problems/"


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response; ``extra`` members (e.g. ``errors``) are added as-is."""
    body = {"type": PROBLEM_TYPE + slug, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


PROBLEM_EXAMPLE = {"type": PROBLEM_TYPE + "invalid-request", "title": "Invalid request", "status": 422,
                   "detail": "params[0].to: not a 20-byte hex address",
                   "errors": [{"field": "params[0].to", "message": "not a 20-byte hex address"}]}


def problem_responses(**described: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for problem+json answers, keyed ``s422="why"`` → 422."""
    from app.schemas import Problem

    return {int(code.removeprefix("s")): {"model": Problem, "description": why,
                                          "content": {"application/problem+json": {"example": PROBLEM_EXAMPLE}}}
            for code, why in described.items()}


def field_path(location: tuple[Any, ...] | list[Any]) -> str:
    """``("query", "limit")`` → ``limit``; ``("body", "params", 0, "to")`` → ``params[0].to``."""
    path = ""
    for part in location:
        if part in ("query", "path", "body", "header", "cookie") and not path:
            continue
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def validation_problem(errors: list[dict[str, Any]]) -> JSONResponse:
    """A 422 problem+json for FastAPI's parameter validation errors, one entry per field."""
    named = [{"field": field_path(e.get("loc", ())), "message": str(e.get("msg", "invalid"))} for e in errors]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in named) or "invalid request"
    return problem(422, "invalid-request", "Invalid request", detail, errors=named)
