"""Run every registered rule and decide the verdict. The model never takes part."""

from __future__ import annotations

from chain.facts import Facts
from chain.rules import approvals, counterparties, execution, intel, signatures  # noqa: F401 - registers the rules
from chain.rules.model import Finding
from chain.rules.policy import Policy, PolicyError
from chain.rules.registry import RULES, SEVERITIES


def check_policy_rules(policy: Policy) -> None:
    """Raises PolicyError when the policy overrides a rule that does not exist (a typo would silently
    leave the rule at its default)."""
    unknown = sorted(set(policy.rules) - set(RULES))
    if unknown:
        raise PolicyError(f"policy {policy.version} overrides rules that do not exist: {', '.join(unknown)}")


def catalogue(policy: Policy) -> dict:
    """Every rule with its severity and description under ``policy``, and the policy's identity."""
    check_policy_rules(policy)
    return {"policy": policy.identity,
            "rules": [{"rule": r, "severity": policy.severity(r), "description": policy.description(r)}
                      for r in sorted(RULES)]}


UNCHECKED_RULES = frozenset({"SIMULATION_UNAVAILABLE"})
"""Findings that say a check could not run: the verdict is then at least the policy's ``verdict.unchecked``."""


def evaluate(facts: Facts, policy: Policy) -> tuple[str, list[Finding]]:
    """(verdict, findings ordered by severity then rule ID) for ``facts`` under ``policy``."""
    check_policy_rules(policy)
    findings = [f for rule_fn in RULES.values() for f in rule_fn(facts, policy)]
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.rule))
    unchecked = any(f.rule in UNCHECKED_RULES for f in findings)
    return policy.verdict_for([f.severity for f in findings], unchecked=unchecked), findings
