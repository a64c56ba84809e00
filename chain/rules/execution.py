"""Rules over what could be decoded and what the simulation did."""

from __future__ import annotations

from decimal import Decimal, localcontext

from chain.decode import DecodeSource
from chain.effects.model import Effect, EffectKind
from chain.facts import Facts
from chain.rules.model import Finding, finding
from chain.rules.policy import Policy
from chain.rules.registry import rule
from chain.simulate.model import SimulationStatus
from chain.units import usd_text


@rule("UNKNOWN_FUNCTION")
def unknown_function(facts: Facts, policy: Policy) -> list[Finding]:
    """Calldata is present but nothing resolves it — at the top level or in any nested call. A layout guessed from
    the calldata or inferred from the target's bytecode is not a resolution: it names no function."""
    found = []
    for call, target, _ in facts.calls():
        if call.source not in (DecodeSource.UNKNOWN, DecodeSource.GUESSED, DecodeSource.BYTECODE):
            continue
        where = "The call's data" if call is facts.decoded else f"A nested call to {target}"
        reason = call.error or "no known function has this selector; only its argument types were inferred from " \
                               "the target's bytecode"
        found.append(finding("UNKNOWN_FUNCTION", policy, f"{where} could not be decoded: {reason}.",
                             selector=call.selector, target=target, reason=reason,
                             calldata_size=facts.calldata_size))
    return found


@rule("CALL_TO_NO_CODE")
def call_to_no_code(facts: Facts, policy: Policy) -> list[Finding]:
    """Data sent to an address that has no code on the request's chain: the call runs nothing. An account the
    request itself gives code first (a user operation's factory, the sender's own EIP-7702 delegation) is not one."""
    op = facts.user_operation
    gets_code = ({op.account} if op is not None and op.factory else set()) | (
        {facts.sender} if facts.delegations and facts.sender else set())
    found, seen = [], set()
    for call, target, _ in facts.calls():
        carries_data = call.selector is not None or call.source == DecodeSource.UNKNOWN
        if target is None or target in seen or target in gets_code or not carries_data:
            continue
        account = facts.account(target)
        if account.has_code is False and account.delegated_to is None:
            seen.add(target)
            what = f"{call.function.split('(')[0]} call" if call.function else "call"
            found.append(finding("CALL_TO_NO_CODE", policy, f"The {what} goes to {target}, which holds no code on "
                                 f"chain {facts.chain_id}: it would run nothing and only cost gas.",
                                 target=target, selector=call.selector, function=call.function,
                                 chain_id=facts.chain_id))
    return found


@rule("SIMULATION_REVERTED")
def simulation_reverted(facts: Facts, policy: Policy) -> list[Finding]:
    """The simulated transaction reverts."""
    sim = facts.simulation
    if sim is None or sim.status is not SimulationStatus.REVERTED:
        return []
    return [finding("SIMULATION_REVERTED", policy,
                    f"The transaction fails when simulated: {sim.revert_reason}.",
                    revert_reason=sim.revert_reason, gas_used=sim.gas_used, backend=sim.backend)]


@rule("SIMULATION_UNAVAILABLE")
def simulation_unavailable(facts: Facts, policy: Policy) -> list[Finding]:
    """No simulation could run, so the effects are unknown."""
    sim = facts.simulation
    if sim is None:  # a signature: nothing to simulate, but its counterparties' code may be unknown
        unknown = [a.spender for a in facts.approvals if a.grants and (
            facts.accounts.get(a.spender) is None or facts.accounts[a.spender].has_code is None)]
        if facts.lookups_unavailable and unknown:
            return [finding("SIMULATION_UNAVAILABLE", policy,
                            f"The spender's code could not be looked up ({facts.lookups_unavailable}).",
                            reason=facts.lookups_unavailable)]
        return []
    if sim.status is SimulationStatus.UNAVAILABLE:
        return [finding("SIMULATION_UNAVAILABLE", policy,
                        f"The transaction could not be simulated ({sim.error}); its effects are unknown.",
                        reason=sim.error, backend=sim.backend)]
    if not sim.asset_changes_known:
        return [finding("SIMULATION_UNAVAILABLE", policy,
                        f"The node only told {sim.status.value}; the transaction's asset changes are unknown.",
                        reason="the node supports neither eth_simulateV1 nor debug_traceCall",
                        backend=sim.backend, status=sim.status.value)]
    return []


@rule("UNFAIR_EXCHANGE")
def unfair_exchange(facts: Facts, policy: Policy) -> list[Finding]:
    """What the user gives is worth far more than what they get, both sides priced on-chain: the transaction's own
    balance changes, or each signed order (an unpriced side decides nothing)."""
    groups: dict[int | None, list[Effect]] = {}
    for effect in facts.effects:
        if effect.kind in (EffectKind.GIVE, EffectKind.GET):
            groups.setdefault(effect.order if effect.source == "typed_data" else -1, []).append(effect)
    found = []
    for order, effects in groups.items():
        gives = [e for e in effects if e.kind is EffectKind.GIVE]
        gets = [e for e in effects if e.kind is EffectKind.GET]
        if not gives or not gets or any(e.usd is None for e in effects):
            continue
        with localcontext(prec=120):
            given, got = sum(Decimal(str(e.usd)) for e in gives), sum(Decimal(str(e.usd)) for e in gets)
            loss = (given - got) / given * 100 if given else Decimal(0)
        if given < policy.threshold("exchange_min_usd") or loss <= policy.threshold("exchange_max_loss_percent"):
            continue
        where = "This order" if order not in (None, -1) or facts.typed_data is not None else "This transaction"
        found.append(finding("UNFAIR_EXCHANGE", policy,
                             f"{where} gives {' and '.join(e.display for e in gives)} ({usd_text(given)}) for "
                             f"{' and '.join(e.display for e in gets)} ({usd_text(got)}): {loss:.0f}% of the value "
                             "is lost.", given_usd=str(given), got_usd=str(got), loss_percent=f"{loss:.1f}",
                             price_sources=sorted({str(e.price_source) for e in effects}),
                             order=order if order not in (None, -1) else None))
    return found
