"""The audit explorer at /audit: server-rendered pages (Jinja2) over the same queries as the audit API.

The record page carries the canonical JSON, the leaf hash, the inclusion proof and the signed checkpoint;
`static/verify.js` checks them in the browser with WebCrypto, trusting nothing the server computed.
Browsers cannot send a Bearer header, so where keys are required the page asks for one once and keeps it
in an HttpOnly, SameSite=Strict cookie.
"""

from __future__ import annotations

import hmac
import json
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from app.api.deps import ServicesDep, charge_caller
from app.api.routes.audit import MAX_SEQ, record_view
from app.auth import AuthError, Caller, authenticate
from audit import RecordFilter, record_summary, search_records
from audit.queries import FILTER_FIELDS
from audit.signing import key_id_of
from chain.rules.policy import VERDICTS

HERE = Path(__file__).parents[1]  # app/api: templates/ and static/
KEY_COOKIE = "txexplain_key"
CSRF_COOKIE = "txexplain_csrf"
PAGE_SIZE = 50
# Pages load only their own script and stylesheet; the record data travels as inert application/json.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["verdicts"] = VERDICTS
# The list's feedback filter: records someone gave feedback on, or none.
FEEDBACK_FILTER = {"given": True, "none": False}
templates.env.filters["pretty"] = lambda value: json.dumps(value, indent=2, ensure_ascii=False, default=str)
router = APIRouter(prefix="/audit", include_in_schema=False)
static_files = StaticFiles(directory=HERE / "static")


