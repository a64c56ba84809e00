"""Simulation behind one interface: pyrevm in-process (devnet or fork), or any JSON-RPC node."""

from chain.simulate.backend import SimulationBackend
from chain.simulate.devnet import DEVNET_CHAIN_ID, devnet_description
from chain.simulate.model import AssetChange, SimulationResult, SimulationStatus
from chain.simulate.revm import ForkError, RevmBackend, RevmSession
from chain.simulate.rpc import RpcBackend, RpcSession

__all__ = [
    "DEVNET_CHAIN_ID",
    "AssetChange",
    "ForkError",
    "RevmBackend",
    "RevmSession",
    "RpcBackend",
    "RpcSession",
    "SimulationBackend",
    "SimulationResult",
    "SimulationStatus",
    "devnet_description",
]
