"""The explain pipeline, wired: app → chain → inference → audit. No logic of its own beyond order."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker
from ulid import ULID

from app.settings import Settings
from audit import Ledger, RecordBody, Signer, cached_narrative, make_engine, session_factory, upgrade
from chain import Analysis, analyze, parse_request
from chain.rules import Policy, check_policy_covers_rules, load_policy
from chain.simulate import RevmBackend, RpcBackend, SimulationBackend
from chain.trace import Trace
from inference import Engine, EngineError, ModelIdentity, Sampling, explain
from inference.admission import AdmissionGate
from inference.cache import NarrativeCache
from inference.engine import Generation
from inference.explain import Explanation, ModelCall, NarrativeSource
from inference.metrics import EXPLAIN
from inference.summary import summarize


class UnavailableEngine:
    """Stands in when the configured model cannot load: every call fails with the load error."""

    def __init__(self, identity: ModelIdentity, reason: str):
        self.identity = identity
        self.reason = reason

    async def generate(self, messages: list[dict[str, str]], schema: dict[str, Any],
                       sampling: Sampling) -> Generation:
        raise EngineError(f"model unavailable: {self.reason}")


@dataclass
class Services:
    """Everything one explain needs, built once per process."""

    settings: Settings
    policy: Policy
    backend: SimulationBackend
    engine: Engine | None
    sessions: sessionmaker[Session]
    ledger: Ledger
    sampling: Sampling
    narratives: NarrativeCache | None = None
    gate: AdmissionGate | None = None  # the bounded queue in front of the model


def build_engine(settings: Settings) -> Engine | None:
    """The configured narrative engine; an UnavailableEngine if it cannot start."""
    if settings.engine == "none":
        return None
    if settings.engine == "openai_compatible":
        import anyio

        from inference.openai_engine import OpenAICompatibleEngine

        remote = OpenAICompatibleEngine(
            settings.openai_base_url or "", settings.openai_model,
            settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
            timeout_s=settings.openai_timeout_s, retries=settings.openai_retries,
            weights_sha256=settings.openai_weights_sha256)
        try:
            anyio.run(remote.connect)
        except EngineError as exc:  # the server may come up later: generate() connects again
            return UnavailableEngine(remote.identity, str(exc)) if settings.openai_model is None else remote
        return remote
    from inference import ModelFileError, default_model_path

    try:
        from inference.llama_engine import LlamaCppEngine

        path = settings.model_path or default_model_path()
        return LlamaCppEngine(path, n_ctx=settings.model_ctx, n_threads=settings.model_threads,
                              prefix_states=settings.prefix_states)
    except (ImportError, ModelFileError, EngineError, ValueError, OSError) as exc:
        return UnavailableEngine(ModelIdentity(engine="llama_cpp"), f"{type(exc).__name__}: {exc}")


def build_backend(settings: Settings) -> SimulationBackend:
    """The configured simulator: pyrevm (devnet or fork of the RPC node) or the node itself.

    Raises:
        ForkError: the node to fork cannot be reached.
    """
    if settings.simulation_backend == "rpc":
        return RpcBackend(settings.rpc_url or "", block=settings.rpc_block, timeout_s=settings.rpc_timeout_s,
                          retries=settings.rpc_retries, default_gas=settings.simulation_gas)
    return RevmBackend(default_gas=settings.simulation_gas, fork_url=settings.rpc_url, fork_block=settings.rpc_block)


def build_pin_client(settings: Settings):  # type: ignore[no-untyped-def]
    """The configured IPFS client, or None when pinning is off."""
    from audit.pinning import KuboClient, PinningServiceClient

    if settings.ipfs_api:
        return KuboClient(settings.ipfs_api)
    if settings.pinning_service and settings.pinning_token:
        return PinningServiceClient(settings.pinning_service, settings.pinning_token.get_secret_value())
    return None


def build_services(settings: Settings, *, engine: Engine | str | None = "configured") -> Services:
    """Load the policy, start the simulator and the model, open (and migrate) the audit store.

    Raises:
        PolicyError: the policy file is unusable.
    """
    policy = load_policy(settings.policy_file)
    check_policy_covers_rules(policy)
    db = make_engine(settings.database_url, settings.database_timeout_s)
    if settings.auto_upgrade:
        upgrade(db)
    sessions = session_factory(db)
    signer = Signer.load_or_create(settings.signing_key_path)
    narratives = None
    if settings.narrative_cache_size:
        narratives = NarrativeCache(settings.narrative_cache_size, lambda key: cached_narrative(sessions, key))
    return Services(
        settings=settings,
        policy=policy,
        backend=build_backend(settings),
        engine=build_engine(settings) if engine == "configured" else engine,  # type: ignore[arg-type]
        sessions=sessions,
        ledger=Ledger(sessions, signer, pinning=settings.pinning_enabled),
        sampling=Sampling(temperature=settings.model_temperature, seed=settings.model_seed,
                          max_tokens=settings.model_max_tokens),
        narratives=narratives,
        gate=AdmissionGate(settings.model_concurrency, settings.model_queue_depth),
    )


def result_contract(analysis: Analysis, policy: Policy, record_id: str, explanation: Explanation,
                    identity: ModelIdentity) -> dict[str, Any]:
    """The result contract in its field order, without the ``audit`` block (added once it is written)."""
    facts = analysis.facts

    def dump(model: Any) -> Any:
        return model.model_dump(mode="json") if model is not None else None

    return {
        "id": record_id,
        "kind": facts.kind,
        "chain_id": facts.chain_id,
        "verdict": analysis.verdict,
        "findings": [f.model_dump(mode="json") for f in analysis.findings],
        "decoded": dump(facts.decoded),
        "approvals": [a.model_dump(mode="json") for a in facts.approvals],
        "simulation": dump(facts.simulation),
        "skipped_checks": [c.model_dump(mode="json") for c in facts.skipped],
        "typed_data": dump(facts.typed_data),
        "message": dump(facts.message),
        "explanation": explanation.model_dump(mode="json"),
        "model": identity.model_dump(mode="json"),
        "policy": policy.identity,
    }


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
    tx = parse_request(raw, max_calldata_bytes=services.settings.max_calldata_bytes)
    return await anyio.to_thread.run_sync(analyze, tx, services.backend, services.policy, trace)


async def narrate(analysis: Analysis, services: Services,
                  trace: Trace) -> tuple[Explanation, ModelIdentity, ModelCall]:
    """The explanation (summary always, narrative when accepted or cached)."""
    return await explain(analysis, services.engine, services.policy, services.sampling, trace, services.narratives,
                         services.gate, services.settings.narrative_mode)


async def record(raw: Any, analysis: Analysis, narration: tuple[Explanation, ModelIdentity, ModelCall],
                 services: Services, trace: Trace, record_id: str, tenant: str = "default") -> dict[str, Any]:
    """Write the audit record, then return the full result contract.

    Raises:
        AuditWriteError: the record could not be written (no explanation is returned).
    """
    explanation, identity, call = narration
    result = result_contract(analysis, services.policy, record_id, explanation, identity)
    body = RecordBody(
        id=record_id, created_at=datetime.now(UTC), kind=analysis.facts.kind, chain_id=analysis.facts.chain_id,
        verdict=analysis.verdict, request=raw, result=result,
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


async def record_narrative(parent: dict[str, Any], analysis: Analysis,
                           narration: tuple[Explanation, ModelIdentity, ModelCall], services: Services,
                           trace: Trace, tenant: str = "default") -> dict[str, Any]:
    """Audit a narrative streamed after its deterministic result, as a record of kind ``narrative``
    pointing at the parent record. Returns what the stream sends.

    Raises:
        AuditWriteError: the record could not be written (the narrative is not sent).
    """
    explanation, identity, call = narration
    record_id = str(ULID())
    result = {"id": record_id, "parent": parent["id"], "verdict": analysis.verdict,
              "explanation": explanation.model_dump(mode="json"), "model": identity.model_dump(mode="json")}
    body = RecordBody(
        id=record_id, created_at=datetime.now(UTC), kind="narrative", chain_id=analysis.facts.chain_id,
        verdict=analysis.verdict, request={"parent": parent["id"], "parent_leaf_hash": parent["audit"]["leaf_hash"]},
        result=result, model={**identity.model_dump(mode="json"), **call.gen_ai(identity)},
        sampling=call.sampling.model_dump(mode="json") if call.sampling else None,
        prompt=call.prompt, raw_output=call.raw_output,
        validator=_validator_outcome(call, explanation),
        tool_calls=[c.model_dump(mode="json") for c in trace.calls], policy=services.policy.identity, tenant=tenant,
        narrative_key=call.narrative_key if explanation.narrative is not None else None,
    )
    appended = await anyio.to_thread.run_sync(services.ledger.append, body)
    return {**result, "audit": {"id": appended.id, "leaf_hash": appended.leaf_hash, "seq": appended.seq,
                                "cid": appended.cid, "chain_hash": appended.chain_hash}}


PENDING = "pending: the narrative follows in its own audit record"


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
    narration = await narrate(analysis, services, narration_trace)
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
    narration = await narrate(analysis, services, trace)
    result = await record(raw, analysis, narration, services, trace, str(ULID()), tenant)
    EXPLAIN.observe(time.perf_counter() - start)
    return result
