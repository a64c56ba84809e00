"""The composition root: the container of process-wide parts and the functions that build each from settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from app.settings import Settings
from audit import Ledger, Signer, cached_narrative, make_engine, session_factory, upgrade
from chain.decode import clear_signing
from chain.intel import operator as operator_feeds
from chain.rules import Policy, check_policy_rules, load_policy
from chain.simulate import ChainBackends, ForkError, RevmBackend, RpcBackend, SimulationBackend, UnservedChain
from inference import Engine, EngineError, ModelIdentity, Sampling
from inference.admission import AdmissionGate
from inference.cache import NarrativeCache
from inference.engine import Generation

APPEND_WAITS = 4
"""How many database timeouts a request waits for its audit record's batch before it is answered 503."""


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
    """The configured simulator: pyrevm (devnet or fork of the RPC node) or the node itself; with
    TXEXPLAIN_RPC_URLS, one per chain beside it (a node that cannot be forked at start serves its chain as
    unavailable, saying why, instead of stopping the service).

    Raises:
        ForkError: the single node to fork (TXEXPLAIN_RPC_URL) cannot be reached.
    """
    if settings.simulation_backend == "rpc" and settings.rpc_url:
        default: SimulationBackend = _node(settings, settings.rpc_url)
    else:
        default = RevmBackend(default_gas=settings.simulation_gas, fork_url=settings.rpc_url,
                              fork_block=settings.rpc_block)
    if not settings.rpc_urls:
        return default
    per_chain: dict[int, SimulationBackend] = {}
    for chain_id, url in sorted(settings.rpc_urls.items()):
        try:
            per_chain[chain_id] = _node(settings, url)
        except ForkError as exc:
            per_chain[chain_id] = UnservedChain(chain_id, f"the node for chain {chain_id} could not be forked at "
                                                          f"start: {exc}")
    return ChainBackends(per_chain, default)


def _node(settings: Settings, url: str) -> SimulationBackend:
    """The simulator of one node, of the configured kind."""
    if settings.simulation_backend == "rpc":
        return RpcBackend(url, block=settings.rpc_block, timeout_s=settings.rpc_timeout_s,
                          retries=settings.rpc_retries, default_gas=settings.simulation_gas)
    return RevmBackend(default_gas=settings.simulation_gas, fork_url=url, fork_block=settings.rpc_block)


def build_pin_client(settings: Settings):  # type: ignore[no-untyped-def]
    """The configured IPFS client, or None when pinning is off."""
    from audit.pinning import KuboClient, PinningServiceClient

    if settings.ipfs_api:
        return KuboClient(settings.ipfs_api)
    if settings.pinning_service and settings.pinning_token:
        return PinningServiceClient(settings.pinning_service, settings.pinning_token.get_secret_value())
    return None


def build_ledger(settings: Settings, sessions: sessionmaker[Session]) -> Ledger:
    """The ledger on ``sessions``, signing with the configured key."""
    # a batch makes up to three attempts, each bounded by the database timeout: a request waits for no more
    return Ledger(sessions, Signer.load_or_create(settings.signing_key_path), pinning=settings.pinning_enabled,
                  append_timeout_s=APPEND_WAITS * settings.database_timeout_s,
                  trusted_keys=frozenset(settings.trusted_signing_keys))


def build_services(settings: Settings, *, engine: Engine | str | None = "configured") -> Services:
    """Load the policy, start the simulator and the model, open (and migrate) the audit store.

    Raises:
        PolicyError: the policy file is unusable.
    """
    policy = load_policy(settings.policy_file)
    clear_signing.configure(settings.eip712_descriptors)
    operator_feeds.configure(settings.intel_dir)
    check_policy_rules(policy)
    db = make_engine(settings.database_url, settings.database_timeout_s)
    if settings.auto_upgrade:
        upgrade(db)
    sessions = session_factory(db)
    narratives = None
    if settings.narrative_cache_size:
        narratives = NarrativeCache(settings.narrative_cache_size, lambda key: cached_narrative(sessions, key))
    return Services(
        settings=settings,
        policy=policy,
        backend=build_backend(settings),
        engine=build_engine(settings) if engine == "configured" else engine,  # type: ignore[arg-type]
        sessions=sessions,
        ledger=build_ledger(settings, sessions),
        sampling=Sampling(temperature=settings.model_temperature, seed=settings.model_seed,
                          max_tokens=settings.model_max_tokens),
        narratives=narratives,
        gate=AdmissionGate(settings.model_concurrency, settings.model_queue_depth),
    )
