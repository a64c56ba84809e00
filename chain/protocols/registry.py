"""The protocol registry: every well-known contract on every chain we serve — (chain, address) → protocol, contract,
version, roles and the ABI its calls decode with — generated from the protocols' own npm packages by
``scripts/gen_registry.mjs`` into ``registry.json`` (each entry names package@version and the export it came from;
each ABI its file and sha256). Allowlists, labels, chain names and the devnet's canonical addresses derive from it.

The devnet (31337) is mainnet-shaped: its registry is chain 1's entries at the addresses its world places."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, cached_property
from importlib import resources
from typing import Any

from eth_utils import to_checksum_address

from chain.decode.registry import FunctionAbi, index, parse_signature

UNNAMED_PROTOCOLS = ("Token", "Wrapped native", "Multicall3")
"""Registry "protocols" that are only a kind of contract: a label is the contract's own name."""
DEVNET_CHAIN_ID = 31337
DEVNET_MIRRORS = 1
"""The chain whose contracts the devnet's world places at their own addresses."""


class Role(StrEnum):
    """What a registered contract is for; the policy trusts contracts by role."""

    ROUTER = "router"  # swaps, deposits or repays on the caller's behalf (takes approvals)
    SPENDER = "spender"  # an allowance hub (Permit2, CoW's vault relayer)
    REACTOR = "reactor"  # settles signed orders (UniswapX)
    SETTLEMENT = "settlement"  # settles batches of signed orders (CoW)
    POOL = "pool"  # lending or liquidity pool that takes deposits
    VAULT = "vault"  # holds liquidity for many pools (Balancer)
    MARKET = "market"  # a lending market's token (Compound v2 cTokens)
    ADAPTER = "adapter"  # executes a router's steps (takes approvals)
    WRAPPER = "wrapper"  # wraps one token into another (wstETH)
    STAKING = "staking"  # stakes or queues withdrawals (Lido)
    BRIDGE = "bridge"  # moves assets to another chain
    MESSENGER = "messenger"  # carries messages between chains
    MARKETPLACE = "marketplace"  # NFT marketplace (Seaport)
    CONDUIT = "conduit"  # moves NFTs for a marketplace
    ENTRYPOINT = "entrypoint"  # ERC-4337 EntryPoint
    ACCOUNT = "account"  # a smart-account implementation (an EIP-7702 delegate)
    MULTICALL = "multicall"
    FACTORY = "factory"
    POSITION_MANAGER = "position_manager"
    GOVERNANCE = "governance"
    CLEAR_SIGNED = "clear_signed"  # an ERC-7730 descriptor formats its functions (named, each with an intent)
    TOKEN = "token"
    WRAPPED_NATIVE = "wrapped_native"


@dataclass(frozen=True)
class KnownContract:
    """One registered contract on one chain (``address`` EIP-55)."""

    chain: int
    address: str
    protocol: str
    name: str
    version: str | None
    roles: tuple[Role, ...]
    source: str  # package@version and the export or file it came from
    abi: str | None  # key into the registry's ABIs
    intents: tuple[tuple[str, str], ...] = ()  # (0x-selector, intent) from an ERC-7730 descriptor

    def intent(self, selector: str | None) -> str | None:
        """What the contract's ERC-7730 descriptor says a function does ("Stake", "Request withdrawal"), if any."""
        return dict(self.intents).get((selector or "").lower())

    @property
    def label(self) -> str:
        """What a user reads: ``Uniswap Universal Router v2.1.1``, ``Lido wstETH``, ``USDC``."""
        if self.protocol in UNNAMED_PROTOCOLS:
            return self.name
        name = self.name if self.name.startswith(self.protocol) else f"{self.protocol} {self.name}"
        return f"{name} v{self.version}" if self.version and self.version not in name else name


@dataclass(frozen=True)
class ChainInfo:
    """A chain: its name and native currency (viem's chain definitions)."""

    id: int
    name: str
    native: str
    decimals: int


