"""The compact, size-capped fact sheet the model reads after the fixed policy prefix.

An address costs ~42 tokens and the model must not write one anyway (the user sees them in the
deterministic summary), so parties are named by role: "you", "the token", "the spender",
"the recipient", "account 2". Strings from the chain are quoted.
"""

from __future__ import annotations

from chain import Analysis
from chain.sanitize import sanitize_text
from chain.units import date_text
from inference.formatting import approval_amount, human_amount, quote, signed_change
from inference.guessed import guessed_text

MAX_FACT_SHEET = 2400
MAX_ITEMS = 8


def token_label(analysis: Analysis, token: str) -> str:
    """``USD Coin (USDC, 0x…)`` when a list names the address (a token list, an operator's label feed — never
    on-chain text), else ``"SYMBOL" (0x…)`` when the token's symbol was read, else the address (the summary's)."""
    label = analysis.facts.labels.get(token)
    if label is not None:
        name = sanitize_text(label.name, 64)
        return f"{name} ({sanitize_text(label.symbol, 16)}, {token})" if label.symbol else f"{name} ({token})"
    meta = analysis.facts.tokens.get(token)
    return f"{quote(meta.symbol)} ({token})" if meta and meta.symbol else token


class _Roles:
    """Gives each address one role name, in order of first mention."""

    def __init__(self, sender: str):
        self.names: dict[str, str] = {sender: "you"}

    def __call__(self, address: str, role: str) -> str:
        if address not in self.names:
            taken = set(self.names.values())
            name, n = role, 2
            while name in taken:
                name, n = f"{role} {n}", n + 1
            self.names[address] = name
        return self.names[address]


