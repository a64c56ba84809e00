"""The deterministic summary: template sentences from the facts, always present."""

from __future__ import annotations

from chain import Analysis
from chain.decode import DecodedCall
from inference.factsheet import token_label
from inference.formatting import approval_amount, human_amount, signed_change, symbol_text


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
    return f"Signs a {m.size}-byte text message."


def _batch_call(analysis: Analysis, call: DecodedCall) -> str:
    """One call of a batch, in a few words."""
    target = token_label(analysis, call.target) if call.target else "a new contract"
    wei = int(call.value or 0)
    value = f" with {human_amount(wei, 18)} ETH" if wei else ""
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
    elif decoded.function:
        sentences.append(f"Calls {decoded.function} on {target}.")
    else:
        sentences.append(f"Calls an unknown function ({decoded.selector or 'no selector'}) on {target}; "
                         "its calldata could not be decoded.")
    if decoded is not None and int(facts.value) and facts.kind != "batch":
        sentences.append(f"It also sends {human_amount(int(facts.value), 18)} ETH.")
    for approval in facts.approvals:
        meta = facts.tokens.get(approval.token)
        symbol = symbol_text(meta.symbol) if meta and meta.symbol else "tokens"
        amount = approval_amount(approval.amount, approval.unlimited, meta.decimals if meta else None)
        if approval.expires_at is not None and approval.standard in ("permit", "permit2"):
            expiry = f" until unix time {approval.expires_at}"
        elif approval.standard in ("permit", "permit2"):
            expiry = ", with no expiry"
        else:
            expiry = ""
        if approval.token_id is not None:
            sentences.append(f"It lets {approval.spender} transfer your token #{approval.token_id} of {symbol}.")
        elif approval.amount is None:
            sentences.append(f"It lets {approval.spender} move every {symbol} token you own, now and later.")
        else:
            quantity = "an unlimited amount" if approval.unlimited else amount
            sentences.append(f"It lets {approval.spender} spend {quantity} of your {symbol}{expiry}.")
        account = facts.account(approval.spender)
        if account.has_code is False:
            sentences.append(f"The spender {approval.spender} is a plain account with no contract code.")
    sim = facts.simulation
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
    if analysis.findings:
        listed = ", ".join(f"{f.rule} ({f.severity})" for f in analysis.findings)
        sentences.append(f"Verdict: {analysis.verdict.upper()} — {listed}.")
    else:
        sentences.append(f"Verdict: {analysis.verdict.upper()} — no rule fired.")
    return " ".join(sentences)
