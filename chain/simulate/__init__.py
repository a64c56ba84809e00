"""Simulation behind one interface: pyrevm in-process (devnet or fork), or any JSON-RPC node.

Names load on first use (PEP 562), so importing the result types (``chain.simulate.model``) never loads pyrevm.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chain.simulate.backend import SimulationBackend
    from chain.simulate.chains import ChainBackends, UnservedChain, backend_for
    from chain.simulate.devnet import DEVNET_CHAIN_ID, devnet_description
    from chain.simulate.model import AssetChange, SimulationResult, SimulationStatus
    from chain.simulate.revm import ForkError, RevmBackend, RevmSession
    from chain.simulate.rpc import RpcBackend, RpcSession

_HOMES = {
    "SimulationBackend": "backend", "ChainBackends": "chains", "UnservedChain": "chains", "backend_for": "chains",
    "DEVNET_CHAIN_ID": "devnet", "devnet_description": "devnet",
    "AssetChange": "model", "SimulationResult": "model", "SimulationStatus": "model",
    "ForkError": "revm", "RevmBackend": "revm", "RevmSession": "revm", "RpcBackend": "rpc", "RpcSession": "rpc",
}

__all__ = [
    "DEVNET_CHAIN_ID",
    "AssetChange",
    "ChainBackends",
    "ForkError",
    "RevmBackend",
    "RevmSession",
    "RpcBackend",
    "RpcSession",
    "SimulationBackend",
    "SimulationResult",
    "SimulationStatus",
    "UnservedChain",
    "backend_for",
    "devnet_description",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'chain.simulate' has no attribute {name!r}")
    return getattr(import_module(f"chain.simulate.{home}"), name)
