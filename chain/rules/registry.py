"""The rule registry: each rule's function with its default severity and description, declared beside it
(``@rule("ID", severity=…, description=…)``). A policy file may override either; a new rule touches its own
module and its test only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True)
class RuleInfo:
    """A rule's stable ID and its defaults."""

    rule_id: str
    severity: str
    description: str


RULES: dict[str, Callable[..., list[Any]]] = {}
"""rule ID → the pure ``(facts, policy) -> findings`` function, in registration order."""
DEFAULTS: dict[str, RuleInfo] = {}
"""rule ID → its default severity and description."""


def rule(rule_id: str, *, severity: str, description: str) -> Callable[[Callable[..., list[Any]]],
                                                                   Callable[..., list[Any]]]:
    """Register a pure ``(facts, policy) -> findings`` function under its stable ID with its defaults."""
    if severity not in SEVERITIES:
        raise ValueError(f"rule {rule_id}: severity {severity!r} is not one of {', '.join(SEVERITIES)}")

    def register(fn: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = fn
        DEFAULTS[rule_id] = RuleInfo(rule_id, severity, description)
        fn.rule_id = rule_id  # type: ignore[attr-defined]
        return fn

    return register
