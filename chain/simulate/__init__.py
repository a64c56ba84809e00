"""Simulation: pyrevm in-process over the embedded devnet."""

from chain.simulate.devnet import DEVNET_CHAIN_ID, devnet_description
from chain.simulate.model import AssetChange, SimulationResult, SimulationStatus
from chain.simulate.revm import RevmBackend, RevmSession

__all__ = [
    "DEVNET_CHAIN_ID",
    "AssetChange",
    "RevmBackend",
    "RevmSession",
    "SimulationResult",
    "SimulationStatus",
    "devnet_description",
]
