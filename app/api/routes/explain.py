"""The audited surface: explain a request (at once or streamed), and decode one (not audited)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from app.api.body import openapi_examples, read_json, read_request
from app.api.deps import CallerDep, ServicesDep
from app.api.openapi_docs import DECODE_OK, EXPLAIN_OK
from app.api.problems import problem_responses
from app.api.request_schema import request_body
from app.contract import DecodeResult, ExplainResult
from app.errors import failure_of, problem_members
from app.pipeline import analyze_request, explain_request, stream_parts
from chain.analyze import decode_request
from chain.trace import Trace
from inference.admission import ModelBusy

router = APIRouter(tags=["explain"])

_REQUEST_BODY = request_body("ExplainRequest", openapi_examples())


async def _sse(parts: AsyncIterator[tuple[str, dict[str, Any]]]) -> AsyncIterator[str]:
    """Server-sent events; an audit failure or a full model queue ends the stream with an error event."""
    try:
        async for event, data in parts:
            yield f"event: {event}\ndata: {json.dumps(data)}\n\n"
    except Exception as exc:
        failure = failure_of(exc)
        if failure is None:
            raise
        # a busy model refuses only the narrative: the audited result went out already
        detail = str(exc) if isinstance(exc, ModelBusy) else None
        body = problem_members(exc, failure, detail)
        if failure.retry_after is not None:
            body["retry_after"] = failure.retry_after(exc)
        yield f"event: error\ndata: {json.dumps(body)}\n\n"


@router.post("/v1/decode", response_model=DecodeResult,
             responses={**DECODE_OK, **problem_responses(s422="A field is invalid (named in `errors`).",
                                                         s413="The body is too large.")},
             openapi_extra=_REQUEST_BODY)
async def decode_endpoint(request: Request, services: ServicesDep, caller: CallerDep) -> JSONResponse:
    """Decode only (fast: no simulation, no model, not audited): the calldata with nested calls, or the
    signature payload with its digest and approvals.

    `decoded.source` says how sure the decode is: `abi` (the request's `abi` or a bundled ABI matched
    and the bytes re-encode exactly), `selectors` (only a text signature from the selector table
    matched; arguments are `arg0…`), `bytecode` (argument types inferred from the target's code),
    `guessed` (the layout was inferred from the calldata alone), `unknown` (nothing resolved it; `error`
    says why, `candidates` lists colliding signatures). `decoded.proxy` names the implementation a proxy
    target was decoded against."""
    parsed = await read_request(request, services)
    answer = await run_in_threadpool(decode_request, parsed, services.policy, services.backend)
    return JSONResponse(answer.model_dump(mode="json"))


@router.post(
    "/v1/explain", response_model=ExplainResult,
    responses={**EXPLAIN_OK, **problem_responses(
        s422="The request does not fit the contract; `errors` names each field.",
        s413="The body is larger than TXEXPLAIN_MAX_REQUEST_BYTES.",
        s503="The audit record could not be written, or the model's queue is full (`model-busy`, with "
             "Retry-After); nothing is returned.")},
    openapi_extra=_REQUEST_BODY)
async def explain_endpoint(request: Request, services: ServicesDep, caller: CallerDep,
                           stream: bool = False) -> JSONResponse | StreamingResponse:
    """Explain a bare transaction or an EIP-1193 `eth_sendTransaction` request.

    Quality fields: `decoded.source` is `abi` (a known ABI matched exactly), `selectors`, `bytecode`,
    `guessed` or `unknown`; `simulation.status` is `success`, `reverted` or `unavailable`;
    `explanation.narrative_source` is `model` (accepted by the validator), `cache` or `none`
    (see `explanation.rejected_reason`). The verdict comes from the rules alone.

    With `?stream=true` the answer is `text/event-stream`: an `event: result` with the deterministic
    result (verdict, findings, summary; already audited) at once, then an `event: narrative` with the
    validated narrative and its own audit record (`kind: narrative`, `parent` = the result's id).
    Text the validator rejects is never streamed. An `event: error` reports an audit failure.
    """
    raw = await read_json(request, services)
    if stream:
        trace = Trace()
        analysis = await analyze_request(raw, services, trace)
        return StreamingResponse(_sse(stream_parts(raw, services, analysis, trace, caller.tenant)),
                                 media_type="text/event-stream")
    return JSONResponse(await explain_request(raw, services, caller.tenant))
