"""The deterministic summary: template sentences from the facts, always present."""

from __future__ import annotations

from chain import Analysis
from chain.decode import DecodedCall
from chain.facts import SkippedCheck
from inference.factsheet import token_label
from inference.formatting import approval_amount, expiry_text, human_amount, signed_change, symbol_text


def _signature_sentence(analysis: Analysis) -> str:
    facts = analysis.facts
    if facts.typed_data is not None:
        td = facts.typed_data
        kinds = {"eip2612_permit": "an EIP-2612 permit", "dai_permit": "a DAI-style permit"}
        what = kinds.get(td.classification) or (f"a Permit2 {td.primary_type}" if td.classification.startswith(
            "permit2_") else f"EIP-712 typed data ({td.primary_type})")
        return f"Signs {what} for {facts.sender}; signed hash {td.digest}."
    m = facts.message
    if m is None:
        return "Signs a message."
    if m.kind == "siwe" and m.siwe:
        return f"Signs in with Ethereum to {m.siwe.get('domain')} as {m.siwe.get('address')}."
    if m.blind:
        return f"Signs a {m.size}-byte {m.kind} that cannot be read ({facts.signing_method})."
    legacy = " with the legacy eth_sign" if facts.signing_method == "eth_sign" else ""
    return f"Signs a {m.size}-byte text message{legacy}."


def _batch_call(analysis: Analysis, call: DecodedCall) -> str:
    """One call of a batch, in a few words."""
    target = token_label(analysis, call.target) if call.target else "a new contract"
    wei = int(call.value or 0)
    value = f" with {human_amount(wei, 18)} ETH" if wei else ""
    if call.source == "deployment":
        return f"deploy a new contract ({call.args[0].value} bytes of initcode){value}"
    if call.function:
        return f"{call.function} on {target}{value}"
    if call.source == "unknown":
        return f"an unknown function ({call.selector or 'no selector'}) on {target}{value}"
    return f"send {human_amount(wei, 18)} ETH to {target}"


def summarize(analysis: Analysis) -> str:
    """A plain-language account of the request built only from the facts."""
    facts = analysis.facts
    sentences = []
    if facts.kind not in ("transaction", "batch"):
        sentences.append(_signature_sentence(analysis))
    decoded = facts.decoded
    target = token_label(analysis, facts.to) if facts.to else "a new contract"
    if facts.kind == "batch" and decoded is not None:
        sentences.append(f"Sends a batch of {len(decoded.calls)} calls (wallet_sendCalls), run in order: "
                         + "; ".join(_batch_call(analysis, call) for call in decoded.calls) + ".")
    elif facts.kind != "transaction":
        pass
    elif decoded is None:
        what = f"Sends {human_amount(int(facts.value), 18)} ETH to {target}" if facts.to else "Deploys a contract"
        sentences.append(what + ".")
    elif decoded.source == "deployment":
        sentences.append(f"Deploys a new contract from {decoded.args[0].value} bytes of initcode.")
    elif decoded.function:
        sentences.append(f"Calls {decoded.function} on {target}.")
    else:
        sentences.append(f"Calls an unknown function ({decoded.selector or 'no selector'}) on {target}; "
                         "its calldata could not be decoded.")
    if decoded is not None and decoded.trailing_data and facts.kind != "batch":
        sentences.append(f"The calldata carries {len(decoded.trailing_data) // 2 - 1} extra bytes after the "
                         "arguments, which the contract ignores.")
    if decoded is not None and int(facts.value) and facts.kind != "batch":
        sentences.append(f"It also sends {human_amount(int(facts.value), 18)} ETH.")
    for approval in facts.approvals:
        meta = facts.tokens.get(approval.token)
        symbol = symbol_text(meta.symbol) if meta and meta.symbol else "tokens"
        if approval.revokes:
            what = f"token #{approval.token_id} of {symbol}" if approval.token_id is not None else symbol
            sentences.append(f"It revokes the approval of {approval.spender} over your {what} ({approval.token}).")
            continue
        amount = approval_amount(approval.amount, approval.unlimited, meta.decimals if meta else None)
        expiry = expiry_text(approval.expires_at) if approval.standard in ("permit", "permit2") else ""
        seen = " (seen only in the simulation's events)" if approval.source == "simulation" else ""
        if approval.token_id is not None:
            sentences.append(f"It lets {approval.spender} transfer your token #{approval.token_id} of {symbol}{seen}.")
        elif approval.amount is None:
            sentences.append(f"It lets {approval.spender} move all your NFTs of the collection {approval.token} "
                             f"({symbol}), every one you own now and later{seen}.")
        else:
            quantity = "an unlimited amount" if approval.unlimited else amount
            sentences.append(f"It lets {approval.spender} spend {quantity} of your {symbol}{expiry}{seen}.")
        account = facts.account(approval.spender)
        if account.has_code is False:
            sentences.append(f"The spender {approval.spender} is a plain account with no contract code.")
    sim = facts.simulation
    if sim is not None and sim.deployed:
        sentences.append(f"It creates the contract{'s' if len(sim.deployed) > 1 else ''} "
                         f"{', '.join(sim.deployed)}.")
    if sim is None:
        pass
    elif sim.status == "success":
        changes = [
            f"{c.address} {signed_change(c.delta, c.decimals)} "
            f"{symbol_text(c.symbol) if c.symbol else c.token or c.standard}"
            for c in sim.asset_changes
        ]
        sentences.append(f"Simulation succeeded using {sim.gas_used} gas; "
                         + (f"balance changes: {'; '.join(changes)}." if changes else "no balances change."))
    elif sim.status == "reverted":
        sentences.append(f"Simulation reverted: {sim.revert_reason}.")
    else:
        sentences.append(f"It could not be simulated: {sim.error}.")
    not_checked = _not_checked(facts.skipped)
    if not_checked:
        sentences.append(not_checked)
    if analysis.findings:
        listed = ", ".join(f"{f.rule} ({f.severity})" for f in analysis.findings)
        sentences.append(f"Verdict: {analysis.verdict.upper()} — {listed}.")
    else:
        sentences.append(f"Verdict: {analysis.verdict.upper()} — no rule fired.")
    return " ".join(sentences)


CHECK_WORDS = {"spender_code": "the spender's code", "token_standard": "the token's standard",
               "token_metadata": "the token's symbol and decimals", "bytecode": "the target's bytecode",
               "swap_recipient": "the swap's recipient against the sender"}


def _not_checked(skipped: list[SkippedCheck]) -> str:
    """One sentence naming the checks that could not run (the simulation has its own sentence)."""
    named = [CHECK_WORDS[c.check] + (f" ({c.subject})" if c.subject else "")
             for c in skipped if c.check in CHECK_WORDS]
    if not named:
        return ""
    return "Not checked: " + "; ".join(dict.fromkeys(named)) + "."
