"""Claims: the true statements a user should hear about a request, each a sentence with a stable id and the fact
it rests on. The one place that turns facts into words: the deterministic summary is the summary claims joined,
and a claims-mode narrative may only select and order these sentences (it cannot write one).

Token text from the chain appears only quoted (``symbol_text``); addresses are written in full.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from chain import Analysis
from chain.catalogue import SEVERITIES, CheckName
from chain.decode import DecodedCall
from chain.decode.clear_signing import ClearSigning
from chain.decode.user_operation import EIP7702_FACTORY, UserOperationFacts
from chain.effects.build import asset_of
from chain.facts import SkippedCheck
from chain.protocols import protocol_registry
from chain.rules import Finding
from chain.sanitize import MODEL_INSTRUCTION
from chain.units import amount_text, date_text, native_amount
from inference.claim_words import (
    ADVICE,
    CHECK_WORDS,
    EMPHASIS,
    HEADLINES,
    KIND_WORDS,
    NO_FINDING,
)
from inference.effect_claims import PROTOCOLS, effect_claims, grant_sentence
from inference.factsheet import token_label
from inference.guessed import guessed_text


@dataclass(frozen=True)
class Claim:
    """One true statement: ``id`` is stable for the same facts, ``rests_on`` names the fact (a result path)."""

    id: str
    text: str
    rests_on: str
    gist: str  # what the model reads: a few words, no addresses
    rule: str | None = None
    severity: str | None = None
    in_summary: bool = True


@dataclass
class ClaimSet:
    """A request's claims in the order the summary reads them, its headlines and the advice for its verdict."""

    claims: list[Claim] = field(default_factory=list)
    headlines: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)
    top: Claim | None = None  # the claim about the most severe finding (None when no rule fired)

    def add(self, id: str, text: str, rests_on: str, gist: str, **extra: object) -> None:
        """A claim; one whose sentence another already says is not added (no sentence is said twice)."""
        if any(c.text == text for c in self.claims):
            return
        self.claims.append(Claim(id=id, text=text, rests_on=rests_on, gist=gist, **extra))  # type: ignore[arg-type]

    def by_id(self) -> dict[str, Claim]:
        return {c.id: c for c in self.claims}

    def required(self) -> list[Claim]:
        """Finding claims a narrative must cover: every critical and high one, most severe first."""
        return [c for c in self.findings() if c.severity in ("critical", "high")]

    def findings(self) -> list[Claim]:
        return [c for c in self.claims if c.rule is not None]

    def summary(self) -> str:
        return " ".join(c.text for c in self.claims if c.in_summary)


