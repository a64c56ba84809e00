"""chain/'s service: decode, simulate, gather facts and run the rules for one transaction.

What the calldata or the signature alone proves (approvals, revocations, scam entry points, ownership changes)
is read whether or not chain state is available; each check that needs state and could not run is named in
``facts.skipped``, so the result says "the spender's code was not checked" instead of saying nothing.
"""

from __future__ import annotations

import time
from decimal import Decimal

from chain.analysis import Analysis
from chain.answers import DecodeResult, SimulateResult
from chain.approvals import Approval, approvals_of, nft_standard
from chain.decode import DecodedCall, decode_batch, decode_calldata, deployment
from chain.decode.messages import MessageFacts, message_facts
from chain.decode.safe_tx import safe_tx_call
from chain.decode.typed_data import TypedDataFacts, classify
from chain.decode.typed_data_v1 import legacy_message_facts
from chain.effects import effects_of
from chain.facts import AccountFacts, Facts, SkippedCheck, TokenFacts, walk_calls
from chain.intel.availability import unavailable_feeds
from chain.intel.labels import labels_of
from chain.pricing import Pricer, price_effects, priceable
from chain.protocols import protocol_registry
from chain.request import Signature, Transaction, request_kind
from chain.rules import Policy, evaluate
from chain.simulate import SimulationBackend
from chain.simulate.chains import backend_for
from chain.simulate.logs import token_meta
from chain.simulate.model import SimulationResult, SimulationStatus
from chain.simulated_approvals import observed_approvals
from chain.state import ChainState, delegation_target
from chain.trace import Trace

NO_SENDER = "the batch names no sender (from): the wallet picks the account, so it was not simulated"




def analyze(request: Transaction | Signature, backend: SimulationBackend, policy: Policy,
            trace: Trace) -> Analysis:
    """Decode, simulate (transactions) and judge a request; each step is recorded in ``trace``."""
    if isinstance(request, Signature):
        return analyze_signature(request, backend, policy, trace)
    tx = request
    backend = backend_for(backend, tx.chain_id)
    with backend.session(tx.state_overrides) as state:
        readable = _readable(state, tx.chain_id)
        with trace.step("decode", to=tx.to, calldata_size=len(tx.data)) as call:
            decoded = _decode_transaction(tx, readable)
            call.output = decoded.model_dump(mode="json") if decoded else None

        with trace.step("simulate", backend=backend.name, chain_id=tx.chain_id, gas=tx.gas) as call:
            simulation = _simulate(tx, state, backend.name)
            call.output = simulation.model_dump(mode="json")
        # State is only trusted when it is the request's chain and the backend could run (a node that is down
        # answers every code look-up with "no code", which would turn every contract into a plain account).
        usable = readable if simulation.status is not SimulationStatus.UNAVAILABLE or tx.sender is None else None
        why = simulation.error or "no state for this chain"

        with trace.step("approvals") as call:
            approvals = _approvals(decoded, tx.to, tx.value, usable, policy)
            approvals += observed_approvals(simulation, approvals, tx.sender, policy.threshold("unlimited_approval"))
            call.output = [a.model_dump(mode="json") for a in approvals]

        targets = {c.to for c in tx.calls or [] if c.to} | ({tx.to} if tx.to else set())
        counterparties = sorted({a.spender for a in approvals if a.grants} | targets)
        with trace.step("lookup_code", addresses=counterparties) as call:
            accounts = {address: _account(usable, address) for address in counterparties}
            if usable is None:
                accounts.update(registered_accounts(tx.chain_id, counterparties))
            call.output = {a: f.model_dump(mode="json") for a, f in accounts.items()}

        tokens = {}
        token_addresses = sorted({a.token for a in approvals} | _called_tokens(decoded, tx.to))
        if token_addresses and usable is not None:
            known = {a.token: a.standard for a in approvals}  # approvals_of already asked ERC-165
            with trace.step("token_metadata", tokens=token_addresses) as call:
                for token in token_addresses:
                    meta = token_meta(token, usable.call_signature)
                    tokens[token] = TokenFacts(address=token, symbol=meta.symbol, decimals=meta.decimals,
                                               symbol_raw=meta.symbol_raw,
                                               standard=known.get(token) or nft_standard(usable, token) or "erc20")
                call.output = {t: f.model_dump(mode="json") for t, f in tokens.items()}

    skipped = _skipped(tx, decoded, simulation, approvals, token_addresses, usable is None, why,
                       {a for a, f in accounts.items() if f.registered})
    skipped += unavailable_feeds(tx.context.origin, bool(token_addresses), _delegatecalls(decoded, tx.to))
    facts = Facts(
        kind=request_kind(tx), chain_id=tx.chain_id, sender=tx.sender,
        to=tx.to, value=str(tx.value), calldata_size=len(tx.data),
        decoded=decoded, approvals=approvals, simulation=simulation, accounts=accounts, tokens=tokens,
        context=tx.context, observed_at=int(time.time()), delegations=tx.delegations, skipped=skipped,
        user_operation=tx.user_operation,
    )
    return _judge(facts, policy, trace, backend)


