"""Routes over chain/ alone: simulate a transaction, list the rules. Nothing here is audited."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from app.api.body import openapi_examples, read_request
from app.api.deps import PolicyDep, ServicesDep, get_caller
from app.api.openapi_docs import RULES_OK, SIMULATE_OK
from app.api.problems import problem_responses
from app.api.request_schema import request_body
from app.errors import NotATransaction
from chain import Signature
from chain.analyze import simulate_request
from chain.rules import catalogue

router = APIRouter(tags=["chain"], dependencies=[Depends(get_caller)])


@router.post("/v1/simulate", response_model=None,
             responses={**SIMULATE_OK, **problem_responses(
                 s422="Not a transaction request, or a field is invalid (named).")},
             openapi_extra=request_body("TransactionRequest", openapi_examples(transactions_only=True)))
async def simulate_endpoint(request: Request, services: ServicesDep) -> JSONResponse:
    """Decode and simulate a transaction (bare, `eth_sendTransaction`, `eth_signTransaction` or a
    `wallet_sendCalls` batch): `decoded`, `simulation` (`status`: `success`, `reverted` or `unavailable`)
    and `approvals`. No rules, no model, nothing stored: use `/v1/explain` for a verdict."""
    parsed = await read_request(request, services)
    if isinstance(parsed, Signature):
        raise NotATransaction([{"field": "method", "message": "signing requests execute nothing; use /v1/decode or "
                                "/v1/explain"}])
    answer = await run_in_threadpool(simulate_request, parsed, services.backend, services.policy)
    return JSONResponse(answer.model_dump(mode="json"))


@router.get("/v1/rules", responses=RULES_OK)
def rules_endpoint(policy: PolicyDep) -> dict:
    """Every rule with its severity and description under the active policy, and the policy's version
    and sha256 (the same as in every result)."""
    return catalogue(policy)
