"""The rule registry: each rule's pure ``(facts, policy) -> findings`` function, registered under the id its spec
declares in the catalogue (``chain.catalogue.rules``), where everything else about the rule lives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chain.catalogue import SPECS

RULES: dict[str, Callable[..., list[Any]]] = {}
"""rule ID → the pure ``(facts, policy) -> findings`` function, in registration order."""


def rule(rule_id: str) -> Callable[[Callable[..., list[Any]]], Callable[..., list[Any]]]:
    """Register a pure ``(facts, policy) -> findings`` function under ``rule_id``, which the catalogue declares.

    Raises:
        ValueError: the catalogue has no spec for ``rule_id``, or a function is already registered under it.
    """
    if rule_id not in SPECS:
        raise ValueError(f"rule {rule_id} has no spec in chain/catalogue/rules.py")

    def register(fn: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = fn
        fn.rule_id = rule_id  # type: ignore[attr-defined]
        return fn

    return register
