"""The explain pipeline, wired: app → chain → inference → audit. No logic of its own beyond order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from ulid import ULID

from app.settings import Settings
from audit import Ledger, RecordBody, Signer, make_engine, session_factory, upgrade
from chain import analyze, parse_request
from chain.rules import Policy, check_policy_covers_rules, load_policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from inference import Engine, EngineError, ModelIdentity, Sampling, explain
from inference.engine import Generation


class UnavailableEngine:
    """Stands in when the configured model cannot load: every call fails with the load error."""

    def __init__(self, identity: ModelIdentity, reason: str):
        self.identity = identity
        self.reason = reason

    def generate(self, messages: list[dict[str, str]], schema: dict[str, Any], sampling: Sampling) -> Generation:
        raise EngineError(f"model unavailable: {self.reason}")


@dataclass
class Services:
    """Everything one explain needs, built once per process."""

    settings: Settings
    policy: Policy
    backend: RevmBackend
    engine: Engine | None
    sessions: sessionmaker[Session]
    ledger: Ledger
    sampling: Sampling


def build_engine(settings: Settings) -> Engine | None:
    """The configured narrative engine; an UnavailableEngine if its model cannot load."""
    if settings.engine == "none":
        return None
    from inference import ModelFileError, default_model_path

    try:
        from inference.llama_engine import LlamaCppEngine

        path = settings.model_path or default_model_path()
        return LlamaCppEngine(path, n_ctx=settings.model_ctx, n_threads=settings.model_threads)
    except (ImportError, ModelFileError, EngineError, ValueError, OSError) as exc:
        return UnavailableEngine(ModelIdentity(engine="llama_cpp"), f"{type(exc).__name__}: {exc}")


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
    db = make_engine(settings.database_url)
    if settings.auto_upgrade:
        upgrade(db)
    sessions = session_factory(db)
    signer = Signer.load_or_create(settings.signing_key_path)
    return Services(
        settings=settings,
        policy=policy,
        backend=RevmBackend(default_gas=settings.simulation_gas),
        engine=build_engine(settings) if engine == "configured" else engine,  # type: ignore[arg-type]
        sessions=sessions,
        ledger=Ledger(sessions, signer, pinning=settings.pinning_enabled),
        sampling=Sampling(temperature=settings.model_temperature, seed=settings.model_seed,
                          max_tokens=settings.model_max_tokens),
    )


def explain_request(raw: Any, services: Services, tenant: str = "default") -> dict[str, Any]:
    """Validate, analyze, explain and audit one request; returns the result contract.

    Raises:
        RequestError: the request does not fit the contract (nothing is stored).
        AuditWriteError: the record could not be written (no explanation is returned).
    """
    tx = parse_request(raw, max_calldata_bytes=services.settings.max_calldata_bytes)
    trace = Trace()
    analysis = analyze(tx, services.backend, services.policy, trace)
    explanation, identity, call = explain(analysis, services.engine, services.policy, services.sampling, trace)
    record_id = str(ULID())
    facts = analysis.facts
    result: dict[str, Any] = {
        "id": record_id,
        "kind": facts.kind,
        "chain_id": facts.chain_id,
        "verdict": analysis.verdict,
        "findings": [f.model_dump(mode="json") for f in analysis.findings],
        "decoded": facts.decoded.model_dump(mode="json") if facts.decoded else None,
        "approvals": [a.model_dump(mode="json") for a in facts.approvals],
        "simulation": facts.simulation.model_dump(mode="json"),
        "explanation": explanation.model_dump(mode="json"),
        "model": identity.model_dump(mode="json"),
        "policy": services.policy.identity,
    }
    appended = services.ledger.append(RecordBody(
        id=record_id,
        created_at=datetime.now(UTC),
        kind=facts.kind,
        chain_id=facts.chain_id,
        verdict=analysis.verdict,
        request=raw,
        result=result,
        model=identity.model_dump(mode="json"),
        sampling=call.sampling.model_dump(mode="json") if call.sampling else None,
        prompt=call.prompt,
        raw_output=call.raw_output,
        validator={"accepted": call.accepted, "reason": call.reject_code,
                   "rejected_reason": explanation.rejected_reason,
                   "prompt_tokens": call.prompt_tokens, "cached_tokens": call.cached_tokens,
                   "completion_tokens": call.completion_tokens},
        tool_calls=[c.model_dump(mode="json") for c in trace.calls],
        policy=services.policy.identity,
        tenant=tenant,
    ))
    return {**result, "audit": {"id": appended.id, "leaf_hash": appended.leaf_hash, "seq": appended.seq,
                                "cid": appended.cid, "chain_hash": appended.chain_hash}}
