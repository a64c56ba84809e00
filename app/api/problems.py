"""RFC 9457 problem+json responses that name the offending field."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from chain.request import RequestError, field_path

PROBLEM_TYPE = "https://txexplain.dev/problems/"


def problem_body(status: int, slug: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """The RFC 9457 members; ``extra`` members (e.g. ``errors``) are added as-is."""
    return {"type": PROBLEM_TYPE + slug, "title": title, "status": status, "detail": detail, **extra}


def failure_response(exc: Exception) -> JSONResponse:
    """The problem+json answer the error table gives ``exc`` (its status, members and headers).

    Raises:
        LookupError: ``exc`` is not a failure the table maps.
    """
    from app.errors import failure_of, problem_members, response_headers

    failure = failure_of(exc)
    if failure is None:
        raise LookupError(f"{type(exc).__name__} is not in the error table")
    return JSONResponse(problem_members(exc, failure), status_code=failure.status_for(exc),
                        media_type="application/problem+json", headers=response_headers(exc, failure))


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


def validation_error(errors: list[dict[str, Any]]) -> RequestError:
    """FastAPI's parameter validation errors as a :class:`RequestError` naming each field the way request-contract
    errors name theirs, without FastAPI's leading ``query``/``body``."""
    def named_field(loc: Any) -> str:
        loc = tuple(loc or ())
        return field_path(loc[1:] if loc and loc[0] in _LOCATIONS else loc)

    return RequestError([{"field": named_field(e.get("loc")), "message": str(e.get("msg", "invalid"))}
                         for e in errors] or [{"field": "(request)", "message": "invalid request"}])
