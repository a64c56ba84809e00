"""Building a request's effects from three sources — the decoded calls at any depth, the signed orders and typed
data, and the simulation — and saying where the calldata and the simulation disagree."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from chain.approvals import Approval
from chain.decode import DecodedCall
from chain.effects.controls import control_of
from chain.effects.model import Asset, Disagreement, Effect, EffectKind, EffectSource, Permission
from chain.effects.orders import order_effects
from chain.intel.tokens import token_lists
from chain.units import amount_text, iso_time, native_symbol

if TYPE_CHECKING:
    from chain.facts import Facts

TRANSFERS = {  # function → (from argument or None for msg.sender, to argument, amount argument, standard)
    "transfer(address,uint256)": (None, 0, 1, "erc20"),
    "transferFrom(address,address,uint256)": (0, 1, 2, "erc20"),
    "safeTransferFrom(address,address,uint256)": (0, 1, 2, "erc721"),
    "safeTransferFrom(address,address,uint256,bytes)": (0, 1, 2, "erc721"),
    "safeTransferFrom(address,address,uint256,uint256,bytes)": (0, 1, 3, "erc1155"),
}


def asset_of(facts: Facts, chain_id: int, standard: str, token: str | None, token_id: str | None = None) -> Asset:
    """The asset with its symbol and decimals: a token list's symbol first (never a stranger's text), else the
    contract's (sanitized, read during the analysis); decimals from the contract, else the list."""
    if standard == "native" or token is None:
        return Asset(standard="native", symbol=native_symbol(chain_id), decimals=18)
    listed = token_lists().label(chain_id, token)
    meta = facts.tokens.get(token)
    change = next((c for c in facts.simulation.asset_changes if c.token == token), None) if facts.simulation else None
    symbol = (listed.symbol if listed else None) or (meta.symbol if meta else None) or (change.symbol if change
                                                                                          else None)
    decimals = (meta.decimals if meta and meta.decimals is not None else change.decimals if change else None)
    if decimals is None and listed is not None and standard == "erc20":
        decimals = listed.decimals
    if standard in ("erc721", "erc1155") and token_id is not None:
        decimals = 0
    return Asset(standard=standard, token=token, symbol=symbol, decimals=decimals, token_id=token_id)


def shown(asset: Asset, amount: str | None, unlimited: bool = False) -> str:
    """The amount of ``asset`` in the user's units (an NFT as ``DPUNK #1``)."""
    if asset.standard in ("erc721", "erc1155"):
        count = "" if amount in (None, "1") else f"{amount} × "
        if asset.token_id is None:  # an offer on any item of the collection (Seaport criteria)
            return f"{count or 'one '}item{'s' if count else ''} of {asset.symbol or f'the collection {asset.token}'}"
        if asset.symbol:
            return f"{count}{asset.symbol} #{asset.token_id}"
        return f"{count}item #{asset.token_id} of the collection {asset.token}"
    return amount_text(amount, asset.decimals, asset.symbol, asset.token, unlimited=unlimited)


PERMISSIONS = {"erc20": Permission.ALLOWANCE, "permit": Permission.PERMIT, "permit2": Permission.PERMIT2,
               "credit_delegation": Permission.CREDIT_DELEGATION, "account_control": Permission.ACCOUNT_CONTROL}


def _grant(facts: Facts, approval: Approval) -> Effect:
    """A grant or a revocation, from an approval of any standard."""
    if approval.standard in ("erc721", "erc1155"):
        permission = Permission.TOKEN if approval.token_id is not None else Permission.OPERATOR
        standard = approval.standard
    else:
        permission, standard = PERMISSIONS.get(approval.standard, Permission.ALLOWANCE), "erc20"
    asset = asset_of(facts, facts.approvals_chain_id, standard, approval.token, approval.token_id)
    kind = EffectKind.REVOKE if approval.revokes else EffectKind.GRANT
    if permission is Permission.OPERATOR:
        display = f"every {asset.symbol or 'item'} of the collection {approval.token}"
    elif approval.revokes:
        display = shown(asset, None) if permission is Permission.TOKEN else f"{asset.symbol or approval.token}"
    else:
        display = shown(asset, approval.amount, approval.unlimited)
    return Effect(kind=kind, asset=asset, amount=None if permission is Permission.OPERATOR else approval.amount,
                  display=display, unlimited=approval.unlimited and not approval.revokes,
                  counterparty=approval.spender, permission=permission, expires_at=iso_time(approval.expires_at),
                  source=EffectSource(approval.source))


def _callers_calls(facts: Facts) -> Iterable[tuple[DecodedCall, str | None, int]]:
    """The calls the user's account makes itself: the transaction's call, a batch's calls, or the calls a user
    operation's account runs (its execute/executeBatch unpacked)."""
    if facts.decoded is None:
        return []
    if facts.kind == "batch" or facts.user_operation is not None:
        return [(c, c.target, int(c.value or 0)) for c in facts.decoded.calls] or [
            (facts.decoded, facts.to, int(facts.value))]
    return [(facts.decoded, facts.to, int(facts.value))]


