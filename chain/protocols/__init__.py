"""Well-known contracts per chain, from the protocols' own packages (see ``registry``)."""

from chain.protocols.registry import ChainInfo, KnownContract, Registry, Role, protocol_registry

__all__ = ["ChainInfo", "KnownContract", "Registry", "Role", "protocol_registry"]
