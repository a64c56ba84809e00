"""The effects of signed orders: what each order gives, and what comes back to whom (a BulkOrder's leaves each
their own ``order``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chain.decode.orders import OrderItem
from chain.effects.model import Effect, EffectKind, EffectSource

if TYPE_CHECKING:
    from chain.facts import Facts


def order_effects(facts: Facts) -> list[Effect]:
    """give and get effects of every order the typed data signs, on the chain the signature is valid on."""
    from chain.effects.build import asset_of, shown

    typed = facts.typed_data
    if typed is None:
        return []
    chain = facts.approvals_chain_id
    bulk = len(typed.orders) > 1
    effects = []

    def effect(kind: EffectKind, item: OrderItem, index: int) -> Effect:
        asset = asset_of(facts, chain, item.standard, item.token, item.token_id)
        return Effect(kind=kind, asset=asset, amount=item.amount, display=shown(asset, item.amount),
                      counterparty=typed.verifying_contract, recipient=item.recipient if kind is EffectKind.GET
                      else None, source=EffectSource.TYPED_DATA, order=index if bulk else None)

    for index, order in enumerate(typed.orders):
        effects += [effect(EffectKind.GIVE, item, index) for item in order.gives]
        effects += [effect(EffectKind.GET, item, index) for item in order.gets]
    return effects