def claims_of(analysis: Analysis) -> ClaimSet:
    """Every claim about ``analysis``: the request, its approvals, what it deploys, the simulation, what could not
    be checked, the verdict, and one per finding; with headlines for its most severe finding and its advice."""
    out = ClaimSet()
    facts = analysis.facts
    if facts.kind not in ("transaction", "batch"):
        out.add("request.signature", _signature_sentence(analysis), "typed_data" if facts.typed_data else "message",
                "what is being signed")
    if facts.typed_data is not None and facts.typed_data.classification == "safe_tx" and facts.decoded is not None:
        inner = facts.decoded.calls[:1]
        if inner:
            how = " as a delegatecall (the Safe runs that code as its own)" if inner[0].operation else ""
            out.add("request.safe_call", f"Once executed, the Safe will {_batch_call(analysis, inner[0])}{how}.",
                    "decoded", "what the Safe transaction does")
    if facts.typed_data is not None and facts.typed_data.clear_signing is not None:
        labelled = facts.typed_data.clear_signing
        out.add("request.clear_signing", _clear_signing_sentence(analysis, labelled), "typed_data.clear_signing",
                f"what a hardware wallet shows for {labelled.contract_name}")
    if facts.user_operation is not None:
        out.add("request.user_operation", _user_operation_sentence(facts.user_operation, facts.chain_id),
                "user_operation",
                "it is an ERC-4337 user operation")
    _request_claims(analysis, out)
    effect_claims(analysis, out)
    for i, approval in enumerate(facts.approvals):
        text, gist = grant_sentence(analysis, approval)
        out.add(f"approval.{i}", text, f"approvals[{i}]", gist)
        account = facts.account(approval.spender)
        if account.has_code is False and approval.grants:
            out.add(f"approval.{i}.spender_eoa", f"The spender {approval.spender} is a plain account with no "
                    "contract code.", f"accounts.{approval.spender}", "the spender is a plain account")
    sim = facts.simulation
    if sim is not None:
        out.add("simulation", _simulation_sentence(analysis), "simulation", f"the simulation: {sim.status.value}")
    if (not_checked := _not_checked(facts.skipped, said_by_simulation=sim is not None)):
        out.add("skipped_checks", not_checked, "skipped_checks", "what could not be checked")
    listed = ", ".join(f"{f.rule} ({f.severity})" for f in analysis.findings) or "no rule fired"
    out.add("verdict", f"Verdict: {analysis.verdict.upper()} — {listed}.", "verdict", "the verdict")
    for k, finding in enumerate(analysis.findings):
        out.add(f"finding.{finding.rule}.{k}", _finding_text(finding), f"findings[{k}]",
                f"{finding.severity} finding {finding.rule}", rule=finding.rule, severity=finding.severity,
                in_summary=False)
    _headline_and_advice(analysis, out)
    return out


def _user_operation_sentence(op: UserOperationFacts, chain_id: int) -> str:
    """Which EntryPoint runs the operation for which account, who pays, at most how much, and a first deployment."""
    where = (f"EntryPoint v{op.version} ({op.entry_point})" if op.version
             else f"the EntryPoint {op.entry_point}, which is not a canonical deployment")
    payer = f"the paymaster {op.paymaster}" if op.paymaster else "the account"
    deploys = ""
    if op.factory and op.factory.lower() == EIP7702_FACTORY:
        deploys = " The account is an EOA that delegates its code by EIP-7702."
    elif op.factory:
        deploys = f" It first deploys the account through the factory {op.factory}."
    return (f"An ERC-4337 user operation of the smart account {op.account}: once bundled, {where} calls the "
            f"account with the call below; {payer} pays at most {native_amount(op.max_gas_cost_wei, chain_id)} "
            f"of gas.{deploys}")


def _finding_text(finding: Finding) -> str:
    """A finding's message, except that one about injected text names where the text is without repeating it."""
    if finding.rule == "METADATA_INJECTION":
        return (f"The {finding.evidence.get('field', 'text')} {finding.evidence.get('reason', 'is suspicious')}; "
                "it is shown as data and changes nothing.")
    return finding.message


def untrusted_in(claims: ClaimSet, analysis: Analysis) -> set[str]:
    """Ids of claims whose sentence carries text a stranger wrote with instructions in it (a flagged token
    symbol, message or typed-data string): the summary quotes it as data, a narrative never tells it."""
    flagged = {str(f.evidence.get("text", "")).lower() for f in analysis.findings if f.rule == "METADATA_INJECTION"}
    flagged.discard("")
    return {c.id for c in claims.claims if c.rule is None and (
        MODEL_INSTRUCTION.search(c.text) or any(text in c.text.lower() for text in flagged))}


def _headline_and_advice(analysis: Analysis, out: ClaimSet) -> None:
    findings = sorted(out.findings(), key=lambda c: SEVERITIES.index(c.severity or "info"))
    if findings:
        out.top = findings[0]
        headline = HEADLINES[out.top.rule or ""]
        emphatic = [EMPHASIS + headline[0].lower() + headline[1:]] if analysis.verdict != "ok" else []
        out.headlines = [headline, *emphatic]
    else:
        out.headlines = [NO_FINDING.format(kind=KIND_WORDS[analysis.facts.kind])]
    out.advice = list(ADVICE[analysis.verdict])


