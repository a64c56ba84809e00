"""The explain pipeline, wired: analyze → narrate → append, streamed or not. No logic of its own beyond order."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
from ulid import ULID

from app.contract import NarrativeEvent, result_contract
from app.runtime import Services
from audit import RecordBody
from audit.kinds import RecordKind
from chain import Analysis
from chain.request import parse_request
from chain.trace import Trace
from inference import ModelIdentity, explain
from inference.cache import SHARED_SCOPE
from inference.explain import Explanation, ModelCall, NarrativeSource
from inference.metrics import EXPLAIN
from inference.summary import summarize

Narration = tuple[Explanation, ModelIdentity, ModelCall]

PENDING = "pending: the narrative follows in its own audit record"


def _validator_outcome(call: ModelCall, explanation: Explanation) -> dict[str, Any]:
    """What the audit record keeps of the guard's decision and the call's token accounting."""
    return {"accepted": call.accepted, "reason": call.reject_code, "attempts": call.attempts,
            "rejected_reason": explanation.rejected_reason, "narrative_source": explanation.narrative_source,
            "prompt_tokens": call.prompt_tokens, "cached_tokens": call.cached_tokens,
            "completion_tokens": call.completion_tokens, "ttft_ms": call.ttft_ms}


async def analyze_request(raw: Any, services: Services, trace: Trace) -> Analysis:
    """Validate and analyze (decode, simulate, rules) on a worker thread.

    Raises:
        RequestError: the request does not fit the contract.
    """
    from chain.analyze import analyze  # the analysis pulls in the simulator; only the pipeline needs it

    tx = parse_request(raw, max_calldata_bytes=services.settings.max_calldata_bytes)
    return await anyio.to_thread.run_sync(analyze, tx, services.backend, services.policy, trace)


def cache_scope(services: Services, tenant: str) -> str:
    """The narrative cache's partition for ``tenant``: its own, unless sharing across tenants is set."""
    return SHARED_SCOPE if services.settings.narrative_cache_shared else f"tenant:{tenant}"


async def narrate(analysis: Analysis, services: Services, trace: Trace, tenant: str = "default") -> Narration:
    """The explanation (summary always, narrative when accepted or cached in ``tenant``'s cache)."""
    return await explain(analysis, services.engine, services.policy, services.sampling, trace, services.narratives,
                         services.gate, services.settings.narrative_mode, cache_scope(services, tenant))


async def append(kind: RecordKind, request: Any, result: dict[str, Any], analysis: Analysis, narration: Narration,
                 services: Services, trace: Trace, tenant: str) -> dict[str, Any]:
    """Write one audit record of ``kind`` holding ``request`` and ``result``; returns ``result`` with its
    ``audit`` block. The one place a pipeline record is shaped.

    Raises:
        AuditWriteError: the record could not be written (nothing is returned to the caller).
    """
    explanation, identity, call = narration
    body = RecordBody(
        id=result["id"], created_at=datetime.now(UTC), kind=kind, chain_id=analysis.facts.chain_id,
        verdict=analysis.verdict, request=request, result=result,
        model={**identity.model_dump(mode="json"), **call.gen_ai(identity)},
        sampling=call.sampling.model_dump(mode="json") if call.sampling else None,
        prompt=call.prompt, raw_output=call.raw_output,
        validator=_validator_outcome(call, explanation),
        tool_calls=[c.model_dump(mode="json") for c in trace.calls],
        policy=services.policy.identity, tenant=tenant,
        narrative_key=call.narrative_key if explanation.narrative is not None else None,
    )
    appended = await anyio.to_thread.run_sync(services.ledger.append, body)
    return {**result, "audit": {"id": appended.id, "leaf_hash": appended.leaf_hash, "seq": appended.seq,
                                "cid": appended.cid, "chain_hash": appended.chain_hash}}


async def record(raw: Any, analysis: Analysis, narration: Narration, services: Services, trace: Trace,
                 record_id: str, tenant: str = "default") -> dict[str, Any]:
    """Write the audit record of an explained request, then return the full result contract.

    Raises:
        AuditWriteError: the record could not be written (no explanation is returned).
    """
    explanation, identity, _ = narration
    result = result_contract(analysis, services.policy, record_id, explanation, identity)
    return await append(RecordKind(analysis.facts.kind), raw, result, analysis, narration, services, trace, tenant)


async def record_narrative(parent: dict[str, Any], analysis: Analysis, narration: Narration, services: Services,
                           trace: Trace, tenant: str = "default") -> dict[str, Any]:
    """Audit a narrative streamed after its deterministic result, as a record of kind ``narrative``
    pointing at the parent record. Returns what the stream sends.

    Raises:
        AuditWriteError: the record could not be written (the narrative is not sent).
    """
    explanation, identity, _ = narration
    result = {"id": str(ULID()), "parent": parent["id"], "verdict": analysis.verdict,
              "explanation": explanation.model_dump(mode="json"), "model": identity.model_dump(mode="json")}
    request = {"parent": parent["id"], "parent_leaf_hash": parent["audit"]["leaf_hash"]}
    event = await append(RecordKind.NARRATIVE, request, result, analysis, narration, services, trace, tenant)
    return NarrativeEvent.model_validate(event).model_dump(mode="json")


async def stream_parts(raw: Any, services: Services, analysis: Analysis, trace: Trace,
                       tenant: str = "default") -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """For ``?stream=true``: the audited deterministic result at once, then the audited narrative.

    A narrative is sent only after the validator accepted it and its own record was written.
    """
    identity = services.engine.identity if services.engine else ModelIdentity(engine="none")
    pending = Explanation(summary=summarize(analysis), narrative=None, narrative_source=NarrativeSource.NONE,
                          rejected_reason=PENDING if services.engine else None)
    first = await record(raw, analysis, (pending, identity, ModelCall()), services, trace, str(ULID()), tenant)
    yield "result", first
    if services.engine is None:
        return
    narration_trace = Trace()
    narration = await narrate(analysis, services, narration_trace, tenant)
    yield "narrative", await record_narrative(first, analysis, narration, services, narration_trace, tenant)


async def explain_request(raw: Any, services: Services, tenant: str = "default") -> dict[str, Any]:
    """Validate, analyze, explain and audit one request; returns the result contract.

    Raises:
        RequestError: the request does not fit the contract (nothing is stored).
        AuditWriteError: the record could not be written (no explanation is returned).
    """
    start = time.perf_counter()
    trace = Trace()
    analysis = await analyze_request(raw, services, trace)
    narration = await narrate(analysis, services, trace, tenant)
    result = await record(raw, analysis, narration, services, trace, str(ULID()), tenant)
    EXPLAIN.observe(time.perf_counter() - start)
    return result
