"""`POST /v1/feedback`: what the wallet user did about an explained request, appended to the ledger as a record
of kind ``feedback`` linked to it (the caller's tenant; a record the caller may not see is as absent as a missing
one)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import CallerDep, ServicesDep, get_caller
from app.api.openapi_docs import ok_response
from app.api.problems import problem_responses
from app.errors import InvalidInput, NotFound
from audit import queries
from audit.feedback import feedback_record
from audit.kinds import EXPLAINED_KINDS

router = APIRouter(tags=["audit"], dependencies=[Depends(get_caller)])


class FeedbackRequest(BaseModel):
    """A decision about one explained request."""

    model_config = ConfigDict(extra="forbid")

    record_id: Annotated[str, Field(min_length=26, max_length=26, pattern="^[0-9A-HJKMNP-TV-Z]{26}$",
                                    description="The explained request's audit record id (its ULID).")]
    decision: Literal["proceeded", "rejected", "reported_malicious", "false_positive"]
    comment: str | None = Field(None, max_length=2000)


class FeedbackAnswer(BaseModel):
    """``POST /v1/feedback``: the feedback record's id, the record it is about, and where it sits in the ledger."""

    id: str
    record_id: str
    decision: str
    audit: dict[str, Any]


FEEDBACK_OK = ok_response(FeedbackAnswer, {
    "id": "01JD6Z9A0B1C2D3E4F5G6H7J8K", "record_id": "01JD6Z8Q4W3X5Y7Z9A1B2C3D4E", "decision": "false_positive",
    "audit": {"id": "01JD6Z9A0B1C2D3E4F5G6H7J8K", "leaf_hash": "0x…", "seq": 43, "cid": None, "chain_hash": "0x…"}},
    "Recorded: a ledger record of kind `feedback`", status=201)


@router.post("/v1/feedback", status_code=201, response_model=None,
             responses={**FEEDBACK_OK, **problem_responses(s404="No record with this id that the caller may see.",
                                                           s422="A field is invalid (named in `errors`), or the "
                                                                "record is not an explained request.")})
async def post_feedback(body: FeedbackRequest, services: ServicesDep, caller: CallerDep) -> JSONResponse:
    """Record the user's decision (`proceeded`, `rejected`, `reported_malicious`, `false_positive`) about an
    explained request: an audit record of kind `feedback` linked to it, carrying the rules that had fired, so
    `txexplain audit stats` can report how often each rule is overridden."""
    parent = await run_in_threadpool(queries.get_record, services.sessions, body.record_id)
    if parent is None or not (caller.sees_all_tenants or parent.tenant == caller.tenant):
        raise NotFound("record_id", f"no explained request has id {body.record_id!r}")
    if parent.kind not in EXPLAINED_KINDS:
        raise InvalidInput("record_id", f"record {body.record_id} is a {parent.kind} record: feedback is about an "
                           "explained request, the record that carries its verdict")
    record = feedback_record(parent, body.decision, body.comment, caller.tenant, services.policy.identity)
    appended = await run_in_threadpool(services.ledger.append, record)
    return JSONResponse(status_code=201, content={
        "id": appended.id, "record_id": parent.id, "decision": body.decision,
        "audit": {"id": appended.id, "leaf_hash": appended.leaf_hash, "seq": appended.seq, "cid": appended.cid,
                  "chain_hash": appended.chain_hash}})