def _called_gives(facts: Facts) -> list[Effect]:
    """What the calldata says the user gives: the native value of each call, token transfers out of the account."""
    gives = []
    sender = facts.sender
    top = [] if facts.decoded is not None else [(None, facts.to, int(facts.value))]
    for call, target, wei in [*top, *_callers_calls(facts)]:
        if wei and target:
            gives.append(Effect(kind=EffectKind.GIVE, asset=asset_of(facts, facts.chain_id, "native", None),
                                amount=str(wei), display=amount_text(wei, 18, native_symbol(facts.chain_id)),
                                counterparty=target, source=EffectSource.CALLDATA))
        spec = TRANSFERS.get(call.function or "") if call is not None else None
        if spec is None or target is None:
            continue
        source_at, to_at, amount_at, standard = spec
        values = [a.value for a in call.args]  # type: ignore[union-attr]
        if source_at is not None and values[source_at] != sender:
            continue
        token_id = str(values[2]) if standard != "erc20" else None
        amount = "1" if standard == "erc721" else str(values[amount_at])
        asset = asset_of(facts, facts.chain_id, standard, target, token_id)
        gives.append(Effect(kind=EffectKind.GIVE, asset=asset, amount=amount, display=shown(asset, amount),
                            counterparty=values[to_at], source=EffectSource.CALLDATA))
    return gives


def _key(asset: Asset | None) -> tuple[str | None, ...]:
    return (asset.standard, asset.token, asset.token_id) if asset else (None, None, None)


def acting_for(facts: Facts) -> str | None:
    """The account the user acts for besides their own: the Safe whose execTransaction they send."""
    decoded = facts.decoded
    if decoded is not None and (decoded.function or "").startswith("execTransaction(") and facts.to:
        return facts.to
    return None


def _simulated(facts: Facts) -> list[Effect]:
    """The balance changes of the user (and of the Safe they execute for) in the simulation: what leaves (give)
    and what arrives (get); each with the one account on the other side of the same asset, when there is exactly
    one."""
    sim = facts.simulation
    assert sim is not None
    changes = [c for c in sim.asset_changes if int(c.delta)]
    safe = acting_for(facts)
    mine = {facts.sender, safe} - {None}
    effects = []
    for change in changes:
        if change.address not in mine:
            continue
        asset = asset_of(facts, facts.chain_id, change.standard, change.token, change.token_id)
        delta = int(change.delta)
        others = [c.address for c in changes if c.address not in mine and _key(
            asset_of(facts, facts.chain_id, c.standard, c.token, c.token_id)) == _key(asset)
            and (int(c.delta) > 0) == (delta < 0)]
        amount = str(abs(delta))
        effects.append(Effect(kind=EffectKind.GIVE if delta < 0 else EffectKind.GET, asset=asset, amount=amount,
                              display=shown(asset, amount), counterparty=others[0] if len(others) == 1 else None,
                              recipient=change.address if delta > 0 else None, source=EffectSource.SIMULATION,
                              account=None if change.address == facts.sender else change.address))
    return effects


def _disagreements(called: list[Effect], simulated: list[Effect]) -> list[Disagreement]:
    """Each asset the calldata says the user gives whose simulated outflow differs."""
    found = []
    out: dict[tuple[str | None, ...], int] = {}
    for effect in simulated:
        if effect.kind is EffectKind.GIVE:
            out[_key(effect.asset)] = out.get(_key(effect.asset), 0) + int(effect.amount or 0)
    asked: dict[tuple[str | None, ...], tuple[Asset, int]] = {}
    for effect in called:
        assert effect.asset is not None
        before = asked.get(_key(effect.asset), (effect.asset, 0))[1]
        asked[_key(effect.asset)] = (effect.asset, before + int(effect.amount or 0))
    for key, (asset, amount) in asked.items():
        moved = out.get(key)
        if moved != amount:
            said = shown(asset, str(amount))
            note = (f"the calldata sends {said}, but the simulation moved none of it" if moved is None else
                    f"the calldata sends {said}, but the simulation moved {shown(asset, str(moved))}")
            found.append(Disagreement(asset=asset, calldata_amount=str(amount),
                                      simulated_amount=str(moved) if moved is not None else None, note=note))
    return found


def effects_of(facts: Facts) -> tuple[list[Effect], list[Disagreement]]:
    """Every effect of the request on the user, in the order a person reads them — what they give, what they
    get, what they allow or revoke, what control changes, where they sign in, what is deployed — and where the
    calldata and the simulation disagree. Labels name counterparties from the lists."""
    sim = facts.simulation
    called = _called_gives(facts) if facts.kind in ("transaction", "batch") else []
    ran = sim is not None and sim.status == "success" and sim.asset_changes_known
    reverted = sim is not None and sim.status == "reverted"
    moves = _simulated(facts) if ran else [] if reverted else called  # a reverted transaction moves nothing
    disagreements = _disagreements(called, moves) if ran and called else []
    effects = [*moves, *order_effects(facts)]
    effects += [_grant(facts, a) for a in facts.approvals]
    effects += [Effect(kind=EffectKind.GRANT, display="your account's code", counterparty=delegate,
                       permission=Permission.EIP7702_DELEGATION, source=EffectSource.CALLDATA)
                for delegate in facts.delegations]
    effects += [e for call, target, _ in facts.calls() if (e := control_of(call, target)) is not None]
    if facts.message is not None and facts.message.siwe:
        domain = str(facts.message.siwe.get("domain"))
        effects.append(Effect(kind=EffectKind.SIGN_IN, display=f"sign in to {domain}", detail=domain,
                              source=EffectSource.TYPED_DATA))
    for address in (sim.deployed if sim is not None else []):
        effects.append(Effect(kind=EffectKind.DEPLOY, display=f"a new contract at {address}", counterparty=address,
                              source=EffectSource.SIMULATION))
    order = {kind: i for i, kind in enumerate(EffectKind)}
    effects.sort(key=lambda e: order[e.kind])
    for effect in effects:
        if effect.counterparty and (label := facts.labels.get(effect.counterparty)) is not None:
            effect.counterparty_label = label.name
    return effects, disagreements
