"""The one table of failures: exception type → HTTP status, problem slug and title, Retry-After, CLI exit code.

The API's exception handlers, the stream's error events and the CLI's exit codes all read :data:`ERRORS`; a
failure is mapped here or nowhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.auth import AuthError, RateLimited
from audit import AUDIT_FAILURES, failure_text
from chain import RequestError
from chain.rules import PolicyError
from chain.simulate.artifacts import ArtifactMissing
from inference.admission import ModelBusy

EXIT_INVALID = 2
"""The CLI's exit code for input that does not fit the contract (the API's 4xx)."""
EXIT_FAILED = 3
"""The CLI's exit code for a part that failed (the API's 5xx): the audit store, the policy file."""

AUDIT_RETRY_AFTER_S = 5
"""Retry-After on 503 audit-unavailable: the store's outage is not ours to time; a few seconds is a fair poll."""


@dataclass(frozen=True)
class Failure:
    """How one kind of failure is answered."""

    status: int
    slug: str
    title: str
    exit_code: int
    detail: Callable[[Exception], str] = str
    retry_after: Callable[[Exception], float] | None = None
    errors: Callable[[Exception], list[dict[str, str]]] | None = None  # the fields the problem names
    headers: dict[str, str] = field(default_factory=dict)
    cli_line: Callable[[Exception], str] | None = None  # the CLI's one line on stderr; default: ``detail``

    def line(self, exc: Exception) -> str:
        """What the CLI prints after ``error:``."""
        return (self.cli_line or self.detail)(exc)


def _audit_detail(exc: Exception) -> str:
    return f"nothing was answered that could not be recorded: {failure_text(exc)}"[:400]


_AUDIT = Failure(503, "audit-unavailable", "Audit store unavailable", EXIT_FAILED, detail=_audit_detail,
                 retry_after=lambda exc: AUDIT_RETRY_AFTER_S, cli_line=failure_text)

ERRORS: dict[type[Exception], Failure] = {
    RequestError: Failure(422, "invalid-request", "Invalid request", EXIT_INVALID,
                          errors=lambda exc: exc.errors),  # type: ignore[attr-defined]
    AuthError: Failure(401, "unauthorized", "Unauthorized", EXIT_INVALID,
                       errors=lambda exc: [{"field": "Authorization", "message": str(exc)}],
                       headers={"WWW-Authenticate": 'Bearer realm="txexplain"'}),
    RateLimited: Failure(429, "rate-limited", "Too many requests", EXIT_FAILED,
                         retry_after=lambda exc: exc.retry_after),  # type: ignore[attr-defined]
    ModelBusy: Failure(503, "model-busy", "Model busy", EXIT_FAILED,
                       detail=lambda exc: f"{exc}; nothing was recorded. Results already explained are served from "
                                          "the narrative cache without waiting.",
                       retry_after=lambda exc: exc.retry_after),  # type: ignore[attr-defined]
    PolicyError: Failure(500, "policy-unusable", "Policy unusable", EXIT_FAILED),
    ArtifactMissing: Failure(500, "devnet-unavailable", "Devnet unavailable", EXIT_FAILED),
    **{failure: _AUDIT for failure in AUDIT_FAILURES},
}


def failure_of(exc: Exception) -> Failure | None:
    """The table's entry for ``exc`` (its nearest mapped base class), or None when it is not a mapped failure."""
    for kind in type(exc).__mro__:
        if kind in ERRORS:
            return ERRORS[kind]
    return None


def retry_after_header(seconds: float) -> str:
    """Retry-After as RFC 9110 delay-seconds: a whole number, rounded up, at least 1."""
    return str(max(1, math.ceil(seconds)))


def problem_members(exc: Exception, failure: Failure, detail: str | None = None) -> dict[str, Any]:
    """The RFC 9457 members for ``exc`` (``detail`` overrides the table's text)."""
    from app.api.problems import problem_body

    extra: dict[str, Any] = {"errors": failure.errors(exc)} if failure.errors else {}
    return problem_body(failure.status, failure.slug, failure.title, detail or failure.detail(exc), **extra)


def response_headers(exc: Exception, failure: Failure) -> dict[str, str]:
    """The headers a response for ``exc`` carries (Retry-After where the table gives one)."""
    headers = dict(failure.headers)
    if failure.retry_after is not None:
        headers["Retry-After"] = retry_after_header(failure.retry_after(exc))
    return headers
