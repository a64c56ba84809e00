"""Operations: liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.api.deps import CallerDep, ServicesDep
from app.api.openapi_docs import HEALTH_OK, METRICS_OK, READY_OK
from app.api.readiness import readiness
from app.api.schemas import Readiness

router = APIRouter(tags=["ops"])


@router.get("/healthz", responses=HEALTH_OK)
async def healthz() -> dict[str, str]:
    """Liveness: the process answers. On the event loop, never a worker thread: a stalled store filling the
    thread pool cannot make a live process look dead."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, responses={**READY_OK, 503: {
    "description": "Not ready: the audit database does not answer, so nothing could be audited.",
    "model": Readiness,
    "content": {"application/json": {"example": {"status": "not_ready", "degraded": [], "checks": {}}}}}})
async def readyz(services: ServicesDep) -> JSONResponse:
    """Readiness, each part reported: `database` (required: no unaudited answer is ever given),
    `model` and `rpc` (without them results degrade: no narrative, or simulation unavailable)."""
    ready, report = await readiness(services)
    return JSONResponse(report, status_code=200 if ready else 503)


@router.get("/metrics", response_class=PlainTextResponse, responses=METRICS_OK)
def metrics(caller: CallerDep) -> PlainTextResponse:
    """Prometheus metrics: TTFT, explain latency, prefix-cache hit tokens, rejections by reason (a key is
    needed where keys are required)."""
    return PlainTextResponse(generate_latest().decode(), media_type=CONTENT_TYPE_LATEST)