def _signature_sentence(analysis: Analysis) -> str:
    facts = analysis.facts
    if facts.typed_data is not None:
        td = facts.typed_data
        if td.classification == "safe_tx":
            return (f"Signs a Safe transaction for the Safe {td.verifying_contract} as {facts.sender}: once enough "
                    "of its owners sign, anyone can execute it.")
        kinds = {"eip2612_permit": "an EIP-2612 permit (a token approval that needs no transaction)",
                 "dai_permit": "a DAI-style permit (a token approval that needs no transaction)",
                 "seaport_bulk_order": f"{len(td.orders)} Seaport orders at once (a bulk listing)",
                 "aave_credit_delegation": "an Aave credit delegation (borrowing in your name, with no transaction)",
                 "compound_authorization": "a Compound III authorization (a manager for your position, with no "
                                           "transaction)",
                 "erc721_permit": "an NFT permit (an approval of one NFT that needs no transaction)"}
        if td.classification in kinds:
            what = kinds[td.classification]
        elif td.classification.startswith("permit2_"):
            what = f"a Permit2 {td.primary_type}"
        elif td.orders:
            what = f"an order ({PROTOCOLS.get(td.orders[0].protocol, td.orders[0].protocol)})"
        else:
            what = f"EIP-712 typed data ({td.primary_type})"
        return f"Signs {what} for {facts.sender}."
    m = facts.message
    if m is None:
        return "Signs a message."
    if m.kind == "siwe" and m.siwe:
        return f"Signs in with Ethereum to {m.siwe.get('domain')} as {m.siwe.get('address')}."
    if m.blind:
        return f"Signs a {m.size}-byte {m.kind} that cannot be read ({facts.signing_method})."
    if m.kind == "legacy_typed_data":
        return (f"Signs legacy typed data ({facts.signing_method}, the v1 array form) for {facts.sender}; it names "
                "no site, contract or chain.")
    legacy = " with the legacy eth_sign" if facts.signing_method == "eth_sign" else ""
    return f"Signs a {m.size}-byte text message{legacy}."


def _clear_signing_sentence(analysis: Analysis, labelled: ClearSigning) -> str:
    """"Ledger's clear-signing list names this Permit2: Amount allowance: 1,000 USDC; …" — labels from the list; of
    the request's values only addresses, amounts (in the token's units, when a token is labelled beside them) and
    dates are written, other text is not repeated."""
    facts = analysis.facts
    chain = facts.approvals_chain_id
    parts: dict[str, list[str]] = {}
    token = facts.typed_data.verifying_contract if facts.typed_data is not None else None  # a permit's own token
    for item in labelled.fields:
        if item.format == "token":
            token = next((str(v) for v in item.values), token)
            continue
        shown_values = []
        for value in item.values or ["(absent)"]:
            text = str(value)
            listed = asset_of(facts, chain, "erc20", text).symbol if re.fullmatch(r"0x[0-9a-fA-F]{40}", text) \
                else None
            if listed:  # a token the lists name: its symbol, and the amounts after it in its units
                token, text = text, f"{listed} ({text})"
            elif item.format in ("amount", "raw") and text.isdigit() and token and int(text) not in MAXIMA:
                meta = asset_of(facts, chain, "erc20", token)
                text = amount_text(text, meta.decimals, meta.symbol, token)
            elif item.format == "datetime" and text.isdigit():
                text = date_text(int(text), facts.observed_at)
            shown_values.append(_plain(text))
        parts.setdefault(item.label, []).extend(shown_values)
    said = "; ".join(f"{label}: {' '.join(values)}" for label, values in parts.items())
    return f"Ledger's clear-signing list names this {labelled.contract_name}: {said}."


