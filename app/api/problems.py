"""RFC 9457 problem+json responses that name the offending field."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from chain.request import field_path

PROBLEM_TYPE = "https://txexplain.dev/problems/"


def problem_body(status: int, slug: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """The RFC 9457 members; ``extra`` members (e.g. ``errors``) are added as-is."""
    return {"type": PROBLEM_TYPE + slug, "title": title, "status": status, "detail": detail, **extra}


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response (see :func:`problem_body`)."""
    return JSONResponse(problem_body(status, slug, title, detail, **extra), status_code=status,
                        media_type="application/problem+json")


PROBLEM_EXAMPLE = {"type": PROBLEM_TYPE + "invalid-request", "title": "Invalid request", "status": 422,
                   "detail": "params[0].to: not a 20-byte hex address",
                   "errors": [{"field": "params[0].to", "message": "not a 20-byte hex address"}]}


def problem_responses(**described: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for problem+json answers, keyed ``s422="why"`` → 422."""
    from app.api.schemas import Problem

    return {int(code.removeprefix("s")): {"model": Problem, "description": why,
                                          "content": {"application/problem+json": {"example": PROBLEM_EXAMPLE}}}
            for code, why in described.items()}


_LOCATIONS = ("query", "path", "body", "header", "cookie")


def validation_problem(errors: list[dict[str, Any]]) -> JSONResponse:
    """A 422 problem+json for FastAPI's parameter validation errors, one entry per field; the field is
    named the way request-contract errors name theirs, without FastAPI's leading ``query``/``body``."""
    def named_field(loc: Any) -> str:
        loc = tuple(loc or ())
        return field_path(loc[1:] if loc and loc[0] in _LOCATIONS else loc)

    named = [{"field": named_field(e.get("loc")), "message": str(e.get("msg", "invalid"))} for e in errors]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in named) or "invalid request"
    return problem(422, "invalid-request", "Invalid request", detail, errors=named)
