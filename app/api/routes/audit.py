"""Audit endpoints: records with inclusion proofs, checkpoints, consistency proofs, filtered lists."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker

from app.api.deps import CallerDep, SessionsDep, get_caller
from app.api.openapi_docs import CHECKPOINT_OK, CONSISTENCY_OK, RECORD_OK, RECORDS_OK
from app.api.problems import problem_responses
from app.auth import Caller
from app.errors import InvalidInput, NotFound
from audit import queries
from audit.record import view as record_fields

MAX_SEQ = 2**63 - 1  # a BIGINT: larger numbers cannot name a record
router = APIRouter(prefix="/v1/audit", tags=["audit"], dependencies=[Depends(get_caller)])


def record_view(sessions: sessionmaker[Session], record_id: str, caller: Caller) -> dict[str, Any] | None:
    """A record with its hashes, pin status, latest checkpoint and inclusion proof, or None when the
    caller may not see it (another tenant's record is as absent as a missing one)."""
    record = queries.get_record(sessions, record_id)
    if record is None or not (caller.sees_all_tenants or record.tenant == caller.tenant):
        return None
    checkpoint = queries.latest_checkpoint(sessions)
    proof = queries.record_inclusion(sessions, record, checkpoint) if checkpoint else None
    return {
        "record": record_fields(record),
        "canonical": record.canonical,
        "seq": record.seq, "leaf_hash": record.leaf_hash, "chain_hash": record.chain_hash, "cid": record.cid,
        "pin_status": queries.pin_status(sessions, "record", record.id),
        "checkpoint": queries.checkpoint_json(checkpoint) if checkpoint else None,
        "inclusion_proof": proof,
        "feedback": [f for f in queries.feedback_for(sessions, record.id)
                     if caller.sees_all_tenants or f["tenant"] == caller.tenant],
    }


@router.get("/records", responses={**RECORDS_OK, **problem_responses(s422="A filter is invalid.")})
async def list_records(
    sessions: SessionsDep,
    caller: CallerDep,
    filters: Annotated[queries.RecordFilter, Query()],
    cursor: Annotated[int | None, Query(ge=1, le=MAX_SEQ)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Records newest first, filtered (each filter is indexed); pass `next_cursor` back as `cursor`.
    `feedback=true` keeps the records someone gave feedback on (`POST /v1/feedback`), `false` the others.
    A client key sees its own tenant's records; an auditor key sees every tenant's (or one, with `tenant`)."""
    if not caller.sees_all_tenants:
        filters = filters.model_copy(update={"tenant": caller.tenant})
    page, next_cursor = await run_in_threadpool(queries.search_records, sessions, filters, cursor=cursor,
                                                limit=limit)
    return {"records": [queries.record_summary(r) for r in page], "next_cursor": next_cursor}


@router.get("/records/{record_id}", response_model=None,
            responses={**RECORD_OK, **problem_responses(s404="No record with this id that the caller may see.")})
async def read_record(record_id: str, sessions: SessionsDep, caller: CallerDep) -> dict[str, Any] | JSONResponse:
    """One record with its leaf, chain hash, CID, pin status and an inclusion proof against the latest
    checkpoint (`inclusion_proof` is null only if the record is newer than every checkpoint)."""

    body = await run_in_threadpool(record_view, sessions, record_id, caller)
    if body is None:
        raise NotFound("record_id", f"no audit record has id {record_id!r}")
    return body


@router.get("/checkpoints/latest", response_model=None,
            responses={**CHECKPOINT_OK, **problem_responses(s404="The ledger is empty.")})
async def read_latest_checkpoint(sessions: SessionsDep) -> dict[str, Any] | JSONResponse:
    """The newest signed checkpoint: size, root, chain head, the signed bytes, key and signature."""
    checkpoint = await run_in_threadpool(queries.latest_checkpoint, sessions)
    if checkpoint is None:
        raise NotFound("checkpoint", "the ledger is empty", "No checkpoint yet")
    return queries.checkpoint_json(checkpoint)


@router.get("/consistency", response_model=None,
            responses={**CONSISTENCY_OK, **problem_responses(s422="Sizes out of range.")})
async def read_consistency(
    sessions: SessionsDep, first: Annotated[int, Query(ge=1, le=MAX_SEQ)],
    second: Annotated[int, Query(ge=1, le=MAX_SEQ)],
) -> dict[str, Any] | JSONResponse:
    """RFC 9162 consistency proof from the tree of `first` records to the tree of `second`; each root
    comes with its signed checkpoint when one exists at that size."""
    if first > second:
        raise InvalidInput("first", "must not exceed second")

    def load() -> dict[str, Any]:
        proof, first_root, second_root = queries.served_consistency(sessions, first, second)
        answer: dict[str, Any] = {"first": first, "second": second, "proof": proof,
                                  "first_root": first_root, "second_root": second_root}
        for name, size in (("first", first), ("second", second)):
            checkpoint = queries.checkpoint_at(sessions, size)
            answer[f"{name}_checkpoint"] = queries.checkpoint_json(checkpoint) if checkpoint else None
        return answer

    try:
        return await run_in_threadpool(load)
    except ValueError as exc:
        raise InvalidInput("second", str(exc)) from None
