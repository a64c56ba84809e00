"""Numbers and addresses written the same way in the summary, the fact sheet and the validator."""

from __future__ import annotations

import json
from decimal import Decimal


def quote(text: str | None) -> str:
    """Untrusted text as an escaped JSON string literal: data, never instructions."""
    return json.dumps(text if text is not None else "unknown", ensure_ascii=True)


def human_amount(base_units: int, decimals: int | None) -> str:
    """``1500000`` with 6 decimals → ``1.5``; without decimals the base units, unchanged."""
    if decimals is None or decimals == 0:
        return str(base_units)
    value = Decimal(base_units).scaleb(-decimals)
    text = format(value.normalize(), "f")
    return text


def approval_amount(amount: str | None, unlimited: bool, decimals: int | None) -> str:
    """How an approval's amount reads: 'unlimited', 'all tokens' or a human amount."""
    if amount is None:
        return "every token"
    if unlimited:
        return "unlimited"
    return human_amount(int(amount), decimals)


def signed_change(delta: str, decimals: int | None) -> str:
    """A balance delta with an explicit sign: ``+25`` / ``-1.5``."""
    amount = human_amount(int(delta), decimals)
    return amount if amount.startswith("-") else "+" + amount
