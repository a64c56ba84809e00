"""Dollar values of effects: what is given and got, and for a grant the value at risk — what the spender could take
now, the lesser of the allowance and the balance."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import TYPE_CHECKING

from chain.effects.model import Effect, EffectKind
from chain.pricing.prices import Price, Pricer

if TYPE_CHECKING:
    from chain.facts import Facts

CENT = Decimal("0.01")


def priceable(effect: Effect) -> bool:
    """Whether the effect moves or allows a fungible amount a price could value."""
    asset = effect.asset
    return (asset is not None and asset.standard in ("native", "erc20") and effect.kind in (
        EffectKind.GIVE, EffectKind.GET, EffectKind.GRANT) and (effect.amount is not None or effect.unlimited))


def _usd(amount: int, decimals: int, price: Price) -> str:
    with localcontext(prec=120):  # uint256 amounts: exact at any size
        return str((Decimal(amount).scaleb(-decimals) * price.usd).quantize(CENT, rounding=ROUND_HALF_EVEN))


def price_effects(facts: Facts, pricer: Pricer) -> list[str]:
    """Set ``usd`` and ``price_source`` on every effect a price is known for; returns the assets left unpriced
    (their token addresses, or the native symbol)."""
    unpriced: list[str] = []
    for effect in facts.effects:
        if not priceable(effect):
            continue
        asset = effect.asset
        assert asset is not None
        native = asset.standard == "native"
        price = pricer.native() if native else pricer.token(str(asset.token))
        decimals = 18 if native else (asset.decimals if asset.decimals is not None else pricer.decimals(
            str(asset.token)))
        if price is None or decimals is None:
            unpriced.append(asset.symbol if native else str(asset.token))
            continue
        amount = int(effect.amount) if effect.amount is not None else None
        if effect.kind is EffectKind.GRANT:  # at risk now: what the spender could take, the balance at most
            owner = effect.account or facts.sender
            balance = pricer.balance(str(asset.token), owner) if owner and not native else None
            if balance is None:
                unpriced.append(str(asset.token))
                continue
            amount = balance if effect.unlimited or amount is None else min(amount, balance)
        assert amount is not None
        effect.usd, effect.price_source = _usd(amount, decimals, price), price.source
    return sorted(set(unpriced))
