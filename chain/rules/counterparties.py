"""Rules about who the request deals with and what the call is: denylist, scams, poisoning, ownership,
swaps, EIP-7702 delegations, and token text that tries to talk to the user or the model."""

from __future__ import annotations

import re

from chain.decode import DecodedCall
from chain.decode.universal_router import ADDRESS_THIS, MSG_SENDER
from chain.effects.controls import OWNERSHIP_FUNCTIONS, party_of
from chain.facts import Facts
from chain.intel.operator import operator_feeds
from chain.intel.safe import safe_deployments
from chain.intel.sanctions import sanctions_list
from chain.intel.tokens import skeleton
from chain.protocols import protocol_registry
from chain.rules.model import Finding, finding
from chain.rules.policy import Policy
from chain.rules.registry import rule
from chain.rules.scam_shapes import scam_shaped
from chain.sanitize import MODEL_INSTRUCTION
from chain.units import amount_text, native_amount

TRANSFERS = {"transfer(address,uint256)": "to", "transferFrom(address,address,uint256)": "to"}
KNOWN_SYMBOLS = {"USDC", "USDT", "ETH", "WETH", "DAI", "WBTC", "USDE", "STETH"}
INSTRUCTION_WORDS = re.compile(
    r"(ignore|disregard|previous|instruction|verified|official|claim|visit|airdrop|reward|safe to|approve|"
    r"system prompt|you are)", re.IGNORECASE)
URL = re.compile(r"(https?://|www\.|\b[a-z0-9-]+\.(com|io|xyz|org|net|app|site|info|top|claim)\b)", re.IGNORECASE)


@rule("KNOWN_MALICIOUS")
def known_malicious(facts: Facts, policy: Policy) -> list[Finding]:
    """Any counterparty on the policy's denylist or on a ``malicious`` operator feed."""
    denied = {a.lower() for a in policy.denylist.get("addresses", [])}
    found = [finding("KNOWN_MALICIOUS", policy, f"{address} is on the denylist of known malicious addresses.",
                     address=address, feed="policy denylist", source=policy.identity["version"])
             for address in sorted(facts.counterparties()) if address.lower() in denied]
    return found + _feed_findings(facts, policy, "KNOWN_MALICIOUS", "malicious", "known malicious addresses")


@rule("SANCTIONED_ADDRESS")
def sanctioned_address(facts: Facts, policy: Policy) -> list[Finding]:
    """Any address of the request, the sender's included, on the bundled SDN list or a ``sanctioned`` feed."""
    bundled = sanctions_list()
    found = []
    if bundled.provenance is not None:
        involved = facts.counterparties() | ({facts.sender} if facts.sender else set())
        found = [finding("SANCTIONED_ADDRESS", policy, f"{address} is on the OFAC SDN list of sanctioned addresses.",
                         address=address, label=None, **bundled.provenance.evidence())
                 for address in sorted(involved) if bundled.listed(address)]
    return found + _feed_findings(facts, policy, "SANCTIONED_ADDRESS", "sanctioned", "sanctioned addresses",
                                  with_sender=True)


def _feed_findings(facts: Facts, policy: Policy, rule_id: str, category: str, what: str,
                   with_sender: bool = False) -> list[Finding]:
    feeds = operator_feeds()
    involved = facts.counterparties() | ({facts.sender} if with_sender and facts.sender else set())
    found = []
    for address in sorted(involved):
        for meta, label in feeds.listed(category, address):
            named = f" ({label})" if label else ""
            found.append(finding(rule_id, policy, f"{address}{named} is on the feed {meta.feed!r} of {what}.",
                                 address=address, label=label, **meta.provenance.evidence()))
    return found


@rule("SUSPICIOUS_PAYABLE_CALL")
def suspicious_payable_call(facts: Facts, policy: Policy) -> list[Finding]:
    """Value sent, at any depth, with a call of the claim / security-update family by shape (a family name, no or
    trivial arguments), to a contract the protocol registry does not know."""
    found = []
    registry = protocol_registry()
    for call, target, value in facts.calls():
        if not value or (target is not None and registry.contract(facts.chain_id, target) is not None):
            continue
        if (signature := scam_shaped(call)) is None:
            continue
        named = "" if call.function == signature else " (its selector spells it; no table names it)"
        found.append(finding("SUSPICIOUS_PAYABLE_CALL", policy,
                             f"Sends {native_amount(value, facts.chain_id)} with {signature.split('(')[0]}{named}: "
                             "'claim' and 'security update' calls that take ETH are a classic scam.",
                             function=signature, value=str(value), to=target, by_shape=call.function != signature))
    return found


