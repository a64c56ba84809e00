"""Prices read on-chain, in the state the request is judged on (never the request's own state overrides, which the
asking site writes): a token's USD price from the price source its chain's Aave market uses (a Chainlink aggregator,
``latestAnswer()``), else from a Uniswap V2 or V3 pool against a priced token (the wrapped native currency) that
holds enough of it to mean something. An asset with neither is unpriced — never guessed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

from chain.state import ChainState

MIRRORS = {31337: 1}
"""Chains whose contracts stand at another chain's addresses: the embedded world is mainnet-shaped."""
V3_FEES = (500, 3000, 100, 10000)
Q96 = Decimal(2**96)


@dataclass(frozen=True)
class Price:
    """One whole unit of a token, in US dollars, and where it was read."""

    usd: Decimal
    source: str  # chainlink:0x… | uniswap-v2:0x… | uniswap-v3:0x…


@dataclass(frozen=True)
class PricingSources:
    """The generated table (chain/pricing/sources.json): price sources, wrapped native tokens, pool factories."""

    data: dict[str, Any]

    @property
    def packages(self) -> dict[str, str]:
        return dict(self.data["packages"])

    def feed(self, chain_id: int, token: str) -> str | None:
        entry = self.data["feeds"].get(str(MIRRORS.get(chain_id, chain_id)), {}).get(token.lower())
        return to_checksum_address(entry["oracle"]) if entry else None

    def wrapped_native(self, chain_id: int) -> tuple[str, int] | None:
        entry = self.data["wrapped_native"].get(str(MIRRORS.get(chain_id, chain_id)))
        return (to_checksum_address(entry["token"]), int(entry["decimals"])) if entry else None

    def factory(self, chain_id: int, version: str) -> str | None:
        found = self.data[f"uniswap_{version}_factory"].get(str(MIRRORS.get(chain_id, chain_id)))
        return to_checksum_address(found) if found else None


@cache
def pricing_sources() -> PricingSources:
    """The bundled table, loaded once."""
    raw = resources.files("chain.pricing").joinpath("sources.json").read_text()
    return PricingSources(json.loads(raw))


def _selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def _words(state: ChainState, to: str, signature: str, types: tuple[str, ...] = (), args: tuple[Any, ...] = (),
           returns: tuple[str, ...] = ("uint256",)) -> tuple[Any, ...] | None:
    raw = state.call(to, _selector(signature) + abi_encode(list(types), list(args)))
    if raw is None or len(raw) < 32 * len(returns):
        return None
    try:
        return tuple(abi_decode(list(returns), raw[:32 * len(returns)]))
    except Exception:
        return None