class Registry:
    """The generated registry, indexed."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self._by_key: dict[tuple[int, str], KnownContract] = {}
        for entry in data["contracts"]:
            known = KnownContract(chain=entry["chain"], address=to_checksum_address(entry["address"]),
                                  protocol=entry["protocol"], name=entry["name"], version=entry["version"],
                                  roles=tuple(Role(r) for r in entry["roles"]), source=entry["source"],
                                  abi=entry["abi"], intents=tuple(sorted((entry.get("intents") or {}).items())))
            self._by_key[(known.chain, known.address.lower())] = known

    @property
    def packages(self) -> dict[str, str]:
        return dict(self.data["packages"])

    @cached_property
    def _devnet(self) -> frozenset[str]:
        from chain.simulate.devnet import placed_addresses  # the world imports the registry: read it lazily

        return frozenset(a.lower() for a in placed_addresses())

    def contract(self, chain_id: int, address: str) -> KnownContract | None:
        """The registered contract at ``address`` on ``chain_id`` (on the devnet: mainnet's, where its world
        places it)."""
        key = address.lower()
        if chain_id == DEVNET_CHAIN_ID:
            return self._by_key.get((DEVNET_MIRRORS, key)) if key in self._devnet else None
        return self._by_key.get((chain_id, key))

    def contracts(self, chain_id: int | None = None) -> list[KnownContract]:
        """Every registered contract (of one chain)."""
        if chain_id == DEVNET_CHAIN_ID:
            return [c for c in self.contracts(DEVNET_MIRRORS) if c.address.lower() in self._devnet]
        return [c for c in self._by_key.values() if chain_id is None or c.chain == chain_id]

    def addresses(self, chain_id: int, roles: Iterable[str], protocols: Iterable[str] = ()) -> frozenset[str]:
        """EIP-55 addresses on ``chain_id`` with one of ``roles`` (of one of ``protocols``, when given)."""
        wanted, named = set(roles), set(protocols)
        return frozenset(c.address for c in self.contracts(chain_id)
                         if wanted.intersection(c.roles) and (not named or c.protocol in named))

    def find(self, chain_id: int, protocol: str, name: str, version: str | None = None) -> str:
        """The EIP-55 address of one contract by protocol, name (and version).

        Raises:
            KeyError: none, or several, match.
        """
        found = [c.address for c in self.contracts(chain_id)
                 if c.protocol == protocol and c.name == name and (version is None or c.version == version)]
        if len(found) != 1:
            raise KeyError(f"{len(found)} registered contracts are {protocol} {name} {version or ''} on {chain_id}")
        return found[0]

    def functions(self, abi: str) -> dict[bytes, tuple[FunctionAbi, ...]]:
        """Selector → function of one registered ABI."""
        return _abi_index(self, abi)

    def abi_source(self, abi: str) -> str:
        """``package@version file`` of one registered ABI."""
        entry = self.data["abis"][abi]
        return f"{entry['package']}@{entry['version']} {entry['file']}"

    @cached_property
    def all_functions(self) -> dict[bytes, tuple[FunctionAbi, ...]]:
        """Selector → candidates over every registered ABI (calls to forks and unregistered deployments)."""
        return index([parse_signature(s) for entry in self.data["abis"].values() for s in entry["functions"]])

    def chain(self, chain_id: int) -> ChainInfo | None:
        """A chain's name and native currency, served or not (viem's definitions; the devnet's: ETH)."""
        if chain_id == DEVNET_CHAIN_ID:
            return ChainInfo(chain_id, "txexplain devnet", "ETH", 18)
        entry = self.data["chains"].get(str(chain_id))
        return ChainInfo(chain_id, entry["name"], entry["native"], entry["decimals"]) if entry else None

    @property
    def chain_ids(self) -> list[int]:
        """The chains whose contracts the registry lists."""
        return sorted(int(c) for c, entry in self.data["chains"].items() if entry["served"])


@cache
def _abi_index(registry: Registry, abi: str) -> dict[bytes, tuple[FunctionAbi, ...]]:
    return index([parse_signature(s) for s in registry.data["abis"][abi]["functions"]])


@cache
def protocol_registry() -> Registry:
    """The bundled registry, loaded once."""
    return Registry(json.loads(resources.files("chain.protocols").joinpath("registry.json").read_text()))