def _simulate(tx: Transaction, state: ChainState, backend: str) -> SimulationResult:
    if tx.sender is None:
        return SimulationResult(status=SimulationStatus.UNAVAILABLE, backend=backend, error=NO_SENDER,
                                asset_changes_known=False)
    op = tx.user_operation
    deployable = tx.deployment is not None and bool(state.code(tx.deployment.factory))
    if op is not None and state.chain_id == tx.chain_id and not state.code(op.account) and not deployable:
        if tx.delegations:
            why = f"its EIP-7702 delegation to {tx.delegations[0]} is not applied by the simulator"
        elif tx.deployment is not None:
            why = (f"this operation deploys it through its factory {tx.deployment.factory}, which has no code in "
                   "the simulator's state")
        else:
            why = "and the operation names no factory: the EntryPoint would refuse it"
        return SimulationResult(status=SimulationStatus.UNAVAILABLE, backend=backend, asset_changes_known=False,
                                error=f"the account {op.account} has no code yet: {why}")
    return state.simulate(tx)  # type: ignore[attr-defined]


def registered_accounts(chain_id: int, addresses: list[str]) -> dict[str, AccountFacts]:
    """The addresses the protocol registry knows on ``chain_id``: contracts its packages deployed there, so their
    code need not be looked up (a keyless CREATE2 address can only ever hold the code its package deployed)."""
    registry = protocol_registry()
    return {a: AccountFacts(address=a, has_code=True, registered=known.source)
            for a in addresses if (known := registry.contract(chain_id, a)) is not None}


def _account(state: ChainState | None, address: str) -> AccountFacts:
    if state is None:
        return AccountFacts(address=address, has_code=None)
    code = state.code(address)
    return AccountFacts(address=address, has_code=bool(code), delegated_to=delegation_target(code))


def _skipped(tx: Transaction, decoded: DecodedCall | None, simulation: SimulationResult, approvals: list[Approval],
             tokens: list[str], no_state: bool, why: str, registered: set[str]) -> list[SkippedCheck]:
    """The checks that needed state and could not run, each with the rules it would have fed (the code of an
    address the protocol registry knows needs no look-up)."""
    skipped = []
    if simulation.status is SimulationStatus.UNAVAILABLE:
        skipped.append(SkippedCheck(check="simulation", reason=simulation.error or "unavailable"))
    if tx.sender is None:
        skipped.append(SkippedCheck(check="swap_recipient", reason=NO_SENDER))
    if not no_state:
        return skipped
    called = {c.to for c in tx.calls or [] if c.to and c.data} | ({tx.to} if tx.to and tx.data else set())
    for target in sorted(called - registered):
        skipped.append(SkippedCheck(check="target_code", subject=target,
                                    reason=f"whether the called address holds code was not checked: {why}"))
    for spender in sorted({a.spender for a in approvals if a.grants} - registered):
        skipped.append(SkippedCheck(check="spender_code", subject=spender,
                                    reason=f"the spender's code was not checked: {why}"))
    for token in sorted({a.token for a in approvals if not a.standard_confirmed}):
        skipped.append(SkippedCheck(check="token_standard", subject=token,
                                    reason=f"the token's standard was read from the selector, not from ERC-165: {why}"))
    for token in tokens:
        skipped.append(SkippedCheck(check="token_metadata", subject=token,
                                    reason=f"the token's symbol and decimals were not read: {why}"))
    unknown = {target for call, target, _ in walk_calls(decoded, tx.to) if call.source == "unknown" and target}
    for target in sorted(unknown):
        skipped.append(SkippedCheck(check="bytecode", subject=target,
                                    reason=f"the target's bytecode and proxy were not read to decode the call: {why}"))
    return skipped


TOKEN_CALLS = ("transfer(address,uint256)", "transferFrom(address,address,uint256)")


def _called_tokens(decoded: DecodedCall | None, to: str | None) -> set[str]:
    """Targets of token transfers at any depth, so their symbols are known to the rules and the summary."""
    return {target for call, target, _ in walk_calls(decoded, to) if call.function in TOKEN_CALLS and target}


