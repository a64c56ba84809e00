"""The FastAPI app: middleware, the error table's handlers, and the routers. Routes live in ``app.api.routes``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response

from app.api.openapi_docs import install_openapi
from app.api.problems import failure_response, validation_error
from app.api.routes import audit, chain, explain, explorer, feedback, ops
from app.auth import FAILED_KEYS_PER_MINUTE, RateLimiter
from app.errors import ERRORS, InvalidInput, Misdirected
from app.intel_records import append_feed_record, record_bundled_feeds
from app.runtime import Services, build_pin_client, build_services
from app.settings import Settings, loopback_host
from audit import AuditWriteError
from audit.pinning import PinWorker
from chain.intel.refresh import FeedRefresher, Refreshed

log = logging.getLogger("txexplain")


def _record_refreshes(services: Services, done: list[Refreshed]) -> None:
    """An audit record for each feed a background refresh replaced (a failure is logged, the feed kept)."""
    for result in done:
        if result.outcome == "failed":
            log.warning("intel feed %s: refresh failed, keeping version %s: %s", result.feed, result.meta.version,
                        result.error)
        elif result.outcome == "updated":
            try:
                append_feed_record(services.ledger, result.meta, "updated", services.policy.identity)
            except AuditWriteError as exc:
                log.error("intel feed %s: updated to %s but its audit record failed: %s", result.feed,
                          result.meta.version, exc)


def _record_bundled(services: Services) -> None:
    """The bundled lists this server answers with, in the ledger (a failure is logged; requests still run)."""
    try:
        recorded = record_bundled_feeds(services.sessions, services.ledger, services.policy.identity)
    except AuditWriteError as exc:
        log.error("bundled intel feeds: their audit records failed: %s", exc)
        return
    if recorded:
        log.info("bundled intel feeds: %d new versions recorded", len(recorded))


def _lifespan(settings: Settings, services: Services | None):  # type: ignore[no-untyped-def]
    """Build the services (unless given), start the ledger's sequencer and the pin worker; stop them after."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        running: Services = services or await run_in_threadpool(build_services, settings)
        app.state.services = running
        if not running.settings.keys_required:
            log.warning("API keys are not required (TXEXPLAIN_API_KEYS=%s, bound to %s): every caller is the "
                        "local operator", running.settings.api_keys, running.settings.host)
        running.ledger.start()
        if running.settings.record_bundled_feeds:
            await run_in_threadpool(_record_bundled, running)
        client = build_pin_client(running.settings)
        pinner = PinWorker(running.sessions, client, running.settings.pin_interval_s) if client else None
        if pinner:
            pinner.start()
        refresher = FeedRefresher(running.settings.intel_refresh_s, on_refresh=lambda done: _record_refreshes(
            running, done))
        refresher.start()
        try:
            yield
        finally:
            refresher.stop()
            if pinner:
                pinner.stop()
            running.ledger.close()

    return lifespan


async def _mapped_failure(request: Request, exc: Exception) -> JSONResponse:
    """Any failure in :data:`app.errors.ERRORS`, answered as its problem+json."""
    response = failure_response(exc)
    if response.status_code >= 500:
        log.warning("%s on %s %s: %s", response.status_code, request.method, request.url.path, type(exc).__name__)
    return response


async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    return failure_response(validation_error(list(exc.errors())))


def _guard(settings: Settings) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """Keyless (loopback) servers answer only to loopback host names (421 otherwise: DNS rebinding); a NUL in
    the path or a query parameter is a 422 naming it (Postgres cannot compare text holding one); every response
    says nosniff, and audit answers are never cached."""

    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if not settings.keys_required and not loopback_host(request.headers.get("host", ""), settings.allowed_hosts):
            return failure_response(Misdirected("this server runs without API keys and answers only to a loopback "
                                                "host name (a page on another name reaching it is DNS rebinding)"))
        bad = next((name for name, value in request.query_params.multi_items() if "\x00" in value or "\x00" in name),
                   "(path)" if "\x00" in request.url.path else None)
        if bad is not None:
            return failure_response(InvalidInput(bad, "contains a NUL character"))
        response = await call_next(request)
        response.headers["X-Content-Type-Options"] = "nosniff"  # every answer is what its type says
        path = request.url.path
        if path.startswith(("/v1/audit", "/audit")) and not path.startswith("/audit/static"):
            response.headers["Cache-Control"] = "no-store"  # ledger records are never left in a shared cache
        return response

    return guard


def _limiter(app: FastAPI, settings: Settings) -> RateLimiter:
    """Replicas share one bucket per key: in Redis when configured, else in the audit database when it is
    Postgres (the store replicas share); a lone SQLite process limits in memory."""
    if settings.redis_url:
        from app.api.shared_limiter import SharedRateLimiter

        return SharedRateLimiter(settings.redis_url, settings.rate_limit_per_minute)
    if settings.database_url.startswith("postgresql"):
        from app.api.db_limiter import DatabaseRateLimiter

        return DatabaseRateLimiter(lambda: app.state.services.sessions, settings.rate_limit_per_minute)
    return RateLimiter(settings.rate_limit_per_minute)


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    """The FastAPI app; services are built at startup unless given (tests share one set)."""
    app = FastAPI(title="txexplain", version="0.1.0", summary="What a transaction really does, before you sign it.",
                  lifespan=_lifespan(settings, services))
    # An explicit CORS policy: only the configured origins may call from a browser (none by default, so a
    # cross-origin preflight is refused and a page can neither read answers nor send JSON here).
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type"], allow_credentials=False)
    app.middleware("http")(_guard(settings))
    app.state.limiter = _limiter(app, settings)
    app.state.failed_keys = RateLimiter(FAILED_KEYS_PER_MINUTE)
    for kind in ERRORS:
        app.add_exception_handler(kind, _mapped_failure)
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    for module in (explain, chain, audit, feedback, ops):
        app.include_router(module.router)
    app.mount("/audit/static", explorer.static_files, name="audit-static")
    app.include_router(explorer.router)
    install_openapi(app)
    return app
