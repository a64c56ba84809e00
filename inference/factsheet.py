"""The compact, size-capped fact sheet the model reads after the fixed policy prefix."""

from __future__ import annotations

import json

from chain import Analysis
from inference.formatting import approval_amount, human_amount, signed_change

MAX_FACT_SHEET = 2400
MAX_ITEMS = 8


def quote(text: str | None) -> str:
    """Untrusted text as an escaped JSON string literal: data, never instructions."""
    return json.dumps(text if text is not None else "unknown", ensure_ascii=True)


def token_label(analysis: Analysis, token: str) -> str:
    meta = analysis.facts.tokens.get(token)
    return f"{quote(meta.symbol)} ({token})" if meta and meta.symbol else token


def fact_sheet(analysis: Analysis) -> str:
    """Facts as short lines; strings from the chain are quoted; capped at MAX_FACT_SHEET chars."""
    facts = analysis.facts
    lines = [f"verdict: {analysis.verdict}"]
    decoded = facts.decoded
    target = token_label(analysis, facts.to) if facts.to else "a new contract"
    if decoded is None:
        lines.append(f"request: transaction on chain {facts.chain_id} sending value with no call data to {target}")
    elif decoded.function:
        lines.append(f"request: transaction on chain {facts.chain_id} calling {decoded.function} on {target}")
        for arg in decoded.args[:MAX_ITEMS]:
            lines.append(f"argument {arg.name} ({arg.type}): {arg.value if arg.type != 'string' else quote(arg.value)}")
    else:
        lines.append(f"request: transaction on chain {facts.chain_id} calling an unknown function "
                     f"{decoded.selector or '(no selector)'} on {target}")
    if int(facts.value):
        lines.append(f"native value sent: {human_amount(int(facts.value), 18)} ETH ({facts.value} wei)")
    for approval in facts.approvals[:MAX_ITEMS]:
        meta = facts.tokens.get(approval.token)
        amount = approval_amount(approval.amount, approval.unlimited, meta.decimals if meta else None)
        lines.append(f"approval: {approval.standard} token {token_label(analysis, approval.token)}, "
                     f"spender {approval.spender}, amount {amount}")
    for account in facts.accounts.values():
        if account.has_code is False:
            lines.append(f"account {account.address} has no code (plain account)")
        elif account.delegated_to:
            lines.append(f"account {account.address} is delegated to {account.delegated_to} (EIP-7702)")
    sim = facts.simulation
    if sim.status == "success":
        changes = [
            f"{c.address} {signed_change(c.delta, c.decimals)} {quote(c.symbol) if c.symbol else c.token or ''}"
            for c in sim.asset_changes[:MAX_ITEMS]
        ]
        changes = [c.rstrip() for c in changes]
        lines.append(f"simulation: success, gas used {sim.gas_used}, "
                     f"asset changes: {'; '.join(changes) if changes else 'none'}")
    elif sim.status == "reverted":
        lines.append(f"simulation: reverted ({quote(sim.revert_reason)})")
    else:
        lines.append(f"simulation: unavailable ({quote(sim.error)})")
    findings = ", ".join(f"{f.rule} ({f.severity})" for f in analysis.findings) or "none"
    lines.append(f"findings: {findings}")
    text = "\n".join(lines)
    return text if len(text) <= MAX_FACT_SHEET else text[: MAX_FACT_SHEET - 12] + "\n[truncated]"