@rule("TRANSFER_TO_TOKEN_CONTRACT")
def transfer_to_token_contract(facts: Facts, policy: Policy) -> list[Finding]:
    """Tokens sent to the token contract itself, where they are almost always lost (any depth)."""
    return [finding("TRANSFER_TO_TOKEN_CONTRACT", policy,
                    f"Sends tokens to the token contract {target} itself; they would most likely be lost.",
                    token=target, recipient=target)
            for call, target, _ in facts.calls()
            if call.function in TRANSFERS and target is not None and call.arg("to") == target]


def _recipients(facts: Facts) -> set[str]:
    found = {call.arg("to") for call, _, _ in facts.calls() if call.function in TRANSFERS}
    if facts.decoded is None and facts.to and int(facts.value):
        found.add(facts.to)
    # nested plain value sends (a batch's or a Safe's call with no calldata)
    found |= {target for call, target, wei in facts.calls()
              if call is not facts.decoded and call.function is None and call.selector is None
              and call.source != "unknown" and wei and target}
    return found


@rule("POISONED_ADDRESS")
def poisoned_address(facts: Facts, policy: Policy) -> list[Finding]:
    """A recipient that looks like an address-book entry (same first and last 4 hex digits) but is not it."""
    book = {a.lower() for a in facts.context.address_book}
    found = []
    for recipient in sorted(_recipients(facts)):
        r = recipient.lower()
        for known in sorted(book):
            if r != known and r[2:6] == known[2:6] and r[-4:] == known[-4:]:
                found.append(finding("POISONED_ADDRESS", policy,
                                     f"The recipient {recipient} imitates {known} from your address book: same "
                                     "start and end, different address.", recipient=recipient, lookalike_of=known))
    return found


# Universal Router recipients that mean "the caller" and "the router itself" (an intermediate hop).
ROUTER_SELF_RECIPIENTS = (MSG_SENDER, ADDRESS_THIS)
ROUTER_PAYOUTS = ("V2_SWAP_EXACT_IN", "V2_SWAP_EXACT_OUT", "V3_SWAP_EXACT_IN", "V3_SWAP_EXACT_OUT", "SWEEP",
                  "UNWRAP_WETH")
V3_RECIPIENT_AT = {"exactInputSingle": 3, "exactOutputSingle": 3, "exactInput": 1, "exactOutput": 1}


def _swap_recipient(call: DecodedCall) -> str | None:
    """Who receives a swap's output: V2 routers' ``to``, V3 routers' params.recipient, and the
    Universal Router's swap, sweep and unwrap commands (its own placeholders excluded)."""
    name = (call.function or "").split("(")[0]
    if name.startswith("swap") and any(a.name == "to" for a in call.args):
        return call.arg("to")
    if name in V3_RECIPIENT_AT and len(call.args) == 1 and isinstance(call.args[0].value, list):
        return call.args[0].value[V3_RECIPIENT_AT[name]]
    if call.command is not None and name in ROUTER_PAYOUTS:
        recipient = call.arg("recipient")
        return None if recipient in ROUTER_SELF_RECIPIENTS else recipient
    return None


@rule("SWAP_RECIPIENT_MISMATCH")
def swap_recipient_mismatch(facts: Facts, policy: Policy) -> list[Finding]:
    """A swap whose output goes to someone other than the sender (any depth), or a signed order of any kind
    (UniswapX, 1inch, CoW, Velora, …) that pays what comes back to someone other than its signer."""
    found = []
    orders = facts.typed_data.orders if facts.typed_data is not None else []
    for index, order in enumerate(orders):
        signer = order.signer or facts.sender
        for got in order.gets:
            if signer is not None and got.recipient is not None and got.recipient != signer:
                what = amount_text(got.amount, *_meta(facts, got.token), got.token) if got.token else \
                    native_amount(got.amount, facts.approvals_chain_id)
                found.append(finding("SWAP_RECIPIENT_MISMATCH", policy,
                                     f"The {order.protocol} order pays what you get ({what}) to {got.recipient}, "
                                     f"not to you ({signer}).", recipient=got.recipient, sender=signer,
                                     token=got.token, amount=got.amount, protocol=order.protocol, order=index))
    for call, _, _ in facts.calls():
        recipient = _swap_recipient(call)
        if recipient is not None and facts.sender is not None and recipient != facts.sender:
            found.append(finding("SWAP_RECIPIENT_MISMATCH", policy,
                                 f"The swap pays its output to {recipient}, not to you ({facts.sender}).",
                                 recipient=recipient, sender=facts.sender, function=call.function))
    return found


def _meta(facts: Facts, token: str | None) -> tuple[int | None, str | None]:
    """(decimals, symbol) of a token, as read during the analysis."""
    meta = facts.tokens.get(token or "")
    return (meta.decimals, meta.symbol) if meta else (None, None)


