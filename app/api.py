"""HTTP routes: validate, call one service function, map errors to problem+json."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException

from app.audit_routes import router as audit_router
from app.auth import FAILED_KEYS_PER_MINUTE, AuthError, RateLimiter, retry_after_header
from app.body import openapi_examples, read_json, read_request
from app.chain_routes import router as chain_router
from app.deps import CallerDep, RateLimited, ServicesDep
from app.explorer import router as explorer_router
from app.explorer import static_files
from app.openapi_docs import DECODE_OK, EXPLAIN_OK, HEALTH_OK, METRICS_OK, READY_OK, install_openapi
from app.problems import problem, problem_body, problem_responses, validation_problem
from app.readiness import readiness
from app.service import (
    Services,
    analyze_request,
    build_pin_client,
    build_services,
    explain_request,
    stream_parts,
)
from app.settings import Settings, loopback_host
from audit import AUDIT_FAILURES, failure_text
from audit.pinning import PinWorker
from chain import RequestError, decode_request
from chain.trace import Trace
from inference.admission import ModelBusy

log = logging.getLogger("txexplain")

AUDIT_RETRY_AFTER_S = 5
"""Retry-After on 503 audit-unavailable: the store's outage is not ours to time; a few seconds is a fair poll."""


def audit_unavailable_body(exc: Exception) -> dict[str, Any]:
    """The problem for an :data:`AUDIT_FAILURES` exception (a response body, or an SSE error event)."""
    return problem_body(503, "audit-unavailable", "Audit store unavailable",
                        f"nothing was answered that could not be recorded: {failure_text(exc)}"[:400])


