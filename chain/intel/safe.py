"""Safe's own deployments (npm ``@safe-global/safe-deployments``): per chain, the addresses of the libraries a Safe
is meant to ``delegatecall`` — MultiSend, MultiSendCallOnly, SignMessageLib, CreateCall, the migration and setup
contracts, SimulateTxAccessor — in every released version. A Safe transaction that delegatecalls anything else
hands the Safe's storage and funds to that code (the February 2025 Bybit theft was one such signature)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache

from eth_utils import to_checksum_address

from chain.intel import feeds
from chain.intel.feeds import Provenance, read_package_json
from chain.npm import package_version

PACKAGE = "@safe-global/safe-deployments"
DELEGATECALL_LIBRARIES = ("multi_send", "multi_send_call_only", "sign_message_lib", "create_call", "safe_migration",
                          "safe_to_l2_migration", "safe_to_l2_setup", "simulate_tx_accessor")


@dataclass(frozen=True)
class SafeLibrary:
    """A Safe library at one address on one chain."""

    name: str  # the contract's name, e.g. MultiSendCallOnly
    version: str


@dataclass
class SafeDeployments:
    """Every Safe contract by (chain id, EIP-55 address); ``libraries`` are the ones meant for delegatecall."""

    contracts: dict[tuple[int, str], SafeLibrary] = field(default_factory=dict)
    libraries: dict[tuple[int, str], SafeLibrary] = field(default_factory=dict)
    provenance: Provenance | None = None

    def library(self, chain_id: int, address: str) -> SafeLibrary | None:
        """The delegatecall library at ``address`` on ``chain_id``, if it is one."""
        return self.libraries.get((chain_id, to_checksum_address(address)))

    def contract(self, chain_id: int, address: str) -> SafeLibrary | None:
        """Any Safe contract (singleton, proxy factory, fallback handler, library) at ``address``."""
        return self.contracts.get((chain_id, to_checksum_address(address)))


@cache
def safe_deployments() -> SafeDeployments:
    """The installed package's libraries (empty, ``provenance`` None, when it is not installed)."""
    root = feeds.NODE_MODULES / PACKAGE  # read at call time, as tokens.py does, so one setting moves every feed
    assets = root / "dist" / "assets"
    found = SafeDeployments()
    if not assets.is_dir():
        return found
    files = sorted(assets.glob("v*/*.json"))
    digests = hashlib.sha256()
    for path in files:
        data, _, digest = read_package_json(PACKAGE, str(path.relative_to(root)))
        digests.update(bytes.fromhex(digest))
        if not data.get("released", True):
            continue
        by_type = {kind: item["address"] for kind, item in (data.get("deployments") or {}).items()}
        for chain, kinds in (data.get("networkAddresses") or {}).items():
            for kind in [kinds] if isinstance(kinds, str) else kinds:
                address = kind if kind.startswith("0x") else by_type.get(kind)
                if address and chain.isdigit():
                    key = (int(chain), to_checksum_address(address))
                    found.contracts[key] = SafeLibrary(data.get("contractName", path.stem),
                                                       data.get("version", path.parent.name[1:]))
                    if path.stem in DELEGATECALL_LIBRARIES:
                        found.libraries[key] = found.contracts[key]
    version = package_version(PACKAGE, feeds.NODE_MODULES)
    found.provenance = Provenance(feed="safe_deployments", source=f"{PACKAGE}@{version} dist/assets/v*/*.json",
                                  version=version, sha256=digests.hexdigest(), entries=len(found.contracts))
    return found
