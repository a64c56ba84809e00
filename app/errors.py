"""The one table of failures: exception type → HTTP status, problem slug and title, Retry-After, CLI exit code.

The API's exception handlers, its middleware, the stream's error events and the CLI's exit codes all read
:data:`ERRORS`; a failure is mapped here or nowhere. Routes and commands raise the narrow exceptions below (or the
layers' own) and never build a problem or an exit code themselves.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.exceptions import HTTPException

from app.auth import AuthError, RateLimited
from audit import AUDIT_FAILURES, failure_text
from audit.db import LedgerMissing
from audit.repair import RepairError
from chain import RequestError
from chain.intel.operator import FeedError
from chain.rules import PolicyError
from chain.simulate.artifacts import ArtifactMissing
from inference.admission import ModelBusy

EXIT_FLAGGED = 1
"""The CLI's exit code for an answer the caller asked to be told about: a verdict at or above ``--fail-on``, a
ledger that does not verify, a replay that differs, a feed refresh that failed."""
EXIT_INVALID = 2
"""The CLI's exit code for input that does not fit the contract (the API's 4xx)."""
EXIT_FAILED = 3
"""The CLI's exit code for a part that failed (the API's 5xx): the audit store, the policy file."""

HTTP_SLUGS = {404: "not-found", 405: "method-not-allowed"}
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
    cli_line: Callable[[Exception], str] | None = None  # the CLI's line(s) on stderr; default: ``detail``
    title_of: Callable[[Exception], str] | None = None  # a title that depends on the failure; default: ``title``
    status_of: Callable[[Exception], int] | None = None  # a status that depends on the failure; default: ``status``
    slug_of: Callable[[Exception], str] | None = None  # a slug that depends on the failure; default: ``slug``
    headers_of: Callable[[Exception], dict[str, str]] | None = None  # headers the failure itself carries

    def status_for(self, exc: Exception) -> int:
        """The HTTP status ``exc`` is answered with."""
        return self.status_of(exc) if self.status_of else self.status

    def line(self, exc: Exception) -> str:
        """What the CLI prints after ``error:`` (one line per field at fault)."""
        return (self.cli_line or self.detail)(exc)


def _audit_detail(exc: Exception) -> str:
    return f"nothing was answered that could not be recorded: {failure_text(exc)}"[:400]


_AUDIT = Failure(503, "audit-unavailable", "Audit store unavailable", EXIT_FAILED, detail=_audit_detail,
                 retry_after=lambda exc: AUDIT_RETRY_AFTER_S, cli_line=failure_text)

class InvalidInput(RequestError):
    """Input that does not fit — a CLI argument or option, a query parameter — with the field it is in."""

    def __init__(self, field: str, message: str):
        super().__init__([{"field": field, "message": message}])


class InvalidJson(RequestError):
    """A body that is not JSON, or nested past the limit."""


class NotATransaction(RequestError):
    """A signing request where only a transaction makes sense (``/v1/simulate``)."""


class NotFound(LookupError):
    """Nothing the caller may see has this id (another tenant's record is as absent as a missing one)."""

    def __init__(self, field: str, detail: str, title: str = "No such record"):
        self.field, self.title = field, title
        super().__init__(detail)


class BodyTooLarge(ValueError):
    """A body past ``TXEXPLAIN_MAX_REQUEST_BYTES``."""


class UnsupportedMediaType(ValueError):
    """A POST body not declared as JSON."""


class Misdirected(ValueError):
    """A keyless server asked under a host name that is not loopback (DNS rebinding)."""


class SettingsRefused(ValueError):
    """Settings the server refuses to start with (a default secret on a public bind, keys off off loopback)."""


def _field_errors(exc: Exception) -> list[dict[str, str]]:
    return exc.errors  # type: ignore[attr-defined, no-any-return]


def _field_lines(exc: Exception) -> str:
    return "\n".join(f"{e['field']}: {e['message']}" for e in _field_errors(exc))


_INVALID = Failure(422, "invalid-request", "Invalid request", EXIT_INVALID, errors=_field_errors, cli_line=_field_lines)

ERRORS: dict[type[Exception], Failure] = {
    RequestError: _INVALID,
    InvalidJson: Failure(422, "invalid-json", "Invalid JSON", EXIT_INVALID, errors=_field_errors,
                         cli_line=_field_lines),
    NotATransaction: Failure(422, "not-a-transaction", "Not a transaction", EXIT_INVALID, errors=_field_errors,
                             cli_line=_field_lines),
    FeedError: Failure(422, "invalid-feed", "Invalid feed", EXIT_INVALID),
    NotFound: Failure(404, "not-found", "No such record", EXIT_INVALID,
                      title_of=lambda exc: exc.title,  # type: ignore[attr-defined]
                      errors=lambda exc: [{"field": exc.field, "message": "not found"}],  # type: ignore[attr-defined]
                      cli_line=lambda exc: f"{exc.field}: {exc}"),  # type: ignore[attr-defined]
    BodyTooLarge: Failure(413, "too-large", "Request too large", EXIT_INVALID),
    UnsupportedMediaType: Failure(415, "unsupported-media-type", "Unsupported media type", EXIT_INVALID, errors=lambda
                                  exc: [{"field": "Content-Type", "message": "must be application/json"}]),
    Misdirected: Failure(421, "misdirected-request", "Misdirected request", EXIT_INVALID,
                         errors=lambda exc: [{"field": "Host", "message": "must be localhost or a loopback address"}]),
    AuthError: Failure(401, "unauthorized", "Unauthorized", EXIT_INVALID,
                       errors=lambda exc: [{"field": "Authorization", "message": str(exc)}],
                       headers={"WWW-Authenticate": 'Bearer realm="txexplain"'}),
    RateLimited: Failure(429, "rate-limited", "Too many requests", EXIT_FAILED,
                         retry_after=lambda exc: exc.retry_after),  # type: ignore[attr-defined]
    ModelBusy: Failure(503, "model-busy", "Model busy", EXIT_FAILED,
                       detail=lambda exc: f"{exc}; nothing was recorded. Results already explained are served from "
                                          "the narrative cache without waiting.",
                       retry_after=lambda exc: exc.retry_after),  # type: ignore[attr-defined]
    SettingsRefused: Failure(500, "settings-refused", "Settings refused", EXIT_INVALID,
                             cli_line=lambda exc: f"refusing to start: {exc}"),
    PolicyError: Failure(500, "policy-unusable", "Policy unusable", EXIT_FAILED),
    ArtifactMissing: Failure(500, "devnet-unavailable", "Devnet unavailable", EXIT_FAILED),
    RepairError: Failure(500, "repair-failed", "Repair failed", EXIT_FAILED),
    LedgerMissing: Failure(500, "ledger-missing", "No ledger", EXIT_INVALID),
    # the framework's own: an unknown route (404) or method (405)
    HTTPException: Failure(404, "http-error", "HTTP error", EXIT_INVALID, detail=lambda exc: str(exc.detail),  # type: ignore[attr-defined]
                           status_of=lambda exc: exc.status_code,  # type: ignore[attr-defined]
                           slug_of=lambda exc: HTTP_SLUGS.get(exc.status_code, "http-error"),  # type: ignore[attr-defined]
                           title_of=lambda exc: str(exc.detail),  # type: ignore[attr-defined]
                           headers_of=lambda exc: dict(exc.headers or {})),  # type: ignore[attr-defined]
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
    title = failure.title_of(exc) if failure.title_of else failure.title
    slug = failure.slug_of(exc) if failure.slug_of else failure.slug
    return problem_body(failure.status_for(exc), slug, title, detail or failure.detail(exc), **extra)


def response_headers(exc: Exception, failure: Failure) -> dict[str, str]:
    """The headers a response for ``exc`` carries (Retry-After where the table gives one)."""
    headers = {**failure.headers, **(failure.headers_of(exc) if failure.headers_of else {})}
    if failure.retry_after is not None:
        headers["Retry-After"] = retry_after_header(failure.retry_after(exc))
    return headers