async def _sse(parts: AsyncIterator[tuple[str, dict[str, Any]]]) -> AsyncIterator[str]:
    """Server-sent events; an audit failure or a full model queue ends the stream with an error event."""
    try:
        async for event, data in parts:
            yield f"event: {event}\ndata: {json.dumps(data)}\n\n"
    except AUDIT_FAILURES as exc:
        body = {**audit_unavailable_body(exc), "retry_after": AUDIT_RETRY_AFTER_S}
        yield f"event: error\ndata: {json.dumps(body)}\n\n"
    except ModelBusy as exc:  # the audited result went out already; only the narrative is refused
        body = problem_body(503, "model-busy", "Model busy", str(exc), retry_after=exc.retry_after)
        yield f"event: error\ndata: {json.dumps(body)}\n\n"


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    """The FastAPI app; services are built at startup unless given (tests share one set)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = services or await run_in_threadpool(build_services, settings)
        running: Services = app.state.services
        if not running.settings.keys_required:
            log.warning("API keys are not required (TXEXPLAIN_API_KEYS=%s, bound to %s): every caller is the "
                        "local operator", running.settings.api_keys, running.settings.host)
        running.ledger.start()
        client = build_pin_client(running.settings)
        pinner = PinWorker(running.sessions, client, running.settings.pin_interval_s) if client else None
        if pinner:
            pinner.start()
        try:
            yield
        finally:
            if pinner:
                pinner.stop()
            running.ledger.close()

    app = FastAPI(
        title="txexplain",
        version="0.1.0",
        summary="What a transaction really does, before you sign it.",
        lifespan=lifespan,
    )
    # An explicit CORS policy: only the configured origins may call from a browser (none by default, so a
    # cross-origin preflight is refused and a page can neither read answers nor send JSON here).
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type"], allow_credentials=False)
    if settings.redis_url:  # replicas share one bucket per key
        from app.shared_limiter import SharedRateLimiter

        app.state.limiter = SharedRateLimiter(settings.redis_url, settings.rate_limit_per_minute)
    else:
        app.state.limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.failed_keys = RateLimiter(FAILED_KEYS_PER_MINUTE)

    @app.exception_handler(AuthError)
    async def _unauthorized(request: Request, exc: AuthError) -> JSONResponse:
        response = problem(401, "unauthorized", "Unauthorized", str(exc),
                           errors=[{"field": "Authorization", "message": str(exc)}])
        response.headers["WWW-Authenticate"] = 'Bearer realm="txexplain"'
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_problem(list(exc.errors()))

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        response = problem(exc.status_code, slug, str(exc.detail), f"{request.method} {request.url.path}: {exc.detail}")
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(ModelBusy)
    async def _model_busy(request: Request, exc: ModelBusy) -> JSONResponse:
        response = problem(503, "model-busy", "Model busy",
                           f"{exc}; nothing was recorded. Results already explained are served from the narrative "
                           "cache without waiting.")
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    async def _audit_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("audit store unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return JSONResponse(audit_unavailable_body(exc), status_code=503, media_type="application/problem+json",
                            headers={"Retry-After": str(AUDIT_RETRY_AFTER_S)})

    for failure in AUDIT_FAILURES:
        app.add_exception_handler(failure, _audit_unavailable)

    @app.exception_handler(RateLimited)
    async def _rate_limited(request: Request, exc: RateLimited) -> JSONResponse:
        response = problem(429, "rate-limited", "Too many requests", str(exc))
        response.headers["Retry-After"] = retry_after_header(exc.retry_after)
        return response

    @app.middleware("http")
    async def _guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """Keyless (loopback) servers answer only to loopback host names (421 otherwise: DNS rebinding); a NUL in
        the path or a query parameter is a 422 naming it (Postgres cannot compare text holding one); every response
        says nosniff, and audit answers are never cached."""
        if not settings.keys_required and not loopback_host(request.headers.get("host", ""), settings.allowed_hosts):
            return problem(421, "misdirected-request", "Misdirected request",
                           "this server runs without API keys and answers only to a loopback host name (a page on "
                           "another name reaching it is DNS rebinding)",
                           errors=[{"field": "Host", "message": "must be localhost or a loopback address"}])
        bad = next((name for name, value in request.query_params.multi_items() if "\x00" in value or "\x00" in name),
                   "(path)" if "\x00" in request.url.path else None)
        if bad is not None:
            return problem(422, "invalid-request", "Invalid request", f"{bad}: contains a NUL character",
                           errors=[{"field": bad, "message": "contains a NUL character"}])
        response = await call_next(request)
        response.headers["X-Content-Type-Options"] = "nosniff"  # every answer is what its type says
        path = request.url.path
        if path.startswith(("/v1/audit", "/audit")) and not path.startswith("/audit/static"):
            response.headers["Cache-Control"] = "no-store"  # ledger records are never left in a shared cache
        return response

    request_examples = openapi_examples()
    app.include_router(audit_router)
    app.include_router(chain_router)
    app.mount("/audit/static", static_files, name="audit-static")
    app.include_router(explorer_router)

    @app.get("/healthz", tags=["ops"], responses=HEALTH_OK)
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], response_model=None, responses={**READY_OK, 503: {
        "description": "Not ready: the audit database does not answer, so nothing could be audited.",
        "content": {"application/json": {"example": {"status": "not_ready", "degraded": [], "checks": {}}}}}})
    async def readyz(services: ServicesDep) -> JSONResponse:
        """Readiness, each part reported: `database` (required: no unaudited answer is ever given),
        `model` and `rpc` (without them results degrade: no narrative, or simulation unavailable)."""
        ready, report = await readiness(services)
        return JSONResponse(report, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["ops"], response_class=PlainTextResponse, responses=METRICS_OK)
    def metrics(caller: CallerDep) -> PlainTextResponse:
        """Prometheus metrics: TTFT, explain latency, prefix-cache hit tokens, rejections by reason (a key is
        needed where keys are required)."""
        return PlainTextResponse(generate_latest().decode(), media_type=CONTENT_TYPE_LATEST)

    @app.post("/v1/decode", tags=["explain"], response_model=None,
              responses={**DECODE_OK, **problem_responses(s422="A field is invalid (named in `errors`).",
                                                          s413="The body is too large.")},
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": {"type": "object"}, "examples": request_examples}}}})
    async def decode_endpoint(request: Request, services: ServicesDep, caller: CallerDep) -> JSONResponse:
        """Decode only (fast: no simulation, no model, not audited): the calldata with nested calls, or the
        signature payload with its digest and approvals.

        `decoded.source` says how sure the decode is: `abi` (the request's `abi` or a bundled ABI matched
        and the bytes re-encode exactly), `selectors` (only a text signature from the selector table
        matched; arguments are `arg0…`), `bytecode` (argument types inferred from the target's code),
        `unknown` (nothing resolved it; `error` says why, `candidates` lists colliding signatures).
        `decoded.proxy` names the implementation a proxy target was decoded against."""
        parsed = await read_request(request, services)
        if isinstance(parsed, JSONResponse):
            return parsed
        return JSONResponse(await run_in_threadpool(decode_request, parsed, services.policy, services.backend))

    @app.post(
        "/v1/explain",
        tags=["explain"],
        responses={**EXPLAIN_OK, **problem_responses(
            s422="The request does not fit the contract; `errors` names each field.",
            s413="The body is larger than TXEXPLAIN_MAX_REQUEST_BYTES.",
            s503="The audit record could not be written, or the model's queue is full (`model-busy`, with "
                 "Retry-After); nothing is returned.")},
        response_model=None,
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"type": "object"}, "examples": request_examples}}}},
    )
    async def explain_endpoint(request: Request, services: ServicesDep, caller: CallerDep,
                               stream: bool = False) -> JSONResponse | StreamingResponse:
        """Explain a bare transaction or an EIP-1193 `eth_sendTransaction` request.

        Quality fields: `decoded.source` is `abi` (a known ABI matched exactly), `selectors`, `bytecode`
        or `unknown`; `simulation.status` is `success`, `reverted` or `unavailable`;
        `explanation.narrative_source` is `model` (accepted by the validator), `cache` or `none`
        (see `explanation.rejected_reason`). The verdict comes from the rules alone.

        With `?stream=true` the answer is `text/event-stream`: an `event: result` with the deterministic
        result (verdict, findings, summary; already audited) at once, then an `event: narrative` with the
        validated narrative and its own audit record (`kind: narrative`, `parent` = the result's id).
        Text the validator rejects is never streamed. An `event: error` reports an audit failure.
        """
        raw = await read_json(request, services)
        if isinstance(raw, JSONResponse):
            return raw
        try:
            if stream:
                trace = Trace()
                analysis = await analyze_request(raw, services, trace)
                return StreamingResponse(_sse(stream_parts(raw, services, analysis, trace, caller.tenant)),
                                         media_type="text/event-stream")
            result = await explain_request(raw, services, caller.tenant)
        except RequestError as exc:
            return problem(422, "invalid-request", "Invalid request", str(exc), errors=exc.errors)
        return JSONResponse(result)

    install_openapi(app)
    return app
