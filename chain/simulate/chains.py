"""A simulator per chain: requests are routed by chain id to that chain's node (TXEXPLAIN_RPC_URLS), the embedded
devnet keeps its own chain id, and a chain with no simulator gets a state that answers for no chain — never the
devnet's, where every contract of the real chain would read as a plain account."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from chain.request import AccountOverride, Transaction
from chain.simulate.backend import SimulationBackend
from chain.simulate.model import SimulationResult, SimulationStatus

NO_CHAIN = 0  # the chain id of a state that serves no chain (requests' chain ids are ≥ 1)


class UnservedSession:
    """The state of a chain nobody simulates: no code, no storage, no calls, and it is no request's chain."""

    chain_id = NO_CHAIN

    def __init__(self, reason: str):
        self.reason = reason

    def code(self, address: str) -> bytes:
        return b""

    def storage(self, address: str, slot: int) -> int:
        return 0

    def call(self, to: str, data: bytes) -> bytes | None:
        return None

    def call_signature(self, to: str, signature: str) -> bytes | None:
        return None

    def simulate(self, tx: Transaction) -> SimulationResult:
        return SimulationResult(status=SimulationStatus.UNAVAILABLE, backend="none", error=self.reason)


class UnservedChain:
    """The simulator of a chain with no node: every simulation is unavailable and says which chain and why. Its
    ``chain_id`` is no chain's, so nothing reads its empty state as the request's."""

    name = "none"
    chain_id = NO_CHAIN

    def __init__(self, requested: int, reason: str):
        self.requested, self.reason = requested, reason
        self.addresses: dict[str, str] = {}

    @contextmanager
    def session(self, overrides: dict[str, AccountOverride]) -> Iterator[UnservedSession]:
        yield UnservedSession(self.reason)


class ChainBackends:
    """Simulators by chain id; :meth:`for_chain` picks the request's. As a backend itself it is the devnet's."""

    def __init__(self, backends: Mapping[int, SimulationBackend], default: SimulationBackend):
        self.backends, self.default = dict(backends), default
        self.name = default.name
        self.addresses = default.addresses

    def for_chain(self, chain_id: int) -> SimulationBackend:
        if chain_id in self.backends:
            return self.backends[chain_id]
        if getattr(self.default, "chain_id", None) == chain_id:
            return self.default
        served = ", ".join(str(c) for c in sorted(self.backends)) or "none"
        return UnservedChain(chain_id, f"no node is configured for chain {chain_id} (TXEXPLAIN_RPC_URLS serves "
                                       f"chains {served}; the embedded devnet is chain "
                                       f"{getattr(self.default, 'chain_id', None)})")

    def session(self, overrides: dict[str, AccountOverride]):  # type: ignore[no-untyped-def]
        return self.default.session(overrides)


def backend_for(backend: SimulationBackend, chain_id: int) -> SimulationBackend:
    """The simulator for ``chain_id``: a :class:`ChainBackends` routes, any other backend serves every request."""
    return backend.for_chain(chain_id) if isinstance(backend, ChainBackends) else backend
