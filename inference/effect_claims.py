"""Claims made of effects: what the user gives and gets (a swap as what you pay and what you get, an order as what it
gives and what comes back to whom), what they allow or revoke, what control changes, where they sign in, what is
deployed, and where the calldata and the simulation disagree — in the user's units, counterparties by name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chain import Analysis
from chain.approvals import Approval
from chain.effects import Effect, EffectKind, Permission
from chain.effects.build import asset_of, shown
from chain.units import LAST_DATE, date_text, usd_text
from inference.factsheet import token_label

if TYPE_CHECKING:
    from inference.claims import ClaimSet


PROTOCOLS = {"seaport": "Seaport", "uniswapx": "UniswapX", "1inch": "1inch Limit Order", "cow": "CoW Protocol",
             "velora": "Velora Delta"}


def party(analysis: Analysis, address: str | None) -> str:
    """A counterparty as the user reads it: its listed name before its address, else the address."""
    return token_label(analysis, address) if address else "an unknown account"


def worth(effect: Effect) -> str:
    """`` ($2,486.30)`` when the effect is priced, else nothing."""
    return f" ({usd_text(effect.usd)})" if effect.usd is not None else ""


def _listed(effects: list[Effect]) -> str:
    return " and ".join(f"{e.display}{worth(e)}" for e in effects)


def _moves(analysis: Analysis, moves: list[Effect], out: ClaimSet) -> None:
    """The transaction's gives and gets: one sentence for the user's own, one for the Safe's they act for."""
    facts = analysis.facts
    for account in dict.fromkeys(e.account for e in moves):
        gives = [e for e in moves if e.account == account and e.kind is EffectKind.GIVE]
        gets = [e for e in moves if e.account == account and e.kind is EffectKind.GET]
        who, pays, sends, receives = (("You", "pay", "send", "receive") if account is None else
                                      (f"The Safe {account}", "pays", "sends", "receives"))
        key = f"effects.moves.{account}" if account else "effects.moves"
        if gives and gets:
            out.add(key, f"{who} {pays} {_listed(gives)} and {'get' if account is None else 'gets'} "
                    f"{_listed(gets)}.", "effects", "what is paid and what is got")
        elif gives:
            sent = "; ".join(f"{e.display}{worth(e)} to {party(analysis, e.counterparty)}" for e in gives)
            out.add(key, f"{who} {sends} {sent}.", "effects", "what is sent")
        else:
            out.add(key, f"{who} {receives} {_listed(gets)}.", "effects", "what is received")
    sim = facts.simulation
    if not moves and not facts.effects and sim is not None and sim.status == "success" and sim.asset_changes_known:
        out.add("effects.moves", "No balance of yours changes.", "effects", "no balance of yours changes")


def _orders(analysis: Analysis, effects: list[Effect], out: ClaimSet) -> None:
    """One sentence per signed order: what it gives, and what comes back to whom."""
    facts = analysis.facts
    typed = facts.typed_data
    if typed is None or not typed.orders:
        return
    bulk = len(typed.orders) > 1
    venue = party(analysis, typed.verifying_contract)
    for index, order in enumerate(typed.orders):
        mine = [e for e in effects if e.source == "typed_data" and (e.order == index if bulk else True)]
        gives = [e for e in mine if e.kind is EffectKind.GIVE]
        gets = [e for e in mine if e.kind is EffectKind.GET]
        signer = order.signer or facts.sender
        back = []
        for got in [g for g in gets if int(g.amount or 0)]:
            to = "you" if got.recipient == signer else f"{party(analysis, got.recipient)}, not to you"
            back.append(f"at least {got.display}{worth(got)} to {to}")
        paid = " and ".join(back) if back else "nothing back to you"
        lead = f"Order {index + 1} of {len(typed.orders)} in this bulk signature" if bulk else "The order"
        name = PROTOCOLS.get(order.protocol, order.protocol)
        out.add(f"effects.order.{index}", f"{lead} ({name}, on {venue}) gives {_listed(gives) or 'nothing'} and "
                f"pays {paid}.", f"typed_data.orders[{index}]", "what the order gives and what it pays back")


