"""Findings and the rule registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from chain.catalogue import RuleId, Severity
from chain.facts import Facts
from chain.rules.policy import Policy


class Finding(BaseModel):
    """One rule's conclusion, with evidence a human can check."""

    rule: RuleId  # type: ignore[valid-type]
    severity: Severity
    message: str
    evidence: dict[str, Any] = Field(default_factory=dict)


Rule = Callable[[Facts, Policy], list[Finding]]


def finding(rule_id: str, policy: Policy, message: str, **evidence: Any) -> Finding:
    """A finding with the policy's severity for ``rule_id``."""
    return Finding(rule=rule_id, severity=policy.severity(rule_id), message=message, evidence=evidence)


def approval_finding(rule_id: str, policy: Policy, chain_id: int, parties: list[str], message: str,
                     **evidence: Any) -> Finding:
    """An approval-class finding: at the policy's ``allowlisted.severity`` (evidence kept, ``allowlisted``
    true) when every spender is on the chain's allowlist and the rule is one the policy lowers."""
    allowed = policy.allowed_spenders(chain_id)
    if parties and rule_id in policy.allowlisted_rules() and all(p in allowed for p in parties):
        return Finding(rule=rule_id, severity=policy.allowlisted.severity,
                       message=message + " The spender is on the allowlist of well-known contracts.",
                       evidence={**evidence, "allowlisted": True})
    return finding(rule_id, policy, message, **evidence)