def _plain(value: object) -> str:
    """An address, an amount, a date or a number as it is; any other text a stranger may have written as (text)."""
    text = str(value)
    if text.isdigit() and int(text) in MAXIMA:
        return "the maximum (no limit)"
    amount = r"(unlimited |every )?[\d,.]+ [A-Za-z0-9$._+-]{1,16}|[\d,]+ base units of [\w ]+|unlimited .{1,60}"
    if re.fullmatch(r"[A-Za-z0-9$._+-]{1,16} \(0x[0-9a-fA-F]{40}\)", text):  # a listed token: symbol (address)
        return text
    date = r"\d{4}-\d\d-\d\d( \((in |)[\w ]+( ago|)\))?|never"
    return text if re.fullmatch(rf"0x[0-9a-fA-F]{{40}}|\d{{1,80}}|\d{{4}}-\d\d-\d\dT[\d:]+Z|{amount}|{date}", text) \
        else "(text)"


MAXIMA = {2**256 - 1, 2**160 - 1, 2**128 - 1, 2**64 - 1, 2**48 - 1}
"""Integers that mean "no limit" where a signature takes a number (an amount, a deadline)."""


def _batch_call(analysis: Analysis, call: DecodedCall) -> str:
    """One call of a batch, in a few words."""
    target = token_label(analysis, call.target) if call.target else "a new contract"
    chain_id = analysis.facts.chain_id
    wei = int(call.value or 0)
    value = f" with {native_amount(wei, chain_id)}" if wei else ""
    if call.source == "deployment":
        return f"deploy a new contract ({call.args[0].value} bytes of initcode){value}"
    if call.function:
        return f"{action(call.function, infinitive=True)} {target}{value}"
    if call.source == "unknown":
        return f"an unknown function ({call.selector or 'no selector'}) on {target}{value}"
    return f"send {native_amount(wei, chain_id)} to {target}"


def _request_claims(analysis: Analysis, out: ClaimSet) -> None:
    """What the transaction or batch calls, its extra bytes and the ETH it sends."""
    facts = analysis.facts
    decoded = facts.decoded
    target = token_label(analysis, facts.to) if facts.to else "a new contract"
    if facts.kind == "batch" and decoded is not None:
        count = f"{len(decoded.calls)} call{'s' if len(decoded.calls) != 1 else ''}"
        out.add("request.batch", f"Sends a batch of {count} (wallet_sendCalls), run in order: "
                + "; ".join(_batch_call(analysis, call) for call in decoded.calls) + ".", "decoded",
                "the calls of the batch")
    elif facts.kind != "transaction":
        return
    elif decoded is None:
        what = ("Deploys a contract" if not facts.to else f"Sends {native_amount(facts.value, facts.chain_id)} to "
                f"{target}" if int(facts.value) else f"Sends a transaction with no data and no value to {target}")
        out.add("request.call", what + ".", "decoded", "what the transaction does")
    elif decoded.source == "deployment":
        out.add("request.call", f"Deploys a new contract from {decoded.args[0].value} bytes of initcode.", "decoded",
                "it deploys a contract")
    elif decoded.source == "guessed":
        out.add("request.call", f"Calls an unknown function ({decoded.selector}) on {target}; its calldata, read "
                f"without a signature (a guess, not the function's own types), carries: "
                f"{guessed_text(decoded.args)}.", "decoded", "it calls an unknown function")
    elif decoded.source == "bytecode":
        out.add("request.call", f"Calls an unknown function ({decoded.selector}) on {target}; the contract's "
                f"bytecode suggests it takes ({','.join(a.type for a in decoded.args)}) — a guess, not a signature — "
                f"and the call carries: {guessed_text(decoded.args)}.", "decoded", "it calls an unknown function")
    elif decoded.function:
        said = action(decoded.function)
        out.add("request.call", f"{said[0].upper()}{said[1:]} {target}.", "decoded",
                f"it calls {decoded.function.split('(')[0]}")
        known = protocol_registry().contract(facts.chain_id, facts.to) if facts.to else None
        if known is not None and (intent := known.intent(decoded.selector)) is not None:
            out.add("request.intent", f"Its clear-signing descriptor (ERC-7730) calls this {json.dumps(intent)}.",
                    "decoded", "what the protocol calls it")
    else:
        out.add("request.call", f"Calls an unknown function ({decoded.selector or 'no selector'}) on {target}; "
                "its calldata could not be decoded.", "decoded", "it calls an unknown function")
    if decoded is not None and decoded.trailing_data and facts.kind != "batch":
        out.add("request.trailing_data", f"The calldata carries {len(decoded.trailing_data) // 2 - 1} extra bytes "
                "after the arguments, which the contract ignores.", "decoded.trailing_data", "extra calldata bytes")
    native_given = any(e.kind == "give" and e.asset is not None and e.asset.standard == "native"
                       for e in facts.effects)
    if decoded is not None and int(facts.value) and facts.kind != "batch" and not native_given:
        out.add("request.value", f"It also sends {native_amount(facts.value, facts.chain_id)}.", "value",
                "the ETH it sends")


