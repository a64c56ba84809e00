"""The one interface every simulator offers."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from chain.request import AccountOverride, Transaction
from chain.simulate.model import SimulationResult


class SimulationSession(Protocol):
    """Chain state for one request (overrides applied), and the simulation of the request in it."""

    chain_id: int

    def code(self, address: str) -> bytes: ...

    def call(self, to: str, data: bytes) -> bytes | None: ...

    def call_signature(self, to: str, signature: str) -> bytes | None: ...

    def simulate(self, tx: Transaction) -> SimulationResult:
        """Never raises: failures come back as status 'unavailable' with the reason."""
        ...


class SimulationBackend(Protocol):
    """revm or rpc; ``name`` goes into every result."""

    name: str
    addresses: dict[str, str]

    def session(self, overrides: dict[str, AccountOverride]) -> AbstractContextManager[SimulationSession]: ...
