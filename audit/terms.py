"""Search terms of a record: every address it involves and every rule that fired."""

from __future__ import annotations

import re
from typing import Any

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)] + [k for k in value if isinstance(k, str)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def record_terms(request: Any, result: dict[str, Any]) -> set[tuple[str, str]]:
    """(kind, value) pairs: ('address', lowercase 0x…), ('rule', RULE_ID), and ('feedback_for', record id) for a
    feedback record, so a record's feedback is found by index."""
    terms = {("address", s.lower()) for s in _strings(request) + _strings(result) if _ADDRESS.match(s)}
    terms |= {("rule", f["rule"]) for f in result.get("findings", []) if isinstance(f, dict) and "rule" in f}
    if isinstance(result.get("feedback_for"), str):
        terms.add(("feedback_for", result["feedback_for"]))
    return terms