def _decode_transaction(tx: Transaction, state: ChainState | None) -> DecodedCall | None:
    if tx.calls is not None:
        return decode_batch([(c.to, c.value, c.data) for c in tx.calls], abi=tx.abi, state=state,
                            chain_id=tx.chain_id)
    if tx.to is None and tx.data:
        return deployment(tx.data)
    return decode_calldata(tx.data, tx.to, abi=tx.abi, state=state, chain_id=tx.chain_id)


def _judge(facts: Facts, policy: Policy, trace: Trace, backend: SimulationBackend) -> Analysis:
    facts.labels = labels_of(facts, policy)
    with trace.step("effects") as call:
        facts.effects, facts.disagreements = effects_of(facts)
        call.output = {"effects": len(facts.effects), "disagreements": len(facts.disagreements)}
    _price(facts, backend, policy, trace)
    with trace.step("rules", policy_version=policy.version) as call:
        verdict, findings = evaluate(facts, policy)
        call.output = {"verdict": verdict, "findings": [f.rule for f in findings]}
    return Analysis(facts=facts, verdict=verdict, findings=findings)


def _price(facts: Facts, backend: SimulationBackend, policy: Policy, trace: Trace) -> None:
    """Dollar values of the effects, read on the chain they act on (its base state: never the request's overrides,
    which the asking site writes); an asset left unpriced, or a chain with no state, is a skipped check."""
    if not any(priceable(e) for e in facts.effects):
        return
    chain = facts.approvals_chain_id
    served = backend_for(backend, chain)
    if getattr(served, "chain_id", None) != chain:
        why = getattr(served, "reason", None) or f"no state for chain {chain}"
        facts.skipped.append(SkippedCheck(check="prices", reason=f"nothing was priced: {why}"))
        return
    with served.session({}) as state, trace.step("prices", chain_id=chain) as call:
        unpriced = price_effects(facts, Pricer(state, chain, Decimal(policy.threshold("price_min_pool_usd"))))
        call.output = {"priced": sum(e.usd is not None for e in facts.effects), "unpriced": unpriced}
    facts.skipped += [SkippedCheck(check="prices", subject=asset if asset.startswith("0x") else None,
                                   reason=f"no on-chain price for {asset}") for asset in unpriced]


def analyze_signature(sig: Signature, backend: SimulationBackend, policy: Policy, trace: Trace) -> Analysis:
    """Classify a signing request, look up its spenders' code on the chain the signature is valid on (the
    typed-data domain's chainId, else the request's), and judge it."""
    typed = message = decoded = None
    approvals = []
    with trace.step("decode_signature", method=sig.method, digest="0x" + sig.digest.hex()) as call:
        if sig.typed_data is not None:
            typed, approvals = classify(sig.typed_data, sig.digest, policy.threshold("unlimited_approval"),
                                        sig.signer)
            decoded, authorized = _authorized_call(sig, typed, policy)
            approvals += authorized
            call.output = typed.model_dump(mode="json") | {"approvals": [a.model_dump(mode="json") for a in approvals]}
        else:
            message = _message_facts(sig)
            call.output = message.model_dump(mode="json")
    accounts: dict[str, AccountFacts] = {}
    tokens: dict[str, TokenFacts] = {}
    skipped: list[SkippedCheck] = []
    unavailable = None
    spenders = sorted({a.spender for a in approvals if a.grants})
    ordered = {(i.token, i.standard) for o in (typed.orders if typed else []) for i in [*o.gives, *o.gets] if i.token}
    valid_on = typed.chain_id if typed is not None and typed.chain_id is not None else sig.chain_id
    backend = backend_for(backend, valid_on)
    if spenders or ordered:
        served = getattr(backend, "chain_id", None)
        if served != valid_on:  # a chain with no node says why (UnservedChain.reason)
            unavailable = (getattr(backend, "reason", None)
                           or f"the simulator serves chain {served}, the signature is valid on chain {valid_on}")
        with backend.session(sig.state_overrides) as state, trace.step("lookup_code", addresses=spenders,
                                                                      chain_id=valid_on) as call:
            for address in spenders:
                accounts[address] = _account(state if unavailable is None else None, address)
            if unavailable is None:  # the tokens it approves or trades: symbols and decimals
                for token, standard in sorted({(a.token, "erc20") for a in approvals} | ordered):
                    meta = token_meta(token, state.call_signature)
                    tokens[token] = TokenFacts(address=token, symbol=meta.symbol, decimals=meta.decimals,
                                               symbol_raw=meta.symbol_raw, standard=standard)
            call.output = {a: f.model_dump(mode="json") for a, f in accounts.items()}
    if unavailable is not None:
        accounts.update(registered_accounts(valid_on, spenders))
        skipped = [SkippedCheck(check="spender_code", subject=s,
                                reason=f"the spender's code was not checked: {unavailable}")
                   for s in spenders if s not in accounts]
    skipped += unavailable_feeds(sig.context.origin, bool(approvals),
                                 _delegatecalls(decoded, typed.verifying_contract if typed else None))
    facts = Facts(
        kind=request_kind(sig), chain_id=sig.chain_id, sender=sig.signer,
        to=typed.verifying_contract if decoded is not None else None, decoded=decoded, approvals=approvals,
        accounts=accounts, tokens=tokens, context=sig.context, typed_data=typed,
        message=message, signing_method=sig.method, observed_at=int(time.time()), lookups_unavailable=unavailable,
        skipped=skipped,
    )
    return _judge(facts, policy, trace, backend)


