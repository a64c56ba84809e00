"""The one interface every simulator offers."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from chain.request import AccountOverride, Transaction
from chain.simulate.model import SimulationResult
from chain.state import ChainState


class SimulationSession(ChainState, Protocol):
    """Chain state for one request (overrides applied), and the simulation of the request in it."""

    def simulate(self, tx: Transaction) -> SimulationResult:
        """Never raises: failures come back as status 'unavailable' with the reason."""
        ...


class SimulationBackend(Protocol):
    """revm or rpc; ``name`` goes into every result."""

    name: str
    addresses: dict[str, str]

    def session(self, overrides: dict[str, AccountOverride]) -> AbstractContextManager[SimulationSession]: ...
