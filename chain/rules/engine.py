"""Run every registered rule and decide the verdict. The model never takes part."""

from __future__ import annotations

from chain.catalogue import RULE_SPECS, SEVERITIES, SPECS
from chain.facts import Facts
from chain.rules import approvals, counterparties, execution, intel, signatures  # noqa: F401 - registers the rules
from chain.rules.model import Finding
from chain.rules.policy import Policy, PolicyError
from chain.rules.registry import RULES


def check_policy_rules(policy: Policy) -> None:
    """Raises PolicyError when the policy names a rule that does not exist (a typo would silently leave the rule
    at its default): an override, or an entry of the allowlisted rules."""
    named = set(policy.rules) | set(policy.allowlisted.rules or ())
    unknown = sorted(named - set(RULES))
    if unknown:
        raise PolicyError(f"policy {policy.version} names rules that do not exist: {', '.join(unknown)}")


def catalogue(policy: Policy) -> dict:
    """Every rule with its severity and description under ``policy``, what it needs and whether an allowlisted
    spender lowers it, and the policy's identity."""
    check_policy_rules(policy)
    lowered = policy.allowlisted_rules()
    return {"policy": policy.identity,
            "rules": [{"rule": spec.id, "severity": policy.severity(spec.id),
                       "description": policy.description(spec.id), "needs": [str(c) for c in spec.needs],
                       "allowlisted_severity": policy.allowlisted.severity if spec.id in lowered else None}
                      for spec in sorted(RULE_SPECS, key=lambda s: s.id)]}


UNCHECKED_RULES = frozenset(spec.id for spec in SPECS.values() if spec.unchecked)
"""Findings that say a check could not run: the verdict is then at least the policy's ``verdict.unchecked``."""


def evaluate(facts: Facts, policy: Policy) -> tuple[str, list[Finding]]:
    """(verdict, findings ordered by severity then rule ID) for ``facts`` under ``policy``."""
    check_policy_rules(policy)
    findings = [f for rule_fn in RULES.values() for f in rule_fn(facts, policy)]
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.rule))
    unchecked = any(f.rule in UNCHECKED_RULES for f in findings)
    return policy.verdict_for([f.severity for f in findings], unchecked=unchecked), findings