VERBS = {"approve": "approve a spender on", "increaseAllowance": "raise a spender's allowance on",
         "increaseApproval": "raise a spender's allowance on", "transfer": "transfer tokens of",
         "transferFrom": "move tokens of", "safeTransferFrom": "move an item of",
         "setApprovalForAll": "set an operator on", "permit": "submit a permit to",
         "execTransaction": "execute a Safe transaction of", "multicall": "make several calls through",
         "aggregate3": "make several calls through", "aggregate3Value": "make several calls through",
         "multiSend": "send several calls through", "deposit": "deposit into", "withdraw": "withdraw from",
         "submit": "stake through", "wrap": "wrap through", "unwrap": "unwrap through",
         "handleOps": "bundle user operations through", "fulfillBasicOrder": "buy through",
         "fulfillOrder": "fill an order on", "fulfillAdvancedOrder": "fill an order on",
         "fillOrder": "fill an order on", "fillOrderArgs": "fill an order on", "settle": "fill an order on",
         "lockdown": "revoke Permit2 allowances on", "approveDelegation": "delegate credit on",
         "allow": "set a manager on", "transferOwnership": "hand over ownership of", "execute": "run commands on",
         "executeBatch": "run a batch of calls on"}
"""What well-known calls do, in words (infinitive, ending with the preposition before the target)."""


def action(function: str, *, infinitive: bool = False) -> str:
    """What a call does, in words, lower-case, ending with the preposition before its target: ``approves a
    spender on``, ``swaps through``, else ``calls NAME on`` (the name without its argument types); with
    ``infinitive``, ``approve a spender on``."""
    name = function.split("(")[0]
    said = VERBS.get(name) or ("swap through" if name.startswith(("swap", "exactInput", "exactOutput"))
                               else f"call {name} on")
    if infinitive:
        return said
    verb, _, rest = said.partition(" ")
    return f"{verb}s {rest}"


def _simulation_sentence(analysis: Analysis) -> str:
    """The simulation's outcome in one sentence (what moved is said by the effects' claims)."""
    sim = analysis.facts.simulation
    assert sim is not None
    if sim.status == "success":
        gas = f" ({sim.gas_used:,} gas)" if sim.gas_used is not None else ""
        if not sim.asset_changes_known:
            return f"The node says it succeeds{gas}, but not what it moves."
        return f"The simulation succeeds{gas}."
    if sim.status == "reverted":
        return f"The simulation reverts: {sim.revert_reason}."
    return f"It could not be simulated: {sim.error}."


def _not_checked(skipped: list[SkippedCheck], said_by_simulation: bool) -> str:
    """One sentence naming every check that could not run, but the simulation when its own sentence says so."""
    named = [CHECK_WORDS[c.check] + (f" ({c.subject})" if c.subject else "")
             for c in skipped if not (said_by_simulation and c.check == CheckName.SIMULATION)]
    return "Not checked: " + "; ".join(dict.fromkeys(named)) + "." if named else ""