class FilterError(ValueError):
    """A filter value the list page cannot use; ``field`` names it."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


def _page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


async def _caller(request: Request, services: ServicesDep) -> Caller:
    """The caller from a Bearer header, or from the key cookie the login form set; rate-limited like the API."""
    header = request.headers.get("authorization")
    cookie = request.cookies.get(KEY_COOKIE)
    if not header and cookie:
        header = f"Bearer {cookie}"
    return await charge_caller(request, services, header)


def _login_page(request: Request, message: str | None, status_code: int = 401, target: str | None = None) -> Response:
    """The login form, with a fresh CSRF token in a hidden field and in a SameSite=Strict cookie (double
    submit): a cross-site page can neither read the token nor get the cookie sent with its POST."""
    token = secrets.token_urlsafe(24)
    response = _page(request, "login.html", {"message": message, "next": target or request.url.path,
                                             "csrf": token}, status_code)
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/audit",
                        secure=request.url.scheme == "https")
    return response


def _same_origin(request: Request) -> bool:
    """True unless the browser says the POST comes from another origin (Origin, else Referer)."""
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent:
        return True  # not a browser's cross-site form post (browsers send Origin on those)
    parsed = urlparse(sent)
    return f"{parsed.scheme}://{parsed.netloc}" == f"{request.url.scheme}://{request.url.netloc}"


def parse_filters(params: dict[str, str], tenant: str | None) -> RecordFilter:
    """The list filters from the form's fields (the API's query parameters); blank fields mean no filter, and a
    client's key always keeps its own tenant.

    Raises:
        FilterError: a filter that does not parse (named).
    """
    values: dict[str, Any] = dict(params)
    if "feedback" in values:
        values["feedback"] = FEEDBACK_FILTER.get(values["feedback"].strip(), values["feedback"])
    if tenant is not None:
        values["tenant"] = tenant
    try:
        return RecordFilter.model_validate(values)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        field = str(error["loc"][0]) if error["loc"] else "filter"
        hint = {"since": "must be an ISO 8601 time such as 2026-11-24T09:30", "until": "must be an ISO 8601 time "
                "such as 2026-11-24T09:30", "verdict": f"must be one of {', '.join(VERDICTS)}",
                "feedback": f"must be one of {', '.join(FEEDBACK_FILTER)}"}
        raise FilterError(field, hint.get(field, str(error["msg"]))) from None


@router.get("", response_class=HTMLResponse)
async def list_page(request: Request, services: ServicesDep) -> Response:
    """Records newest first, with filters (address, verdict, rule, model, time) and keyset paging."""
    try:
        caller = await _caller(request, services)
    except AuthError as exc:
        return _login_page(request, str(exc))
    params = {k: request.query_params.get(k, "") for k in FILTER_FIELDS if k != "tenant"}
    try:
        filters = parse_filters(params, None if caller.sees_all_tenants else caller.tenant)
        cursor = int(request.query_params["cursor"]) if request.query_params.get("cursor") else None
        if cursor is not None and not 1 <= cursor <= MAX_SEQ:
            raise ValueError(cursor)
    except FilterError as exc:
        return _page(request, "list.html", {"params": params, "records": [], "error": str(exc),
                                            "error_field": exc.field, "next_url": None}, 400)
    except ValueError:
        return _page(request, "list.html", {"params": params, "records": [], "error": "cursor: must be a number",
                                            "error_field": "cursor", "next_url": None}, 400)
    page, next_cursor = await run_in_threadpool(search_records, services.sessions, filters, cursor=cursor,
                                                limit=PAGE_SIZE)
    next_url = None
    if next_cursor is not None:
        next_url = "/audit?" + urlencode({**{k: v for k, v in params.items() if v}, "cursor": next_cursor})
    return _page(request, "list.html", {"params": params, "records": [record_summary(r) for r in page],
                                        "error": None, "error_field": None, "next_url": next_url})


@router.get("/records/{record_id}", response_class=HTMLResponse)
async def record_page(record_id: str, request: Request, services: ServicesDep) -> Response:
    """One record: verdict, findings, decoded call, simulation, summary beside narrative, model, prompt,
    hashes, and the data the in-browser inclusion-proof check needs."""
    try:
        caller = await _caller(request, services)
    except AuthError as exc:
        return _login_page(request, str(exc))
    view = await run_in_threadpool(record_view, services.sessions, record_id, caller)
    if view is None:
        return _page(request, "missing.html", {"record_id": record_id}, 404)
    record = view["record"]
    proof_data = {"canonical": view["canonical"], "leaf_hash": view["leaf_hash"], "seq": view["seq"],
                  "inclusion_proof": view["inclusion_proof"], "checkpoint": view["checkpoint"],
                  "columns": {k: v for k, v in record.items() if k != "seq"},  # created_at too: no backdating
                  "trusted_keys": sorted(services.ledger.trusted_keys)}  # from the key file, not the database
    trusted_ids = sorted(key_id_of(k) for k in services.ledger.trusted_keys)
    return _page(request, "record.html", {"view": view, "record": record, "result": record["result"] or {},
                                          "proof_data": proof_data, "trusted_ids": trusted_ids})


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    """Ask for an API key (only needed where keys are required)."""
    return _login_page(request, None, 200, "/audit")


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, services: ServicesDep) -> Response:
    """Check the key, then keep it in an HttpOnly cookie scoped to /audit."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    key = (form.get("key") or [""])[0].strip()
    target = (form.get("next") or ["/audit"])[0]
    if not target.startswith("/audit"):
        target = "/audit"  # never redirect off the explorer
    token, cookie = (form.get("csrf") or [""])[0], request.cookies.get(CSRF_COOKIE, "")
    if not _same_origin(request) or not token or not hmac.compare_digest(token, cookie):
        # login CSRF: a cross-site page must not log the victim into the attacker's tenant
        return _login_page(request, "csrf: the form expired or came from another site; try again", 403, target)
    failures = request.app.state.failed_keys  # the API's per-address budget of failed key checks
    address = f"addr:{request.client.host if request.client else 'unknown'}"
    if failures.peek(address):
        return _login_page(request, "key: too many failed attempts from this address; wait a minute", 429, target)
    try:
        await run_in_threadpool(authenticate, services.sessions, f"Bearer {key}" if key else None, True)
    except AuthError as exc:
        failures.take(address)
        return _login_page(request, f"key: {exc}", 401, target)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(KEY_COOKIE, key, httponly=True, samesite="strict", path="/audit",
                        secure=request.url.scheme == "https")
    return response
