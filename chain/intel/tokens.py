"""Token lists: the real addresses, symbols, names and decimals of well-known tokens per chain, from npm
``@uniswap/default-token-list`` (every chain it lists) and ``@metamask/contract-metadata`` (mainnet). A token
elsewhere that calls itself by a listed token's symbol or name is an impersonator."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from eth_utils import to_checksum_address

from chain.intel import feeds
from chain.intel.confusables import to_latin
from chain.intel.feeds import Provenance, read_package_json

UNISWAP = ("@uniswap/default-token-list", "build/uniswap-default.tokenlist.json")
METAMASK = ("@metamask/contract-metadata", "contract-map.json")
LEDGER = ("@ledgerhq/cryptoassets-evm-signatures", "lib/data/evm")  # <chain id>/erc20.json per chain


def skeleton(text: str) -> str:
    """Letters and digits only, compatibility-normalized, confusables folded to the ASCII they imitate and
    upper-cased: "USDC", "usdc", "ＵＳＤＣ" and "UЅDС" (Cyrillic) collapse."""
    return "".join(ch for ch in to_latin(text) if ch.isalnum()).upper()


@dataclass(frozen=True)
class Listed:
    """A listed token."""

    chain_id: int
    address: str
    symbol: str
    name: str
    decimals: int | None
    provenance: Provenance


@dataclass
class TokenLists:
    """Listed tokens by chain and address, and the addresses each symbol or name is listed at."""

    by_address: dict[tuple[int, str], Listed] = field(default_factory=dict)
    by_label: dict[tuple[int, str], set[str]] = field(default_factory=dict)  # (chain, skeleton) → addresses
    provenance: list[Provenance] = field(default_factory=list)

    def add(self, token: Listed) -> None:
        self.by_address.setdefault((token.chain_id, token.address), token)
        for label in {skeleton(token.symbol), skeleton(token.name)} - {""}:
            self.by_label.setdefault((token.chain_id, label), set()).add(token.address)

    def impersonated(self, chain_id: int, address: str, *labels: str | None) -> Listed | None:
        """The listed token whose symbol or name one of ``labels`` claims on ``chain_id`` while ``address`` is not
        one of the addresses it is listed at; None when the label is unlisted there or the address is the real one."""
        address = to_checksum_address(address)
        for label in labels:
            if not label or len(skeleton(label)) < 2:
                continue
            listed = self.by_label.get((chain_id, skeleton(label)))
            if listed and address not in listed:
                return self.by_address[(chain_id, sorted(listed)[0])]
        return None

    def label(self, chain_id: int, address: str) -> Listed | None:
        """The listed token at ``address`` on ``chain_id``."""
        return self.by_address.get((chain_id, to_checksum_address(address)))


@cache
def token_lists() -> TokenLists:
    """The installed lists, loaded once (a list whose package is absent is left out and not in ``provenance``)."""
    lists = TokenLists()
    try:
        data, source, sha256 = read_package_json(*UNISWAP)
        version = ".".join(str(data.get("version", {}).get(k, 0)) for k in ("major", "minor", "patch"))
        provenance = Provenance("uniswap-default-token-list", source, version, sha256, len(data.get("tokens", [])))
        lists.provenance.append(provenance)
        for t in data.get("tokens", []):
            lists.add(Listed(int(t["chainId"]), to_checksum_address(t["address"]), str(t.get("symbol", "")),
                             str(t.get("name", "")), t.get("decimals"), provenance))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        data, source, sha256 = read_package_json(*METAMASK)
        version = source.split("@")[-1].split(" ")[0]
        provenance = Provenance("metamask-contract-metadata", source, version, sha256, len(data))
        lists.provenance.append(provenance)
        for address, meta in data.items():
            if meta.get("erc20") and meta.get("symbol"):
                lists.add(Listed(1, to_checksum_address(address), str(meta["symbol"]), str(meta.get("name", "")),
                                 meta.get("decimals"), provenance))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    _add_ledger_lists(lists)
    return lists


def _add_ledger_lists(lists: TokenLists) -> None:
    """Ledger's per-chain ERC-20 lists (the ones its devices show by name): rows of ``[family, id, ticker,
    decimals, name, signature, address, disabled, delisted]``; disabled and delisted tokens are left out."""
    package, folder = LEDGER
    root = feeds.NODE_MODULES / package / folder
    if not root.is_dir():
        return
    for chain_dir in sorted((p for p in root.iterdir() if p.name.isdigit()), key=lambda p: int(p.name)):
        try:
            rows, source, sha256 = read_package_json(package, f"{folder}/{chain_dir.name}/erc20.json")
        except (OSError, ValueError):
            continue
        version = source.split("@")[-1].split(" ")[0]
        provenance = Provenance(f"ledger-erc20-{chain_dir.name}", source, version, sha256, len(rows))
        lists.provenance.append(provenance)
        for row in rows:
            try:
                _, _, ticker, decimals, name, _, address, disabled, delisted = row[:9]
            except (TypeError, ValueError):
                continue
            if not disabled and not delisted and isinstance(address, str) and address.startswith("0x"):
                lists.add(Listed(int(chain_dir.name), to_checksum_address(address), str(ticker), str(name),
                                 decimals if isinstance(decimals, int) else None, provenance))