class Pricer:
    """Prices on one chain's state; each token is priced once per pricer."""

    def __init__(self, state: ChainState, chain_id: int, min_pool_usd: Decimal,
                 sources: PricingSources | None = None):
        self.state, self.chain_id, self.min_pool_usd = state, chain_id, min_pool_usd
        self.sources = sources or pricing_sources()
        self._seen: dict[str, Price | None] = {}
        self._decimals: dict[str, int | None] = {}

    def native(self) -> Price | None:
        """The native currency, priced as its wrapped token."""
        wrapped = self.sources.wrapped_native(self.chain_id)
        return self.token(wrapped[0]) if wrapped else None

    def token(self, token: str) -> Price | None:
        """A token's price: its feed, else a pool against the wrapped native token; None when neither answers."""
        key = token.lower()
        if key not in self._seen:
            self._seen[key] = self._feed(token) or self._pool(token)
        return self._seen[key]

    def decimals(self, token: str) -> int | None:
        if token.lower() not in self._decimals:
            answer = _words(self.state, token, "decimals()", returns=("uint8",))
            self._decimals[token.lower()] = int(answer[0]) if answer else None
        return self._decimals[token.lower()]

    def balance(self, token: str, owner: str) -> int | None:
        """``owner``'s balance of an ERC-20 token, or None when the token does not answer."""
        answer = _words(self.state, token, "balanceOf(address)", ("address",), (owner,))
        return int(answer[0]) if answer else None

    def _feed(self, token: str) -> Price | None:
        feed = self.sources.feed(self.chain_id, token)
        if feed is None:
            return None
        answer = _words(self.state, feed, "latestAnswer()", returns=("int256",))
        if answer is None or answer[0] <= 0:
            return None
        scale = _words(self.state, feed, "decimals()", returns=("uint8",))
        decimals = int(scale[0]) if scale else 8  # Aave's price sources answer in 8 decimals
        return Price(Decimal(answer[0]).scaleb(-decimals), f"chainlink:{feed}")

    def _pool(self, token: str) -> Price | None:
        """The token's price from the deepest-enough Uniswap pool against the wrapped native token."""
        wrapped = self.sources.wrapped_native(self.chain_id)
        if wrapped is None or wrapped[0].lower() == token.lower():
            return None
        quote, quote_decimals = wrapped
        quote_price = self._feed(quote)
        mine = self.decimals(token)
        if quote_price is None or mine is None:
            return None
        for price in (self._v2(token, mine, quote, quote_decimals, quote_price),
                      self._v3(token, mine, quote, quote_decimals, quote_price)):
            if price is not None:
                return price
        return None

    def _deep_enough(self, pool: str, quote: str, quote_decimals: int, quote_price: Price) -> bool:
        held = self.balance(quote, pool)
        return held is not None and Decimal(held).scaleb(-quote_decimals) * quote_price.usd >= self.min_pool_usd

    def _v2(self, token: str, mine: int, quote: str, quote_decimals: int, quote_price: Price) -> Price | None:
        factory = self.sources.factory(self.chain_id, "v2")
        pair = _words(self.state, factory, "getPair(address,address)", ("address", "address"), (token, quote),
                      ("address",)) if factory else None
        if not pair or int(pair[0], 16) == 0 or not self._deep_enough(pair[0], quote, quote_decimals, quote_price):
            return None
        reserves = _words(self.state, pair[0], "getReserves()", returns=("uint112", "uint112", "uint32"))
        first = _words(self.state, pair[0], "token0()", returns=("address",))
        if not reserves or not first or not reserves[0] or not reserves[1]:
            return None
        mine_reserve, quote_reserve = ((reserves[0], reserves[1]) if first[0].lower() == token.lower()
                                       else (reserves[1], reserves[0]))
        per_unit = Decimal(quote_reserve).scaleb(-quote_decimals) / Decimal(mine_reserve).scaleb(-mine)
        return Price(per_unit * quote_price.usd, f"uniswap-v2:{to_checksum_address(pair[0])}")

    def _v3(self, token: str, mine: int, quote: str, quote_decimals: int, quote_price: Price) -> Price | None:
        factory = self.sources.factory(self.chain_id, "v3")
        if factory is None:
            return None
        for fee in V3_FEES:
            pool = _words(self.state, factory, "getPool(address,address,uint24)", ("address", "address", "uint24"),
                          (token, quote, fee), ("address",))
            if not pool or int(pool[0], 16) == 0 or not self._deep_enough(pool[0], quote, quote_decimals,
                                                                           quote_price):
                continue
            slot0 = _words(self.state, pool[0], "slot0()", returns=("uint160",))
            if not slot0 or not slot0[0]:
                continue
            raw = (Decimal(slot0[0]) / Q96) ** 2  # token1 base units per token0 base unit
            token0_is_mine = token.lower() < quote.lower()
            per_base = raw if token0_is_mine else 1 / raw  # quote base units per one base unit of mine
            per_unit = per_base * Decimal(10) ** mine / Decimal(10) ** quote_decimals
            return Price(per_unit * quote_price.usd, f"uniswap-v3:{to_checksum_address(pool[0])}")
        return None
