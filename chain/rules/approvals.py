"""Rules over the approvals a request grants."""

from __future__ import annotations

from chain.facts import Facts
from chain.rules.model import Finding, approval_finding, finding
from chain.rules.policy import Policy
from chain.rules.registry import rule


def _token_label(facts: Facts, token: str) -> str:
    meta = facts.tokens.get(token)
    return f'"{meta.symbol}" ({token})' if meta and meta.symbol else token


@rule("UNLIMITED_APPROVAL")
def unlimited_approval(facts: Facts, policy: Policy) -> list[Finding]:
    """An approval of at least the policy's unlimited threshold (max uint160 for Permit2), as flagged
    when the approval was read."""
    threshold = policy.threshold("unlimited_approval")
    return [
        approval_finding("UNLIMITED_APPROVAL", policy, facts.approvals_chain_id, [a.spender],
                         f"Grants {a.spender} an unlimited allowance of {_token_label(facts, a.token)}.",
                         token=a.token, spender=a.spender, amount=a.amount, standard=a.standard,
                         threshold=str(threshold), source=a.source)
        for a in facts.approvals
        if a.amount is not None and a.unlimited and a.standard in ("erc20", "permit", "permit2", "credit_delegation")
    ]


@rule("APPROVAL_TO_EOA")
def approval_to_eoa(facts: Facts, policy: Policy) -> list[Finding]:
    """The spender or operator has no code, or only an EIP-7702 delegation."""
    found = []
    for a in facts.approvals:
        if a.revokes:
            continue
        account = facts.account(a.spender)
        if account.has_code is False or account.delegated_to is not None:
            what = (f"is an account delegated to {account.delegated_to} (EIP-7702)"
                    if account.delegated_to else "has no contract code (a plain account)")
            found.append(finding(
                "APPROVAL_TO_EOA", policy,
                f"The approved spender {a.spender} {what}; approvals to plain accounts are how "
                "phishing drains wallets.",
                token=a.token, spender=a.spender, has_code=account.has_code,
                delegated_to=account.delegated_to,
            ))
    return found


@rule("APPROVAL_FOR_ALL")
def approval_for_all(facts: Facts, policy: Policy) -> list[Finding]:
    """setApprovalForAll(operator, true) to an operator not on the chain's allowlist."""
    allowed = policy.allowed_operators(facts.approvals_chain_id)
    return [
        finding("APPROVAL_FOR_ALL", policy,
                f"Lets {a.spender} act on your whole position in {_token_label(facts, a.token)}: withdraw, transfer "
                "and borrow for you." if a.standard == "account_control" else
                f"Lets {a.spender} move every {a.standard.upper()} token of collection "
                f"{_token_label(facts, a.token)} you own.",
                token=a.token, operator=a.spender, standard=a.standard, standard_confirmed=a.standard_confirmed)
        for a in facts.approvals
        if a.amount is None and a.unlimited and a.spender not in allowed
    ]