def _approvals(decoded: DecodedCall | None, to: str | None, value: int, state: ChainState | None,
               policy: Policy) -> list[Approval]:
    """Every approval the (nested) calls to ``to`` grant or revoke, with the policy's unlimited threshold; without
    ``state`` the standard comes from the selector."""
    threshold = policy.threshold("unlimited_approval")
    return [approval for call, target, _ in walk_calls(decoded, to, value)
            for approval in approvals_of(call, target, state, threshold)]


def _delegatecalls(decoded: DecodedCall | None, to: str | None) -> bool:
    return any(call.operation == "delegatecall" for call, _, _ in walk_calls(decoded, to))


def _authorized_call(sig: Signature, typed: TypedDataFacts, policy: Policy) -> tuple[DecodedCall | None,
                                                                                     list[Approval]]:
    """A SafeTx signature's execTransaction, decoded, and the approvals its inner calls grant (the Safe's)."""
    if typed.classification != "safe_tx" or sig.typed_data is None or typed.verifying_contract is None:
        return None, []
    decoded = safe_tx_call(sig.typed_data.get("message") or {}, typed.verifying_contract, typed.chain_id)
    return decoded, _approvals(decoded, typed.verifying_contract, 0, None, policy)


def simulate_request(request: Transaction, backend: SimulationBackend, policy: Policy) -> SimulateResult:
    """Decode and simulate only — no rules, no model: the decoded call, the simulation, and the approvals."""
    backend = backend_for(backend, request.chain_id)
    with backend.session(request.state_overrides) as state:
        readable = _readable(state, request.chain_id)
        decoded = _decode_transaction(request, readable)
        simulation = _simulate(request, state, backend.name)
        usable = readable if simulation.status is not SimulationStatus.UNAVAILABLE else None
        approvals = _approvals(decoded, request.to, request.value, usable, policy)
        approvals += observed_approvals(simulation, approvals, request.sender, policy.threshold("unlimited_approval"))
    return SimulateResult(kind=request_kind(request), decoded=decoded, simulation=simulation, approvals=approvals)


def _message_facts(sig: Signature) -> MessageFacts:
    """A message signature's facts: personal_sign / eth_sign bytes, or a legacy v1 typed-data document."""
    if sig.legacy_typed_data is not None:
        return legacy_message_facts(sig.legacy_typed_data)
    return message_facts(sig.message or b"")


def _readable(state: ChainState, chain_id: int) -> ChainState | None:
    """The state, if it is the request's chain: code and storage of another chain would mislead."""
    return state if state.chain_id == chain_id else None


def decode_request(request: Transaction | Signature, policy: Policy,
                   backend: SimulationBackend | None = None) -> DecodeResult:
    """Decoding only — no simulation, no model: what the calldata or signature payload says, and the approvals its
    bytes grant (read as explain reads them). With a ``backend`` serving the request's chain, proxies are resolved,
    bytecode consulted and token standards asked."""
    kind = request_kind(request)
    if isinstance(request, Signature):
        if request.typed_data is not None:
            typed, approvals = classify(request.typed_data, request.digest, policy.threshold("unlimited_approval"),
                                        request.signer)
            decoded, authorized = _authorized_call(request, typed, policy)
            return DecodeResult(kind=kind, typed_data=typed, decoded=decoded, approvals=approvals + authorized)
        return DecodeResult(kind=kind, message=_message_facts(request), digest="0x" + request.digest.hex())
    if backend is None:
        decoded = _decode_transaction(request, None)
        approvals = _approvals(decoded, request.to, request.value, None, policy)
    else:
        backend = backend_for(backend, request.chain_id)
        with backend.session(request.state_overrides) as state:
            readable = _readable(state, request.chain_id)
            decoded = _decode_transaction(request, readable)
            approvals = _approvals(decoded, request.to, request.value, readable, policy)
    return DecodeResult(kind=kind, decoded=decoded, approvals=approvals)