@rule("OWNERSHIP_CHANGE")
def ownership_change(facts: Facts, policy: Policy) -> list[Finding]:
    """transferOwnership / upgradeTo / changeAdmin / setOwner style calls, and Safe control changes (any depth)."""
    found = []
    for call, contract, _ in facts.calls():
        if call.function not in OWNERSHIP_FUNCTIONS:
            continue
        name = OWNERSHIP_FUNCTIONS[call.function]
        party = party_of(call, name)
        what = f"{call.function.split('(')[0]} changes who controls {contract}"
        found.append(finding("OWNERSHIP_CHANGE", policy, what + (f": {name} {party}." if party else "."),
                             function=call.function, contract=contract, new_party=party))
    return found


@rule("DELEGATECALL")
def delegatecall(facts: Facts, policy: Policy) -> list[Finding]:
    """Each delegatecall, at any depth, whose target is not a listed Safe library (MultiSend, SignMessageLib, …)
    on the chain the call runs on (a SafeTx's domain chain). Without the list installed, every one fires."""
    libraries = safe_deployments()
    chain_id = facts.approvals_chain_id
    found = []
    for call, target, _ in facts.calls():
        if call.operation != "delegatecall" or (target and libraries.library(chain_id, target)):
            continue
        what = call.function or "unknown code"
        found.append(finding(
            "DELEGATECALL", policy, f"The account would run the code at {target} ({what}) as its own "
            "(delegatecall): that code can move everything the account holds and change its owners.",
            target=target, function=call.function,
            list=libraries.provenance.evidence() if libraries.provenance else None))
    return found


@rule("EIP7702_DELEGATION")
def eip7702_delegation(facts: Facts, policy: Policy) -> list[Finding]:
    """A type-4 authorization that makes the account run code not on the allowlist."""
    allowed = policy.allowed_delegates(facts.chain_id)
    return [finding("EIP7702_DELEGATION", policy,
                    f"Your account would run the code at {delegate} (EIP-7702): it could move everything you own.",
                    delegate=delegate)
            for delegate in facts.delegations if delegate not in allowed]


def injection_reason(text: str, raw_changed: bool) -> str | None:
    """Why a token string is suspicious, or None."""
    if raw_changed:
        return "contains invisible, control or bidirectional characters"
    if URL.search(text):
        return "contains a URL"
    if INSTRUCTION_WORDS.search(text):
        return "contains instructions"
    folded = skeleton(text)
    if text.upper() not in KNOWN_SYMBOLS and (folded in KNOWN_SYMBOLS or (not text.isascii()
                                              and any(folded.startswith(s) for s in KNOWN_SYMBOLS))):
        return "imitates a well-known symbol"
    return None


@rule("METADATA_INJECTION")
def metadata_injection(facts: Facts, policy: Policy) -> list[Finding]:
    """Token or typed-data text that carries instructions, URLs, hidden characters or lookalike symbols; signed
    text (messages, SIWE statements, typed-data strings) that carries instructions aimed at a reader."""
    suspects: list[tuple[str, str, str | None, str]] = []  # (where, text, reason or None, source)
    signed = [("message", facts.message.text)] if facts.message is not None and facts.message.text else []
    if facts.message is not None and facts.message.siwe and facts.message.siwe.get("statement"):
        signed.append(("SIWE statement", facts.message.siwe["statement"]))
    if facts.typed_data is not None:
        signed += [(f"typed-data field {f.get('path', '?')}", f["value"]) for f in facts.typed_data.fields
                   if isinstance(f.get("value"), str)]
    for where, text in signed:  # free text is expected here; only instructions aimed at a reader are not
        reason = "contains instructions aimed at you or at an assistant" if MODEL_INSTRUCTION.search(text) else None
        suspects.append((where, text[:200], reason, "signed"))
    for token in facts.tokens.values():
        if token.symbol:
            suspects.append(("token symbol", token.symbol, injection_reason(token.symbol, token.symbol_raw is not None),
                             token.address))
    if facts.simulation is not None:
        for change in facts.simulation.asset_changes:
            if change.symbol and change.token and change.token not in facts.tokens:
                suspects.append(("token symbol", change.symbol,
                                 injection_reason(change.symbol, change.symbol_raw is not None), change.token))
    if facts.typed_data is not None:
        name = facts.typed_data.domain.get("name")
        if isinstance(name, str):
            suspects.append(("typed-data domain name", name, injection_reason(name, False),
                             facts.typed_data.verifying_contract or ""))
    found, seen = [], set()
    for where, text, reason, source in suspects:
        if reason and (source, text) not in seen:
            seen.add((source, text))
            found.append(finding("METADATA_INJECTION", policy,
                                 f"The {where} {text!r} {reason}; it is shown as data and changes nothing.",
                                 field=where, text=text, reason=reason, source=source))
    return found