def fact_sheet(analysis: Analysis) -> str:
    """Facts as short lines; capped at MAX_FACT_SHEET characters."""
    facts = analysis.facts
    role = _Roles(facts.sender)
    symbol_of = {t: quote(m.symbol) for t, m in facts.tokens.items() if m.symbol}
    lines = [f"verdict: {analysis.verdict}"]
    if facts.to is None:
        target = None
    elif facts.to in facts.tokens:
        target = role(facts.to, "the token")
    else:
        target = role(facts.to, "the recipient" if facts.account(facts.to).has_code is False else "the contract")
    decoded = facts.decoded
    where = f"{target} {symbol_of.get(facts.to, '')}".rstrip() if target else "a new contract"
    approval_spenders = {a.spender for a in facts.approvals}
    if facts.user_operation is not None:
        op = facts.user_operation
        lines.append(f"request: ERC-4337 user operation of smart account {op.account} through EntryPoint "
                     f"{op.entry_point} (version {op.version or 'not canonical'}); gas paid by "
                     f"{op.paymaster or 'the account'}" + (f"; deploys the account via {op.factory}" if op.factory
                                                            else ""))
    if facts.typed_data is not None:
        td = facts.typed_data
        lines.append(f"request: {facts.signing_method} signature on chain {facts.chain_id} of typed data "
                     f"{quote(td.primary_type)} ({td.classification}), domain {quote(str(td.domain.get('name')))}")
    elif facts.message is not None:
        m = facts.message
        text = f", text {quote(m.text[:300])}" if m.text and not m.siwe else ""
        siwe = f", sign-in for domain {quote(m.siwe.get('domain'))}" if m.siwe else ""
        what = ("legacy typed data (v1: bound to no site, contract or chain)" if m.kind == "legacy_typed_data"
                else m.kind)
        lines.append(f"request: {facts.signing_method} signature of a {m.size}-byte {what}{siwe}{text}"
                     + (" (blind: the user cannot read it)" if m.blind else ""))
        if facts.context.origin:
            lines.append(f"requested by site {quote(facts.context.origin)}")
    elif facts.kind == "batch" and decoded is not None:
        lines.append(f"request: batch of {len(decoded.calls)} calls (wallet_sendCalls) on chain {facts.chain_id}")
        for i, call in enumerate(decoded.calls[:MAX_ITEMS]):
            callee = role(call.target, "the contract") if call.target else "a new contract"
            what = call.function or ("an unknown function" if call.source == "unknown" else "no call data")
            lines.append(f"call {i}: {what} on {callee}"
                         + (f", value {human_amount(int(call.value), 18)} ETH" if int(call.value or 0) else ""))
    elif decoded is None:
        lines.append(f"request: transaction on chain {facts.chain_id} with no call data to {where}")
    elif decoded.source == "deployment":
        lines.append(f"request: transaction on chain {facts.chain_id} deploying a new contract "
                     f"({decoded.args[0].value} bytes of initcode)")
    elif decoded.source in ("guessed", "bytecode"):
        lines.append(f"request: transaction on chain {facts.chain_id} calling an unknown function "
                     f"{decoded.selector} on {where}; its arguments, guessed ({decoded.source}), may be: "
                     f"{guessed_text(decoded.args)}")
    elif decoded.function:
        lines.append(f"request: transaction on chain {facts.chain_id} calling {decoded.function} on {where}")
        for arg in decoded.args[:MAX_ITEMS]:
            if arg.type == "address" and arg.value not in approval_spenders:
                name = "the recipient" if arg.name in ("to", "recipient", "dst") else f"the {arg.name}"
                lines.append(f"argument {arg.name}: {role(arg.value, name)}")
            elif arg.type not in ("address", "uint256") or not facts.approvals:
                lines.append(f"argument {arg.name}: {quote(arg.value) if arg.type == 'string' else arg.value}")
    else:
        lines.append(f"request: transaction on chain {facts.chain_id} calling an unknown function "
                     f"{decoded.selector or '(no selector)'} on {where}")
    if int(facts.value):
        lines.append(f"native value sent: {human_amount(int(facts.value), 18)} ETH")
    for approval in facts.approvals[:MAX_ITEMS]:
        meta = facts.tokens.get(approval.token)
        amount = approval_amount(approval.amount, approval.unlimited, meta.decimals if meta else None)
        token = f"{role(approval.token, 'the token')} {symbol_of.get(approval.token, '')}".rstrip()
        expiry = ""
        if approval.standard in ("permit", "permit2"):
            expiry = f", expires {date_text(approval.expires_at, facts.observed_at)}"
        if approval.revokes:
            lines.append(f"revocation: {approval.standard} {token}, spender {role(approval.spender, 'the spender')} "
                         "loses its approval")
            continue
        lines.append(f"approval: {approval.standard} {token}, spender {role(approval.spender, 'the spender')}, "
                     f"amount {amount}{expiry}")
    for account in facts.accounts.values():
        if account.has_code is False:
            lines.append(f"{role(account.address, 'account')} has no code (plain account)")
        elif account.delegated_to:
            lines.append(f"{role(account.address, 'account')} is delegated to "
                         f"{role(account.delegated_to, 'delegate')} (EIP-7702)")
    sim = facts.simulation
    if sim is None:
        pass
    elif sim.status == "success":
        changes = [
            f"{role(c.address, 'account')} {signed_change(c.delta, c.decimals)} "
            f"{quote(c.symbol) if c.symbol else role(c.token, 'token') if c.token else ''}".rstrip()
            for c in sim.asset_changes[:MAX_ITEMS]
        ]
        lines.append(f"simulation: success, gas used {sim.gas_used}, "
                     f"asset changes: {'; '.join(changes) if changes else 'none'}")
    elif sim.status == "reverted":
        lines.append(f"simulation: reverted ({quote(sim.revert_reason)})")
    else:
        lines.append(f"simulation: unavailable ({quote(sim.error)})")
    checks = sorted({c.check.replace("_", " ") for c in facts.skipped})
    if checks:
        lines.append(f"not checked: {', '.join(checks)}")
    findings = ", ".join(f"{f.rule} ({f.severity})" for f in analysis.findings) or "none"
    lines.append(f"findings: {findings}")
    text = "\n".join(lines)
    return text if len(text) <= MAX_FACT_SHEET else text[: MAX_FACT_SHEET - 12] + "\n[truncated]"