def grant_sentence(analysis: Analysis, approval: Approval) -> tuple[str, str]:
    """(sentence, gist) for an approval of any standard, in the user's units."""
    facts = analysis.facts
    spender = party(analysis, approval.spender)
    standard = approval.standard if approval.standard in ("erc721", "erc1155") else "erc20"
    asset = asset_of(facts, facts.approvals_chain_id, standard, approval.token, approval.token_id)
    name = asset.symbol or ("items" if standard != "erc20" else "tokens")
    seen = " (seen only in the simulation's events)" if approval.source == "simulation" else ""
    if approval.revokes:
        what = shown(asset, None) if approval.token_id is not None else f"{name} of {approval.token}"
        return f"It revokes the permission of {spender} over your {what}{seen}.", "it revokes a permission"
    if approval.standard == "credit_delegation":
        return (f"It lets {spender} borrow up to {shown(asset, approval.amount, approval.unlimited)} against your "
                f"collateral (Aave credit delegation): the debt would be yours{seen}.",
                "the spender may borrow in your name")
    if approval.standard == "account_control":
        return (f"It lets {spender} act on your whole position in {party(analysis, approval.token)}: withdraw, "
                f"transfer and borrow for you (Compound III allow){seen}.", "the manager may act on your position")
    if approval.token_id is not None:
        return f"It lets {spender} transfer your {shown(asset, '1')}{seen}.", "the spender may take one NFT"
    if approval.amount is None:
        return (f"It lets {spender} move every {asset.symbol or 'item'} you own in the collection {approval.token}, "
                f"now and later{seen}.", "the operator may move all your NFTs of the collection")
    expiry = ""
    if approval.standard in ("permit", "permit2"):
        at = approval.expires_at
        expiry = (", with no expiry" if at is None else ", with no practical expiry (its deadline is past the year "
                  "9999)" if at > LAST_DATE else f", until {date_text(at, facts.observed_at)}")
    amount = shown(asset, approval.amount, approval.unlimited)
    gist = f"the spender may spend {'an unlimited amount' if approval.unlimited else 'some'} of your tokens"
    at_risk = next((e.usd for e in facts.effects if e.kind is EffectKind.GRANT and e.counterparty == approval.spender
                    and e.asset is not None and e.asset.token == approval.token and e.usd is not None), None)
    risk = f" ({usd_text(at_risk)} of yours at risk now)" if at_risk is not None else ""
    return f"It lets {spender} spend {amount} from your wallet{risk}{expiry}{seen}.", gist


def effect_claims(analysis: Analysis, out: ClaimSet) -> None:
    """The effects' claims, in the order a person reads them."""
    effects = analysis.facts.effects
    _moves(analysis, [e for e in effects if e.source != "typed_data" and e.kind in (EffectKind.GIVE, EffectKind.GET)],
           out)
    _orders(analysis, effects, out)
    for effect in effects:
        if effect.kind is EffectKind.GRANT and effect.permission is Permission.EIP7702_DELEGATION:
            out.add(f"effects.delegation.{effect.counterparty}", f"Your account would run the code of "
                    f"{party(analysis, effect.counterparty)} as its own (EIP-7702).", "delegations",
                    "your account runs another contract's code")
        elif effect.kind is EffectKind.CONTROL:
            out.add(f"effects.control.{effect.detail}.{effect.counterparty}", f"It {effect.display}.", "effects",
                    "who controls a contract changes")
        elif effect.kind is EffectKind.SIGN_IN:
            out.add("effects.sign_in", f"You sign in to {effect.detail}.", "message.siwe", "you sign in to a site")
        elif effect.kind is EffectKind.DEPLOY:
            out.add(f"effects.deploy.{effect.counterparty}", f"It creates a new contract at {effect.counterparty}.",
                    "simulation.deployed", "the contract it creates")
    for i, disagreement in enumerate(analysis.facts.disagreements):
        out.add(f"effects.disagreement.{i}", f"Careful: {disagreement.note}.", f"disagreements[{i}]",
                "the calldata and the simulation disagree")
