"""The OFAC SDN list's Ethereum addresses, bundled: npm ``@celo/compliance`` (Apache-2.0) ships them as
``ofac.sanctions.json``, an array of lowercase EVM addresses taken from Treasury's SDN list (Tornado Cash's contracts
among them). Read once into a set; the feed's version and sha256 go into every finding it supports."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from chain.intel.feeds import Provenance, read_package_json

PACKAGE, FILE = "@celo/compliance", "ofac.sanctions.json"
FEED = "ofac-sdn"


@dataclass(frozen=True)
class SanctionsList:
    """Sanctioned addresses (lowercase ``0x…``) and where they came from (None: the package is not installed)."""

    addresses: frozenset[str] = field(default_factory=frozenset)
    provenance: Provenance | None = None

    def listed(self, address: str) -> bool:
        return address.lower() in self.addresses


@cache
def sanctions_list() -> SanctionsList:
    """The bundled list, loaded once; empty when the package is absent or its file is not an address array."""
    try:
        data, source, sha256 = read_package_json(PACKAGE, FILE)
    except (OSError, ValueError):
        return SanctionsList()
    if not isinstance(data, list):
        return SanctionsList()
    addresses = frozenset(a.lower() for a in data
                          if isinstance(a, str) and len(a) == 42 and a.startswith("0x"))
    version = source.split(" ")[0].rsplit("@", 1)[1]
    return SanctionsList(addresses, Provenance(FEED, source, version, sha256, len(addresses)))
